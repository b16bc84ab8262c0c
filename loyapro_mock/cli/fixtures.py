"""`loyapro-mock fixtures`: deterministic orders, customers, rewards, products, scenarios."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from loyapro_mock.cli.options import seed_option
from loyapro_mock.fixtures.catalog import KINDS
from loyapro_mock.fixtures.customers import iter_customers
from loyapro_mock.fixtures.invalid import INVALID_RULES, iter_invalid
from loyapro_mock.fixtures.orders import MODES
from loyapro_mock.fixtures.output import FORMATS, dumps, write_records
from loyapro_mock.fixtures.rewards import iter_rewards
from loyapro_mock.fixtures.scenario import ScenarioError, check_playable, list_scenarios, render
from loyapro_mock.fixtures.stream import ORDER_STATES, iter_orders
from loyapro_mock.fixtures.world import World

__all__ = ["fixtures_group"]

F = TypeVar("F", bound=Callable[..., Any])
_PROGRESS_FROM = 1000


def _output_options(func: F) -> F:
    """`--count`, `--format`, `--out`, `--progress/--no-progress` (and `--seed`)."""
    func = click.option(
        "--progress/--no-progress",
        default=None,
        help="Progress bar on stderr (default: on a terminal, for 1000+).",
    )(func)
    func = click.option(
        "--out",
        "out",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="Write to FILE instead of stdout.",
    )(func)
    func = click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="ndjson",
        show_default=True,
        help="json: one array; ndjson: a line per record; yaml: a document per record.",
    )(func)
    func = click.option(
        "--count", "-n", type=click.IntRange(min=0), default=10, show_default=True, help="How many records."
    )(func)
    return seed_option(func)


@contextmanager
def _sink(out: str | None) -> Iterator[IO[bytes]]:
    if out is None:
        stream = sys.stdout.buffer
        yield stream
        stream.flush()
        return
    with open(out, "wb", buffering=1 << 16) as handle:
        yield handle


def _write(
    records: Iterable[Any], count: int, fmt: str, out: str | None, progress: bool | None, label: str
) -> None:
    show = progress if progress is not None else (count >= _PROGRESS_FROM and sys.stderr.isatty())
    with _sink(out) as sink:
        if not show:
            write_records(records, fmt, sink)
            return
        columns = (TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task(label, total=count)
            write_records(records, fmt, sink, progress=lambda done: bar.update(task, completed=done))


@click.group("fixtures")
def fixtures_group() -> None:
    """Realistic, reproducible LoyaPro data: same seed and options, same bytes.

    \b
    loyapro-mock fixtures orders -n 1000 --seed 7 --state mixed > orders.ndjson
    loyapro-mock fixtures orders --invalid money.order_total -n 5 --format json
    loyapro-mock fixtures scenario stamps-reward-void --run --base-url http://127.0.0.1:8080
    """


@fixtures_group.command("orders")
@_output_options
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="mixed",
    show_default=True,
    help="Pricing: VAT included or added.",
)
@click.option(
    "--state",
    type=click.Choice(ORDER_STATES),
    default="paid",
    show_default=True,
    help="Lifecycle state; `mixed` is an event log (new orders, later voids, returns).",
)
@click.option(
    "--invalid",
    "rule",
    type=click.Choice(tuple(INVALID_RULES)),
    default=None,
    help="Break every order in exactly this one way (see `fixtures invalid-rules`).",
)
@click.option(
    "--docs-business",
    is_flag=True,
    help="Use the docs' business 440810 and branch (a fresh mock accepts them).",
)
@click.option(
    "--customer-rate",
    type=click.FloatRange(0, 1),
    default=0.8,
    show_default=True,
    help="Share of orders with a customer attached.",
)
@click.option(
    "--phone-style",
    type=click.Choice(("plain", "mixed")),
    default="plain",
    show_default=True,
    help="mixed: customers' phones as 05..., +966..., 00966...",
)
def orders(
    count: int,
    seed: int,
    fmt: str,
    out: str | None,
    progress: bool | None,
    mode: str,
    state: str,
    rule: str | None,
    docs_business: bool,
    customer_rate: float,
    phone_style: str,
) -> None:
    """Order webhooks in the docs' shape, with money that adds up in both pricing modes."""
    records: Iterable[Any]
    if rule is not None:
        records = (
            broken.payload
            for broken in iter_invalid(rule, count, seed, state=state, mode=mode, docs=docs_business)
        )
    else:
        records = iter_orders(
            count,
            seed,
            state=state,
            mode=mode,
            docs=docs_business,
            customer_rate=customer_rate,
            phone_style=phone_style,
            compact=fmt == "ndjson",
        )
    _write(records, count, fmt, out, progress, "orders")


