"""The terminal summary: one table row per check, failures explained underneath."""

from __future__ import annotations

from itertools import groupby

from rich.console import Console
from rich.table import Table
from rich.text import Text

from loyapro_mock.contracts.findings import Finding, Outcome, Report
from loyapro_mock.contracts.requirements import requirement

_STYLES = {Outcome.PASS: "bold green", Outcome.FAIL: "bold red", Outcome.NOT_EXERCISED: "yellow"}


def summary_table(report: Report) -> Table:
    """A rich table with one row per requirement: its checks and how they ended."""
    table = Table(
        title=f"LoyaPro certification: {report.pos_name} {report.pos_version}",
        caption=f"{report.spec_version} - {report.generated_at}",
    )
    table.add_column("Req", style="cyan", no_wrap=True)
    table.add_column("Requirement")
    table.add_column("Checks", justify="right", no_wrap=True)
    table.add_column("Result", no_wrap=True)
    for requirement_id, group in groupby(report.findings, key=lambda finding: finding.requirement):
        findings = list(group)
        table.add_row(
            requirement_id,
            requirement(requirement_id).title,
            str(len(findings)),
            _result(findings),
        )
    return table


def _result(findings: list[Finding]) -> Text:
    failed = [f for f in findings if f.outcome is Outcome.FAIL]
    missing = [f for f in findings if f.outcome is Outcome.NOT_EXERCISED]
    if failed:
        names = ", ".join(f.check for f in failed)
        return Text(f"FAIL {names}", style=_STYLES[Outcome.FAIL])
    if missing:
        names = ", ".join(f.check for f in missing)
        return Text(f"NOT EXERCISED {names}", style=_STYLES[Outcome.NOT_EXERCISED])
    return Text("PASS", style=_STYLES[Outcome.PASS])


def verdict_line(report: Report) -> Text:
    """One line saying whether the POS is signed off, with the counts."""
    counts = report.counts()
    numbers = (
        f"{counts[Outcome.PASS]} passed, {counts[Outcome.FAIL]} failed, "
        f"{counts[Outcome.NOT_EXERCISED]} not exercised"
    )
    if report.signed_off:
        return Text(f"SIGNED OFF - every requirement passes ({numbers})", style="bold green")
    return Text(f"NOT SIGNED OFF ({numbers})", style="bold red")


def print_report(report: Report, console: Console | None = None) -> None:
    """Print the summary table, the details of each finding that did not pass, and the verdict."""
    console = console or Console()
    console.print(summary_table(report))
    for finding in report.failures():
        _print_failure(console, finding)
    console.print(verdict_line(report))


def _print_failure(console: Console, finding: Finding) -> None:
    console.print()
    console.print(
        Text(f"{finding.outcome.label} {finding.requirement} {finding.check}", style=_STYLES[finding.outcome])
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
