"""`loyapro-mock demo`: certify the bundled reference POS end to end, on this machine."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from loyapro_mock import __version__
from loyapro_mock.cli.certify import finish
from loyapro_mock.contracts.defaults import DEFAULT_MAX_EXAMPLES

__all__ = ["demo"]


@click.command("demo")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("loyapro-demo-report"),
    show_default=True,
    help="Where to write the HTML, JUnit XML and JSON reports.",
)
@click.option(
    "--max-examples",
    type=click.IntRange(1, 500),
    default=DEFAULT_MAX_EXAMPLES,
    show_default=True,
    help="schemathesis requests per operation and mode.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the session's data.")
def demo(out: Path, max_examples: int, seed: int) -> None:
    """Start the mock and the reference POS, run the whole certification, print the report.

    \b
    1. the mock LoyaPro and the reference POS start on free loopback ports;
    2. a certification session is prepared (a customer, one reward code per kind);
    3. the reference POS performs the cashier checklist against the mock (inbound);
    4. the harness calls the POS's Product and customer API (outbound);
    5. every requirement is graded; the reports are written to --out.
    """
    console = Console()

    def ready(mock_url: str, pos_url: str) -> None:
        console.print(f"mock LoyaPro   {mock_url}")
        console.print(f"reference POS  {pos_url}")

    from loyapro_mock.contracts.harness import run_demo  # loads schemathesis: only when the demo runs

    report, inbound = run_demo(max_examples=max_examples, seed=seed, pos_version=__version__, on_ready=ready)
    console.print(f"session        {inbound.session.id}")
    for step in inbound.steps:
        status = f"[red]{step.error}[/red]" if step.error else ", ".join(step.calls)
        console.print(f"  step {step.step:<20} {status}")
    console.print()
    sys.exit(finish(report, out, console))
