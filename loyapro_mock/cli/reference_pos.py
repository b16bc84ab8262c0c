"""`loyapro-mock reference-pos`: run the bundled reference POS until interrupted."""

from __future__ import annotations

import contextlib
import errno

import click

from loyapro_mock.contracts.reference_pos import REFERENCE_POS_TOKEN, create_pos_app
from loyapro_mock.mockserver.http.runner import run, serve_app

__all__ = ["reference_pos"]


def _banner(host: str, port: int, token: str) -> str:
    url = f"http://{host}:{port}"
    return (
        f"reference POS  {url}\n"
        f"token          {token}\n"
        f"products       curl -H 'Authorization: Bearer {token}' {url}/products\n"
        "grade its API:\n"
        f"  loyapro-mock certify pos --base-url {url} --token {token}\n"
        "or use it in a session:\n"
        f"  loyapro-mock certify start --pos-url {url} --pos-token {token}\n"
        "Ctrl-C stops it.\n"
    )


@click.command("reference-pos")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=9000,
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--token",
    default=REFERENCE_POS_TOKEN,
    show_default=True,
    help="The bearer token the POS accepts (LoyaPro's credential for the POS API).",
)
def reference_pos(host: str, port: int, token: str) -> None:
    """Run the bundled reference POS: a correct implementation of pos-partner.yaml.

    It serves the Product API (a café menu of 23 products) and customer push / search,
    behind bearer auth. Use it to try `certify pos`, or read its code
    (loyapro_mock/contracts/reference_pos) as an example of what LoyaPro expects.
    State is kept in memory and is lost when it stops.
    """
    if not token.strip():
        raise click.BadParameter("the token must not be empty", param_hint="--token")

    def ready(bound: int) -> None:
        click.echo(_banner(host, bound, token), nl=False)

    try:
        with contextlib.suppress(KeyboardInterrupt):
            run(serve_app(create_pos_app(token=token), host=host, port=port, on_ready=ready))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            reason = f"port {port} is already in use"
        else:
            reason = str(exc.strerror or exc)
        message = f"cannot listen on {host}:{port}: {reason} (choose another --port)"
        raise click.ClickException(message) from exc
    click.echo("reference POS: stopped", err=True)
