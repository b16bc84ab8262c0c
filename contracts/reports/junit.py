"""JUnit XML: one test case per check, grouped in a suite per requirement area.

A check that was not exercised is written as a failure of type ``not_exercised``: CI must
not count it as a pass.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby
from pathlib import Path

from loyapro_mock.contracts.findings import Finding, Outcome, Report


def render_junit(report: Report) -> str:
    """The report as a JUnit XML document (``<testsuites>``)."""
    counts = report.counts()
    root = ET.Element(
        "testsuites",
        name=f"loyapro-certification {report.pos_name}",
        tests=str(len(report.findings)),
        failures=str(counts[Outcome.FAIL] + counts[Outcome.NOT_EXERCISED]),
        errors="0",
    )
    for requirement_id, group in groupby(report.findings, key=lambda f: f.requirement):
        findings = list(group)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=requirement_id,
            tests=str(len(findings)),
            failures=str(sum(not finding.passed for finding in findings)),
            errors="0",
            skipped="0",
            timestamp=report.generated_at,
        )
        properties = ET.SubElement(suite, "properties")
        for key, value in (
            ("pos_name", report.pos_name),
            ("pos_version", report.pos_version),
            ("spec_version", report.spec_version),
        ):
            ET.SubElement(properties, "property", name=key, value=value)
        for finding in findings:
            _add_case(suite, finding)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


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
