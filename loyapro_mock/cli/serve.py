"""`loyapro-mock serve`: run the mock LoyaPro until interrupted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sqlite3
from pathlib import Path

import click
from aiohttp import web

from mockserver.app import create_app
from mockserver.demo import banner
from mockserver.keys import DEMO
from mockserver.settings import Settings, SettingsError

__all__ = ["serve"]


async def _run(app: web.Application, settings: Settings) -> None:
    runner = web.AppRunner(app, access_log=None)
    try:
        await runner.setup()
    except (OSError, sqlite3.Error) as exc:
        raise click.ClickException(
            f"cannot open the state database {settings.db!r}: {exc} (choose another --db)"
        ) from exc
    try:
        site = web.TCPSite(runner, settings.host, settings.port)
        try:
            await site.start()
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {settings.host}:{settings.port}: {exc.strerror} "
                "(choose another --port)"
            ) from exc
        address = runner.addresses[0]
        port = int(address[1])
        click.echo(banner(settings, app[DEMO], port=port), nl=False)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        click.echo("loyapro-mock: stopped", err=True)
    finally:
        await runner.cleanup()


@click.command("serve")
@click.option("--host", default=None, help="Interface to listen on.  [default: 127.0.0.1]")
@click.option("--port", type=int, default=None,
              help="Port to listen on (0 picks a free one).  [default: 8080]")
@click.option("--db", default=None, metavar="PATH|:memory:",
              help="SQLite file that keeps the state across restarts, or :memory:.  "
                   "[default: ~/.local/share/loyapro-mock/loyapro-mock.db]")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True),
              default=None, help="YAML config file (also LOYAPRO_MOCK_CONFIG).")
@click.option("--lenient", is_flag=True, default=None,
              help="Accept out-of-contract requests, recording every violation.")
@click.option("--spec", default=None, metavar="NAME|FILE",
              help="Serve another OpenAPI file instead of the bundled loyapro-pos.")
@click.option("--demo/--no-demo", default=None,
              help="Load the demo state on a first start and accept the docs' sample token.  "
                   "[default: demo]")
def serve(host: str | None, port: int | None, db: str | None, config_file: str | None,
          lenient: bool | None, spec: str | None, demo: bool | None) -> None:
    """Run a local LoyaPro that validates, explains and keeps state.

    Settings come from defaults < --config file < LOYAPRO_MOCK_* environment < flags.
    On start it prints the base URL, a bearer token, the demo reward codes and a curl
    command to paste.
    """
    try:
        settings = Settings.resolve(
            config_file=config_file, host=host, port=port, db=db,
            lenient=lenient or None, spec=spec, demo=demo,
        )
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    if settings.db not in ("", ":memory:"):
        try:
            Path(settings.db).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise click.ClickException(
                f"cannot create the folder of --db {settings.db}: {exc.strerror}") from exc
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("mockserver.requests").setLevel(logging.INFO)
    try:
        app = create_app(settings)
    except (ValueError, KeyError) as exc:
        raise click.ClickException(str(exc)) from exc
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(app, settings))
