"""`loyapro-mock serve`: run the mock LoyaPro until interrupted."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import click
from aiohttp import web

from loyapro_mock.cli.example import example_command
from loyapro_mock.cli.options import config_option
from loyapro_mock.mockserver.http.app import create_app, prepare_state
from loyapro_mock.mockserver.http.banner import banner
from loyapro_mock.mockserver.http.keys import DEMO
from loyapro_mock.mockserver.http.runner import listening_sockets, run, run_workers, serve_app
from loyapro_mock.mockserver.http.settings import Settings, SettingsError
from loyapro_mock.mockserver.store import StoreError, describe_db, is_postgres

__all__ = ["serve"]


def _echo_banner(settings: Settings, app: web.Application, port: int) -> None:
    click.echo(banner(settings, app[DEMO], port=port, example_command=example_command()), nl=False)


def _db_error(settings: Settings, exc: BaseException) -> click.ClickException:
    return click.ClickException(
        f"cannot open the state database {describe_db(settings.db)!r}: {exc} (choose another --db)"
    )


def _serve_one(app: web.Application, settings: Settings) -> None:
    def ready(port: int) -> None:
        _echo_banner(settings, app, port)

    try:
        run(serve_app(app, host=settings.host, port=settings.port, on_ready=ready))
    except StoreError as exc:
        raise _db_error(settings, exc) from exc
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {settings.host}:{settings.port} or open {describe_db(settings.db)!r}: "
            f"{exc.strerror or exc} (choose another --port or --db)"
        ) from exc
    click.echo("loyapro-mock: stopped", err=True)


def _serve_many(app: web.Application, settings: Settings) -> None:
    # Load the demo state once, before the workers start, so they do not race to create it.
    try:
        app[DEMO] = prepare_state(settings)
    except (OSError, StoreError) as exc:
        raise _db_error(settings, exc) from exc
    try:
        sockets = listening_sockets(settings.host, settings.port, settings.workers)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {settings.host}:{settings.port}: {exc.strerror} (choose another --port)"
        ) from exc
    port = int(sockets[0].getsockname()[1])
    code = run_workers(app, sockets, on_ready=lambda: _echo_banner(settings, app, port))
    click.echo("loyapro-mock: stopped", err=True)
    if code:
        raise click.exceptions.Exit(code)


@click.command("serve")
@click.option("--host", default=None, help="Interface to listen on.  [default: 127.0.0.1]")
@click.option(
    "--port", type=int, default=None, help="Port to listen on (0 picks a free one).  [default: 8080]"
)
@click.option(
    "--db",
    default=None,
    metavar="PATH|:memory:|URL",
    help="Where the state is kept: a SQLite file (kept across restarts), :memory:, or a "
    "postgresql://user:password@host:5432/dbname URL (shared by every instance given it).  "
    "[default: ~/.local/share/loyapro-mock/loyapro-mock.db]",
)
@config_option("YAML config file (also LOYAPRO_MOCK_CONFIG).")
@click.option(
    "--lenient",
    is_flag=True,
    default=None,
    help="Accept out-of-contract requests, recording every violation.",
)
@click.option(
    "--spec",
    default=None,
    metavar="NAME|FILE",
    help="Serve another OpenAPI file instead of the bundled loyapro-pos.",
)
@click.option(
    "--demo/--no-demo",
    default=None,
    help="Load the demo state on a first start and accept the docs' sample token.  [default: demo]",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes serving the port and sharing the --db state (a file or PostgreSQL).  [default: 1]",
)
@click.option(
    "--journal-retention",
    default=None,
    metavar="DURATION",
    help="Prune journal entries older than this, in the background (seconds, or 30m, 12h, 7d; "
    "0 keeps them forever).  [default: keep forever]",
)
@click.option(
    "--journal-max",
    type=click.IntRange(0),
    default=None,
    metavar="N",
    help="Keep at most the newest N journal entries (0: no limit).  [default: no limit]",
)
# -- traffic: rate limits and injected faults ----------------------------------------------
@click.option(
    "--rate-limit",
    default=None,
    metavar="LIMIT",
    help="Limit webhook calls per POS token and per business: 5/s, 100/min, "
    "pos=5/s,business=100/min, or off (429 with Retry-After beyond it).  [default: off]",
)
@click.option(
    "--faults",
    "faults_file",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="YAML file of fault rules to inject: latency, 5xx, reset, hang, commit-then-fail (docs/server.md).",
)
@click.option(
    "--quiet", is_flag=True, default=False, help="Do not print a line per request (for load tests)."
)
def serve(
    host: str | None,
    port: int | None,
    db: str | None,
    config_file: str | None,
    lenient: bool | None,
    spec: str | None,
    demo: bool | None,
    workers: int | None,
    journal_retention: str | None,
    journal_max: int | None,
    rate_limit: str | None,
    faults_file: str | None,
    quiet: bool,
) -> None:
    """Run a local LoyaPro that validates, explains and keeps state.

    Settings come from defaults < --config file < LOYAPRO_MOCK_* environment < flags.
    On start it prints the base URL, a bearer token, the demo reward codes and a curl
    command to paste.
    """
    try:
        settings = Settings.resolve(
            config_file=config_file,
            host=host,
            port=port,
            db=db,
            lenient=lenient or None,
            spec=spec,
            demo=demo,
            workers=workers,
            journal_retention=journal_retention,
            journal_max=journal_max,
            rate_limit=rate_limit,
            faults=faults_file,
        )
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    if settings.db not in ("", ":memory:") and not is_postgres(settings.db):
        try:
            Path(settings.db).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise click.ClickException(
                f"cannot create the folder of --db {settings.db}: {exc.strerror}"
            ) from exc
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("loyapro_mock.mockserver.requests").setLevel(logging.WARNING if quiet else logging.INFO)
    try:
        app = create_app(settings)
    except (ValueError, KeyError) as exc:
        raise click.ClickException(str(exc)) from exc
    with contextlib.suppress(KeyboardInterrupt):
        if settings.workers > 1:
            _serve_many(app, settings)
        else:
            _serve_one(app, settings)