@fixtures_group.command("customers")
@_output_options
def customers(count: int, seed: int, fmt: str, out: str | None, progress: bool | None) -> None:
    """Saudi customers (Latin and Arabic names, mobiles) as the POS partner API takes them."""
    _write((c.record() for c in iter_customers(count, seed)), count, fmt, out, progress, "customers")


@fixtures_group.command("rewards")
@_output_options
@click.option("--docs-business", is_flag=True, help="Rewards of the docs' business 440810.")
@click.option(
    "--issue-requests", is_flag=True, help="Print `POST /__admin/rewards` bodies instead of reward records."
)
def rewards(
    count: int,
    seed: int,
    fmt: str,
    out: str | None,
    progress: bool | None,
    docs_business: bool,
    issue_requests: bool,
) -> None:
    """Reward codes of the three kinds (products, percentage, fixed_amount), in turn."""
    items = iter_rewards(count, seed, docs=docs_business)
    records = (r.issue_request() if issue_requests else r.record() for r in items)
    _write(records, count, fmt, out, progress, "rewards")


@fixtures_group.command("products")
@_output_options
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default=None,
    help="Only this menu (default: the café, burger place and bakery).",
)
@click.option("--docs-business", is_flag=True, help="The docs' business's café menu.")
def products(
    count: int,
    seed: int,
    fmt: str,
    out: str | None,
    progress: bool | None,
    kind: str | None,
    docs_business: bool,
) -> None:
    """Catalog products as the POS Product API lists them (at most the menus' size)."""
    world = World.build(seed, docs=docs_business)
    records = [
        product.partner_record()
        for business in world.businesses
        if kind in (None, business.kind)
        for product in business.catalog.products
    ][:count]
    _write(records, len(records), fmt, out, progress, "products")


@fixtures_group.command("invalid-rules")
def invalid_rules() -> None:
    """List the rules `orders --invalid RULE` can break."""
    for name, rule in INVALID_RULES.items():
        click.echo(f"{name:26} {rule.kind:9} {rule.description}")


