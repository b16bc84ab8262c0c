"""JUnit XML: one test case per check, grouped in a suite per requirement.

A check that was not exercised is written as a failure of type ``not_exercised``: CI must
not count it as a pass. A requirement the run did not grade is a suite with one skipped
case (``not_graded``), never left out. Every suite carries the run's verdict as properties
(``verdict``, ``exit_code``, ``verdict_reason``) and its requirement's group
(``requirement_group``: ``documented``, or ``resilience`` for the RES requirements).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from loyapro_mock.contracts.findings import Finding, Outcome, Report
from loyapro_mock.contracts.requirements import REQUIREMENTS


def render_junit(report: Report) -> str:
    """The report as a JUnit XML document (``<testsuites>``)."""
    counts = report.counts()
    not_graded = report.not_graded()
    root = ET.Element(
        "testsuites",
        name=f"loyapro-certification {report.pos_name}",
        tests=str(len(report.findings) + len(not_graded)),
        failures=str(counts[Outcome.FAIL] + counts[Outcome.NOT_EXERCISED]),
        errors="0",
        skipped=str(len(not_graded)),
    )
    for item in REQUIREMENTS:
        findings = [finding for finding in report.findings if finding.requirement == item.id]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=item.id,
            tests=str(len(findings) or 1),
            failures=str(sum(not finding.passed for finding in findings)),
            errors="0",
            skipped="0" if findings else "1",
            timestamp=report.generated_at,
        )
        _add_properties(suite, report, item.group)
        for finding in findings:
            _add_case(suite, finding)
        if not findings:
            case = ET.SubElement(
                suite, "testcase", classname=f"loyapro.{item.id}", name="not_graded", time="0"
            )
            ET.SubElement(case, "skipped", message=f"not graded: {report.not_graded_reason(item.id)}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _add_properties(suite: ET.Element, report: Report, group: str) -> None:
    properties = ET.SubElement(suite, "properties")
    for key, value in (
        ("requirement_group", group),
        ("pos_name", report.pos_name),
        ("pos_version", report.pos_version),
        ("spec_version", report.spec_version),
        ("session_id", report.session_id),
        ("mock_url", report.mock_url),
        ("tool_version", report.tool_version),
        ("verdict", report.verdict.value),
        ("exit_code", str(report.exit_code())),
        ("verdict_reason", report.verdict_reason()),
    ):
        ET.SubElement(properties, "property", name=key, value=value)


def write_junit(report: Report, path: Path) -> Path:
    """Write :func:`render_junit` to ``path``."""
    path.write_text(render_junit(report), encoding="utf-8")
    return path


def _add_case(suite: ET.Element, finding: Finding) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"loyapro.{finding.requirement}",
        name=finding.check,
        time="0",
    )
    if finding.passed:
        out = ET.SubElement(case, "system-out")
        out.text = finding.received
        return
    failure = ET.SubElement(case, "failure", message=_one_line(finding.received), type=finding.outcome.value)
    failure.text = details(finding)


def details(finding: Finding) -> str:
    """The multi-line explanation of a finding: action, expected, received, evidence, repro."""
    lines = [
        f"{finding.outcome.label}: {finding.requirement} {finding.check} ({finding.area})",
        f"action:   {finding.action}",
        f"expected: {finding.expected}",
        f"received: {finding.received}",
    ]
    lines += [f"evidence: {item.ref} {item.summary}".rstrip() for item in finding.evidence]
    if finding.reproduce:
        lines += ["reproduce:", finding.reproduce]
    return "\n".join(lines)


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 300 else line[:299] + "…"
