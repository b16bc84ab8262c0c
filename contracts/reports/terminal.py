"""The terminal summary: one table row per requirement of the catalogue, failures explained
underneath, then the verdict. Readable at 80 columns: ids and verdicts are never cut."""

from __future__ import annotations

from collections import defaultdict

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from loyapro_mock.contracts.findings import NOT_GRADED, Finding, Outcome, Report, SignOff
from loyapro_mock.contracts.requirements import GROUPS, in_group

_STYLES = {
    Outcome.PASS.value: "bold green",
    Outcome.FAIL.value: "bold red",
    Outcome.NOT_EXERCISED.value: "yellow",
    NOT_GRADED: "dim",
}
_LABELS = {
    Outcome.PASS.value: "PASS",
    Outcome.FAIL.value: "FAIL",
    Outcome.NOT_EXERCISED.value: "NOT EXERCISED",
    NOT_GRADED: "NOT GRADED",
}
_VERDICT_STYLES = {
    SignOff.SIGNED_OFF: "bold green",
    SignOff.NOT_SIGNED_OFF: "bold red",
    SignOff.INCOMPLETE: "bold yellow",
}


def summary_table(report: Report) -> Table:
    """A rich table with one row per requirement of the catalogue: checks passed and the result.

    Requirements the run did not grade are rows too (``NOT GRADED``), never dropped; the
    checks that did not pass are named, whole, under the table. Each group of the catalogue
    (the documented requirements, then the resilience ones) is its own section, headed by
    its title.
    """
    table = Table(
        title=f"LoyaPro certification: {report.pos_name} {report.pos_version}",
        caption=f"{report.spec_version} - {report.generated_at}",
    )
    table.add_column("Req", style="cyan", no_wrap=True, min_width=6)
    table.add_column("Requirement", ratio=1, min_width=12)
    table.add_column("Passed", justify="right", no_wrap=True)
    table.add_column("Result", no_wrap=True, min_width=13)
    for group, title in GROUPS.items():
        if group != next(iter(GROUPS)):
            table.add_section()
        table.add_row("", Text(title, style="bold"), "", "")
        for item in in_group(group):
            findings = [finding for finding in report.findings if finding.requirement == item.id]
            passed = f"{sum(finding.passed for finding in findings)}/{len(findings)}" if findings else "-"
            status = report.status(item.id)
            table.add_row(item.id, item.title, passed, Text(_LABELS[status], style=_STYLES[status]))
    return table


def verdict_line(report: Report) -> Text:
    """The verdict, why, and the counts: never green unless every requirement was graded and passed."""
    counts = report.counts()
    numbers = (
        f"{counts[Outcome.PASS]} passed, {counts[Outcome.FAIL]} failed, "
        f"{counts[Outcome.NOT_EXERCISED]} not exercised, {len(report.not_graded())} requirements not graded"
    )
    verdict = report.verdict
    return Text(
        f"{verdict.label} - {report.verdict_reason()} ({numbers}); exit code {verdict.exit_code}",
        style=_VERDICT_STYLES[verdict],
    )


def not_graded_block(report: Report) -> Group | None:
    """The requirements the run did not grade, grouped by the reason why."""
    by_reason: dict[str, list[str]] = defaultdict(list)
    for requirement_id in report.not_graded():
        by_reason[report.not_graded_reason(requirement_id)].append(requirement_id)
    if not by_reason:
        return None
    lines = [Text()]
    for reason, ids in by_reason.items():
        lines.append(Text(f"NOT GRADED {', '.join(ids)}", style="bold"))
        lines.append(Text(f"  {reason}"))
    return Group(*lines)


def print_report(report: Report, console: Console | None = None) -> None:
    """Print the summary table, the details of each finding that did not pass, the
    requirements not graded, and the verdict."""
    console = console or Console()
    console.print(summary_table(report))
    for finding in report.failures():
        _print_failure(console, finding)
    block = not_graded_block(report)
    if block is not None:
        console.print(block)
    console.print()
    console.print(verdict_line(report))


def _print_failure(console: Console, finding: Finding) -> None:
    console.print()
    console.print(
        Text(
            f"{finding.outcome.label} {finding.requirement} {finding.check}",
            style=_STYLES[finding.outcome.value],
        )
    )
    console.print(Text(f"  action:   {finding.action}"))
    console.print(Text(f"  expected: {finding.expected}"))
    console.print(Text(f"  received: {finding.received}"))
    for item in finding.evidence[:10]:
        console.print(Text(f"  evidence: {item.ref} {item.summary}".rstrip()))
    if len(finding.evidence) > 10:
        console.print(Text(f"  evidence: ... and {len(finding.evidence) - 10} more"))
    if finding.reproduce:
        console.print(Text("  reproduce:"))
        for line in finding.reproduce.splitlines():
            console.print(Text(f"    {line}"))