@fixtures_group.command("scenario")
@click.argument("name", required=False)
@seed_option
@click.option("--list", "list_", is_flag=True, help="List the shipped scenarios.")
@click.option("--format", "fmt", type=click.Choice(("yaml", "json")), default="yaml", show_default=True)
@click.option("--run", is_flag=True, help="Play the scenario against a running mock.")
@click.option(
    "--base-url", default="http://127.0.0.1:8080", show_default=True, help="The mock's base URL (with --run)."
)
@click.option(
    "--token",
    envvar="LOYAPRO_MOCK_TOKEN",
    default=None,
    help="Bearer token for the POS (with --run; env LOYAPRO_MOCK_TOKEN). Default: the docs' sample "
    "token for foodics, else a token for the POS name signed with the mock's default secret "
    "(a mock with its own secret: `LOYAPRO_MOCK_SECRET=... loyapro-mock token NAME`).",
)
@click.option(
    "--reset",
    is_flag=True,
    help="With --run: play the scenario's `admin: reset` steps, which empty the mock (journal, "
    "codes, any certification session on it), in the docs' business as the scenario's POS. "
    "Without it the mock is never reset: the scenario plays in a business of its own.",
)
@click.option(
    "--business",
    "business_reference",
    type=click.IntRange(1),
    default=None,
    help="Play in this business of its own (default with --run: a new one per run; when "
    "printing: the docs' business 440810).",
)
@click.option(
    "--pos",
    "pos_name",
    default=None,
    help="The POS name to play as (default without --reset: `scenario`, so that a "
    "certification session of another POS never grades its calls; with --reset: the "
    "scenario's own).",
)
@click.option(
    "--allow-clock",
    is_flag=True,
    help="With --run and without --reset: let `clock:` steps move the mock's clock, which every "
    "user of the mock shares (a certification session on it is then reported as disturbed).",
)
def scenario(
    name: str | None,
    seed: int,
    list_: bool,
    fmt: str,
    run: bool,
    base_url: str,
    token: str | None,
    reset: bool,
    business_reference: int | None,
    pos_name: str | None,
    allow_clock: bool,
) -> None:
    """Print a scenario (NAME or a YAML file) with generated data, or --run it.

    \b
    A run never resets the mock unless told (--reset): it skips the scenario's
    `admin: reset` steps and plays in a business of its own as POS `scenario`, so it
    cannot disturb a certification session running on the same mock. A scenario that
    needs the demo state (demo-codes) needs --reset; one that moves the clock needs
    --allow-clock (or --reset).
    """
    if list_ or name is None:
        for known in list_scenarios():
            click.echo(known)
        return
    if run and reset and business_reference is not None:
        raise click.UsageError("--reset plays in the docs' business: give --reset or --business, not both")
    if run and not reset:
        business_reference = business_reference or _new_business_reference()
        if pos_name is None:
            _check_token_pos(token)
            pos_name = SCENARIO_POS
    try:
        rendered = render(name, seed, business_reference=business_reference, pos=pos_name)
        if run:
            check_playable(rendered, reset=reset, allow_clock=allow_clock)
    except (ScenarioError, KeyError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if not run:
        with _sink(None) as sink:
            sink.write(dumps(rendered.as_dict(), fmt))
        return
    from loyapro_mock.fixtures.scenario_runner import run_scenario_sync

    if token is None:
        from loyapro_mock.mockserver.http.pipeline.auth import issue_token
        from loyapro_mock.mockserver.http.settings import DEFAULT_SECRET, DOCS_SAMPLE_TOKEN

        token = DOCS_SAMPLE_TOKEN if rendered.pos == "foodics" else issue_token(DEFAULT_SECRET, rendered.pos)
    if reset:
        where = "resetting the mock first" if rendered.resets else "the scenario resets nothing"
    else:
        where = "a business of its own; the mock is not reset"
    click.echo(
        f"playing as POS {rendered.pos} in business {rendered.business_reference} "
        f"(branch {rendered.branch_id}): {where}"
    )
    result = run_scenario_sync(rendered, base_url, token, reset=reset, allow_clock=allow_clock)
    click.echo(result.report())
    if not result.ok:
        raise SystemExit(1)


#: The POS name a scenario plays as when it shares the mock with others.
SCENARIO_POS = "scenario"


def _new_business_reference() -> int:
    """A business reference no run used before (9 digits, never the docs' 440810)."""
    return 100_000_000 + secrets.randbelow(900_000_000)


def _check_token_pos(token: str | None) -> None:
    """Refuse a token for another POS than ``scenario`` when no --pos says which to play as."""
    if token is None:
        return
    import jwt

    try:
        name = jwt.decode(token, options={"verify_signature": False}).get("name")
    except jwt.PyJWTError:
        return  # a static token: the mock's answer tells whether it speaks for `scenario`
    if isinstance(name, str) and name != SCENARIO_POS:
        raise click.UsageError(
            f"the token speaks for POS {name!r}, but a scenario that shares the mock plays as POS "
            f"{SCENARIO_POS!r}, so that a certification session of {name!r} on it never grades its "
            f"calls: give a token for {SCENARIO_POS!r} (`loyapro-mock token {SCENARIO_POS}`), or "
            f"--pos {name} to play as {name!r} anyway (a session of {name!r} then grades these calls)"
        )
