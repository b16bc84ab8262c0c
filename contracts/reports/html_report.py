"""The HTML sign-off page: self-contained (inline CSS, no scripts), every value escaped."""

from __future__ import annotations

from html import escape
from importlib.resources import files
from pathlib import Path
from string import Template

from loyapro_mock.contracts.findings import NOT_GRADED, Evidence, Finding, Outcome, Report, SignOff
from loyapro_mock.contracts.requirements import GROUPS, REQUIREMENTS, Requirement

_ORDER = {item.id: index for index, item in enumerate(REQUIREMENTS)}
_LABELS = {outcome.value: outcome.label for outcome in Outcome} | {NOT_GRADED: "NOT GRADED"}
_BANNERS = {SignOff.SIGNED_OFF: "ok", SignOff.NOT_SIGNED_OFF: "ko", SignOff.INCOMPLETE: "incomplete"}


def _template() -> Template:
    text = files("loyapro_mock.contracts").joinpath("templates/report.html").read_text(encoding="utf-8")
    return Template(text)


def render_html(report: Report, tool_version: str = "") -> str:
    """The sign-off page for ``report`` as one HTML document.

    ``tool_version`` overrides the report's own (the loyapro-mock that graded the run).
    """
    counts = report.counts()
    verdict = report.verdict
    return _template().substitute(
        pos_name=escape(report.pos_name),
        pos_version=escape(report.pos_version),
        generated_at=escape(report.generated_at),
        spec_version=escape(report.spec_version or "-"),
        scope=escape(", ".join(report.scope) or "-"),
        session_id=escape(report.session_id or "-"),
        mock_url=escape(report.mock_url or "-"),
        banner_class=_BANNERS[verdict],
        banner_text=escape(f"{verdict.label}: {report.verdict_reason()}"),
        exit_code=str(verdict.exit_code),
        counts=escape(
            f"{counts[Outcome.PASS]} passed · {counts[Outcome.FAIL]} failed · "
            f"{counts[Outcome.NOT_EXERCISED]} not exercised · {len(report.findings)} checks · "
            f"{len(report.graded())} of {len(REQUIREMENTS)} requirements graded"
        ),
        overview=_overview(report),
        sections="\n".join(_sections(report)),
        limitations="\n".join(f"  <li>{escape(item)}</li>" for item in report.limitations)
        or "  <li>None recorded.</li>",
        tool_version=escape(tool_version or report.tool_version or "-"),
    )


def write_html(report: Report, path: Path, tool_version: str = "") -> Path:
    """Write :func:`render_html` to ``path``."""
    path.write_text(render_html(report, tool_version), encoding="utf-8")
    return path


def _by_requirement(report: Report) -> list[tuple[str, list[Finding]]]:
    """Every requirement of the catalogue with its findings (none when not graded)."""
    return [
        (item.id, [finding for finding in report.findings if finding.requirement == item.id])
        for item in REQUIREMENTS
    ]


def _badge(status: str) -> str:
    return f'<span class="badge {status}">{escape(_LABELS[status])}</span>'


def _check_name(name: str) -> str:
    """A check name that may break after its dots and underscores (long names fit narrow cells)."""
    return escape(name).replace(".", ".<wbr>").replace("_", "_<wbr>")


def _overview(report: Report) -> str:
    rows = []
    for item in REQUIREMENTS:
        if item is _first_of_group(item):
            rows.append(f'<tr class="group"><th colspan="5">{escape(GROUPS[item.group])}</th></tr>')
        findings = [finding for finding in report.findings if finding.requirement == item.id]
        status = report.status(item.id)
        if findings:
            count = f"{sum(finding.passed for finding in findings)}/{len(findings)}"
            bad = ", ".join(_check_name(f.check) for f in findings if not f.passed)
        else:
            count = "-"
            bad = escape(report.not_graded_reason(item.id))
        rows.append(
            f'<tr class="{status}"><td><a href="#{escape(item.id)}">{escape(item.id)}</a></td>'
            f"<td>{escape(item.title)}</td><td>{count}</td>"
            f"<td>{_badge(status)}</td><td>{bad}</td></tr>"
        )
    return (
        '<div class="table-wrap"><table class="overview">\n<colgroup><col class="o-id"><col class="o-title">'
        '<col class="o-n"><col class="o-result"><col class="o-bad"></colgroup>\n'
        "<tr><th>Requirement</th><th>Title</th><th>Passed</th><th>Result</th>"
        "<th>Checks not passed, or why not graded</th></tr>\n" + "\n".join(rows) + "\n</table></div>"
    )


def _first_of_group(item: Requirement) -> Requirement:
    """The first requirement of ``item``'s group, in catalogue order."""
    return next(entry for entry in REQUIREMENTS if entry.group == item.group)


def _sections(report: Report) -> list[str]:
    sections = []
    for requirement_id, findings in _by_requirement(report):
        item = next(entry for entry in REQUIREMENTS if entry.id == requirement_id)
        if item is _first_of_group(item):
            sections.append(f'<h3 class="group">{escape(GROUPS[item.group])}</h3>')
        heading = (
            f'<h3 id="{escape(item.id)}">{escape(item.id)} - {escape(item.title)}</h3>\n'
            f'<p class="quote">"{escape(item.quote)}" ({escape(item.source)})</p>\n'
        )
        if not findings:
            sections.append(
                heading + f'<p class="not-graded">{_badge(NOT_GRADED)} '
                f"{escape(report.not_graded_reason(item.id))}</p>"
            )
            continue
        rows = "\n".join(_row(finding) for finding in findings)
        sections.append(
            heading + '<div class="table-wrap"><table>\n'
            '<colgroup><col class="c-check"><col class="c-area"><col class="c-action">'
            '<col class="c-expected"><col class="c-result"><col class="c-received"></colgroup>\n'
            "<tr><th>Check</th><th>Area</th><th>Action</th><th>Expected</th><th>Actual</th>"
            "<th>Received and evidence</th></tr>\n"
            f"{rows}\n</table></div>"
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
        f"<td><code>{_check_name(finding.check)}</code></td>"
        f"<td>{escape(finding.area)}</td>"
        f"<td>{escape(finding.action)}</td>"
        f"<td>{escape(finding.expected)}</td>"
        f"<td>{_badge(outcome.value)}</td>"
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
