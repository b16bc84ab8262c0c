"""`loyapro-mock certify`: grade a POS against LoyaPro's requirements.

\b
  certify start   prepare a session on a running mock and write the cashier checklist
  certify report  grade what the POS sent during the session (the mock's journal)
  certify pos     grade the POS's own Product and customer API (schemathesis + round trips)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from loyapro_mock.cli.progress import progress_on_stderr
from loyapro_mock.contracts.checklist import write_checklist
from loyapro_mock.contracts.defaults import DEFAULT_MAX_EXAMPLES
from loyapro_mock.contracts.findings import Finding, Report
from loyapro_mock.contracts.inbound import evaluate_session
from loyapro_mock.contracts.mock_admin import MockAdmin, MockAdminError
from loyapro_mock.contracts.prepare import (
    DOCS_BRANCH_ID,
    DOCS_BUSINESS_REFERENCE,
    PosCatalogueError,
    read_pos_catalogue,
    start_session,
)
from loyapro_mock.contracts.reports import print_report, write_all
from loyapro_mock.contracts.runner import build_report
from loyapro_mock.contracts.session import CertSession
from loyapro_mock.contracts.step_matchers import session_registration

__all__ = ["EXIT_CODES", "certify_group", "finish"]

EXIT_CODES = """\b
Exit codes, the same as the reports' verdict:
  0  SIGNED OFF      every requirement graded, every check passed
  1  NOT SIGNED OFF  a check failed
  2  INCOMPLETE      nothing failed, but requirements were not graded
                     (outside the run's scope) or checks were not
                     exercised; the report lists them by id"""

DEFAULT_DIR = Path("loyapro-certification")


def finish(report: Report, out: Path, console: Console | None = None) -> int:
    """Print the summary, write the HTML, JUnit and JSON reports; returns the exit code."""
    console = console or Console()
    print_report(report, console)
    paths = write_all(report, out)
    for kind, path in paths.items():
        console.print(f"{kind:>5}: {path}")
    return report.exit_code()


@click.group("certify", epilog=EXIT_CODES)
def certify_group() -> None:
    """Certify a POS: what it sends to LoyaPro and what it exposes to LoyaPro.

    A POS is signed off only by a run that grades the whole catalogue: a session
    (`certify start`, the cashier checklist) reported with `certify report --pos-url`.
    """


@certify_group.command("start")
@click.option("--mock-url", default="http://127.0.0.1:8080", show_default=True, help="The running mock.")
@click.option(
    "--pos", "pos_name", default="foodics", show_default=True, help="The POS name in the webhook paths."
)
@click.option(
    "--business",
    "business_reference",
    default=str(DOCS_BUSINESS_REFERENCE),
    show_default=True,
    help="Business reference the POS sends.",
)
@click.option(
    "--branch", "branch_id", default=DOCS_BRANCH_ID, show_default=True, help="Branch id the POS sends."
)
@click.option(
    "--product-id",
    "product_ids",
    multiple=True,
    help="Products the free-product reward allows (repeat); default: from --pos-url, else any.",
)
@click.option(
    "--pos-url",
    default=None,
    help="The POS's Product API: its products are loaded into the mock and the session grades "
    "line prices and product rewards against them.",
)
@click.option("--pos-token", default=None, help="Bearer token for --pos-url.")
@click.option(
    "--pos-prices",
    type=click.Choice(["tax-inclusive", "tax-exclusive"]),
    default="tax-inclusive",
    show_default=True,
    help="Whether the Product API's prices include VAT (its products do not say).",
)
@click.option("--pos-version", default="", help="The POS version under certification (shown in the report).")
@click.option(
    "--resilience/--no-resilience",
    default=True,
    show_default=True,
    help="Add the resilience steps: fault rules on a customer and codes of the session's own "
    "(a lost answer, a 429, a 5xx) grade how the POS retries (RES-01 to RES-05). Without them "
    "the session cannot sign off.",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    default=DEFAULT_DIR,
    show_default=True,
    help="Where sessions are kept (one folder per session).",
)
def start(
    mock_url: str,
    pos_name: str,
    business_reference: str,
    branch_id: str,
    product_ids: tuple[str, ...],
    pos_url: str | None,
    pos_token: str | None,
    pos_prices: str,
    pos_version: str,
    resilience: bool,
    directory: Path,
) -> None:
    """Prepare a certification session and write the cashier checklist (Markdown and JSON).

    With --pos-url, the POS's products are read from its Product API and loaded into the
    mock; the session keeps them to grade prices. A POS that cannot be read stops here.
    The resilience steps install fault rules on the mock, scoped to the session's
    resilience customer and codes (listed by GET /__admin/faults).
    """
    reference: int | str = int(business_reference) if business_reference.isdigit() else business_reference
    catalogue = _load_pos_catalogue(mock_url, reference, pos_url, pos_token) if pos_url else []
    allowed = list(product_ids) or [str(item["id"]) for item in catalogue if item.get("is_active", True)][:3]
    try:
        session = start_session(
            mock_url,
            pos_name=pos_name,
            business_reference=reference,
            branch_id=branch_id,
            allowed_products=allowed,
            catalogue=catalogue,
            catalogue_source="the POS's Product API",
            prices_include_tax=pos_prices == "tax-inclusive",
            pos_version=pos_version,
            resilience=resilience,
        )
    except MockAdminError as exc:
        raise click.ClickException(str(exc)) from exc
    folder = directory / session.id
    session.save(folder)
    paths = write_checklist(session, folder)
    click.echo(f"session {session.id}")
    click.echo(f"checklist: {paths['markdown']}")
    click.echo(f"checklist: {paths['json']}")
    try:  # the mock's inspector ticks the checklist as the POS performs it
        MockAdmin(mock_url).register_session(session_registration(session))
        click.echo(f"follow it live: {session.mock_url}/__admin/ui#sessions")
    except MockAdminError as exc:
        click.echo(f"warning: the mock's inspector will not follow this session: {exc}", err=True)
    for line in _grading_plan(session, pos_url):
        click.echo(line)
    if session.resilience is not None:
        rules = ", ".join(session.resilience.rules.values())
        click.echo(
            f"resilience steps: fault rules {rules} on customer "
            f"{session.resilience.customer.international} and codes {session.resilience.code}, "
            f"{session.resilience.refused_code}"
        )
    else:
        click.echo("no resilience steps: RES-01 to RES-05 will be not graded, so the session cannot sign off")
    click.echo(f"when the cashier is done: loyapro-mock certify report --session {session.id}")


def _load_pos_catalogue(
    mock_url: str, reference: int | str, pos_url: str, pos_token: str | None
) -> list[dict[str, Any]]:
    """The POS's products, read from its Product API and loaded into the mock; exits on failure."""
    try:
        catalogue = read_pos_catalogue(pos_url, pos_token)
    except PosCatalogueError as exc:
        if exc.status in (401, 403):
            fix = (
                "it refused the token given with --pos-token"
                if pos_token
                else "pass its token with --pos-token"
            )
            raise click.ClickException(f"{exc}: {fix}") from exc
        raise click.ClickException(str(exc)) from exc
    try:
        MockAdmin(mock_url).add_products(reference, catalogue)
    except MockAdminError as exc:
        raise click.ClickException(f"cannot load the POS's products into the mock: {exc}") from exc
    return catalogue


def _grading_plan(session: CertSession, pos_url: str | None) -> list[str]:
    """What the session's amounts will be graded against (printed by ``certify start``)."""
    if session.catalogue:
        listed = "tax-inclusive" if session.catalogue[0].tax_inclusive else "tax-exclusive"
        return [
            f"prices are graded against the POS's Product API at {pos_url} ({len(session.catalogue)} "
            f"products, prices {listed}): orders.prices_match_catalogue",
            "redeemed amounts are graded against the rewards' terms and those prices: "
            "rewards.amount_matches_terms",
        ]
    return [
        "prices are graded against no catalogue: orders.prices_match_catalogue will be not "
        "exercised; pass --pos-url",
        "redeemed amounts are graded against the rewards' terms, but the free product's price "
        "against no catalogue: rewards.amount_matches_terms will be not exercised; pass --pos-url",
    ]


@certify_group.command("report", epilog=EXIT_CODES)
@click.option("--session", "session_id", required=True, help="The id `certify start` printed.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    default=DEFAULT_DIR,
    show_default=True,
    help="Where sessions are kept.",
)
@click.option("--mock-url", default=None, help="Override the mock URL saved with the session.")
@click.option("--pos-url", default=None, help="Also certify the POS's own API at this URL.")
@click.option("--pos-token", default=None, help="Bearer token for --pos-url.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the reports (default: the session's folder).",
)
def report(
    session_id: str,
    directory: Path,
    mock_url: str | None,
    pos_url: str | None,
    pos_token: str | None,
    out: Path | None,
) -> None:
    """Grade the session's journal and what the mock holds after it.

    With --pos-url the POS's own API is graded too, so the whole catalogue is graded;
    without it POS-01, POS-02 and POS-09 are reported as not graded (INCOMPLETE at best).
    """
    folder = directory / session_id
    if not (folder / "session.json").exists():
        raise click.ClickException(f"no session {session_id} in {directory} (run `certify start` first)")
    session = CertSession.load(folder)
    if mock_url:
        session.mock_url = mock_url.rstrip("/")
    scope = ["inbound"]
    with progress_on_stderr() as progress:
        progress(f"grading session {session.id}: the mock's journal and state at {session.mock_url}")
        try:
            findings: list[Finding] = evaluate_session(session, MockAdmin(session.mock_url))
        except MockAdminError as exc:
            raise click.ClickException(str(exc)) from exc
        if pos_url:
            progress(f"grading the POS's API at {pos_url}")
            from loyapro_mock.contracts.outbound import certify_pos  # loads schemathesis: only when grading

            findings += certify_pos(pos_url, pos_token, progress=progress)
            scope.append("outbound")
    result = build_report(
        findings,
        pos_name=session.pos_name,
        pos_version=session.pos_version,
        scope=scope,
        extra_limitations=session.notes,
        session_id=session.id,
        mock_url=session.mock_url,
    )
    sys.exit(finish(result, out or folder))


@certify_group.command("pos", epilog=EXIT_CODES)
@click.option("--base-url", required=True, help="Base URL of the POS's Product and customer API.")
@click.option("--token", default=None, help="Bearer token LoyaPro uses with the POS.")
@click.option("--pos-name", default="POS", show_default=True, help="Name shown in the report.")
@click.option("--pos-version", default="", help="Version shown in the report.")
@click.option(
    "--max-examples",
    type=click.IntRange(1, 500),
    default=DEFAULT_MAX_EXAMPLES,
    show_default=True,
    help="Generated requests per operation and mode (positive, negative).",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed of the run's customers, decoys and wrong token (default: random).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=DEFAULT_DIR / "pos",
    show_default=True,
    help="Where to write the reports.",
)
def pos(
    base_url: str,
    token: str | None,
    pos_name: str,
    pos_version: str,
    max_examples: int,
    seed: int | None,
    out: Path,
) -> None:
    """Grade the POS's API against pos-partner.yaml (POS-01, POS-02, POS-09).

    This grades part of the catalogue: at best the run is INCOMPLETE (exit 2), naming the
    requirements a certification session grades (`certify start`, then `certify report`).
    """
    with progress_on_stderr() as progress:
        progress("loading schemathesis and the pos-partner contract")
        from loyapro_mock.contracts.outbound import certify_pos  # loads schemathesis: only when grading

        findings = certify_pos(base_url, token, max_examples=max_examples, seed=seed, progress=progress)
    result = build_report(findings, pos_name=pos_name, pos_version=pos_version, scope=["outbound"])
    sys.exit(finish(result, out))
