"""The HTML sign-off page: self-contained (inline CSS, no scripts), every value escaped."""

from __future__ import annotations

from html import escape
from importlib.resources import files
from itertools import groupby
from pathlib import Path
from string import Template

from loyapro_mock.contracts.findings import Evidence, Finding, Outcome, Report
from loyapro_mock.contracts.requirements import REQUIREMENTS, requirement

_ORDER = {item.id: index for index, item in enumerate(REQUIREMENTS)}


def _template() -> Template:
    text = files("loyapro_mock.contracts").joinpath("templates/report.html").read_text(encoding="utf-8")
    return Template(text)


def render_html(report: Report, tool_version: str = "") -> str:
    """The sign-off page for ``report`` as one HTML document."""
    counts = report.counts()
    return _template().substitute(
        pos_name=escape(report.pos_name),
        pos_version=escape(report.pos_version),
        generated_at=escape(report.generated_at),
        spec_version=escape(report.spec_version),
        scope=escape(", ".join(report.scope) or "-"),
        banner_class="ok" if report.signed_off else "ko",
        banner_text="Signed off: every requirement passes" if report.signed_off else "Not signed off",
        counts=escape(
            f"{counts[Outcome.PASS]} passed · {counts[Outcome.FAIL]} failed · "
            f"{counts[Outcome.NOT_EXERCISED]} not exercised · {len(report.findings)} checks"
        ),
        overview=_overview(report),
        sections="\n".join(_sections(report)),
        limitations="\n".join(f"  <li>{escape(item)}</li>" for item in report.limitations)
        or "  <li>None recorded.</li>",
        tool_version=escape(tool_version),
    )


def write_html(report: Report, path: Path, tool_version: str = "") -> Path:
    """Write :func:`render_html` to ``path``."""
    path.write_text(render_html(report, tool_version), encoding="utf-8")
    return path


def _ordered(report: Report) -> list[tuple[str, list[Finding]]]:
    """Findings grouped by requirement, in the catalogue's order."""
    ordered = sorted(report.findings, key=lambda finding: _ORDER.get(finding.requirement, len(_ORDER)))
    return [(key, list(group)) for key, group in groupby(ordered, key=lambda finding: finding.requirement)]


def _overview(report: Report) -> str:
    rows = []
    for requirement_id, findings in _ordered(report):
        item = requirement(requirement_id)
        outcome = _worst(findings)
        bad = [f.check for f in findings if not f.passed]
        rows.append(
            f'<tr class="{outcome.value}"><td><a href="#{escape(item.id)}">{escape(item.id)}</a></td>'
            f"<td>{escape(item.title)}</td><td>{len(findings)}</td>"
            f'<td><span class="badge {outcome.value}">{escape(outcome.label)}</span></td>'
            f"<td>{escape(', '.join(bad))}</td></tr>"
        )
    return (
        '<table class="overview">\n<colgroup><col class="o-id"><col class="o-title"><col class="o-n">'
        '<col class="o-result"><col class="o-bad"></colgroup>\n'
        "<tr><th>Requirement</th><th>Title</th><th>Checks</th><th>Result</th>"
        "<th>Checks not passed</th></tr>\n" + "\n".join(rows) + "\n</table>"
    )


def _worst(findings: list[Finding]) -> Outcome:
    outcomes = {finding.outcome for finding in findings}
    for outcome in (Outcome.FAIL, Outcome.NOT_EXERCISED):
        if outcome in outcomes:
            return outcome
    return Outcome.PASS


def _sections(report: Report) -> list[str]:
    sections = []
    for requirement_id, findings in _ordered(report):
        item = requirement(requirement_id)
        rows = "\n".join(_row(finding) for finding in findings)
        sections.append(
            f'<h3 id="{escape(item.id)}">{escape(item.id)} - {escape(item.title)}</h3>\n'
            f'<p class="quote">"{escape(item.quote)}" ({escape(item.source)})</p>\n'
            "<table>\n"
            '<colgroup><col class="c-check"><col class="c-area"><col class="c-action">'
            '<col class="c-expected"><col class="c-result"><col class="c-received"></colgroup>\n'
            "<tr><th>Check</th><th>Area</th><th>Action</th><th>Expected</th><th>Actual</th>"
            "<th>Received and evidence</th></tr>\n"
            f"{rows}\n</table>"
        )
    return sections


def _row(finding: Finding) -> str:
    outcome = finding.outcome
    evidence = _evidence(finding.evidence)
    reproduce = (
        f"<details><summary>How to reproduce</summary><pre>{escape(finding.reproduce)}</pre></details>"
        if finding.reproduce
        else ""
    )
    return (
        f'<tr class="{outcome.value}">'
        f"<td><code>{escape(finding.check)}</code></td>"
        f"<td>{escape(finding.area)}</td>"
        f"<td>{escape(finding.action)}</td>"
        f"<td>{escape(finding.expected)}</td>"
        f'<td><span class="badge {outcome.value}">{escape(outcome.label)}</span></td>'
        f"<td>{escape(finding.received)}{evidence}{reproduce}</td>"
        "</tr>"
    )


def _evidence(items: tuple[Evidence, ...]) -> str:
    if not items:
        return ""
    shown = items[:12]
    lines = [f"<li><code>{escape(item.ref)}</code> {escape(item.summary)}</li>" for item in shown]
    if len(items) > len(shown):
        lines.append(f"<li>... and {len(items) - len(shown)} more (see the JSON report)</li>")
    return '<ul class="evidence">' + "".join(lines) + "</ul>"
