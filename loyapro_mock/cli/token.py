"""`loyapro-mock token`: print a bearer token the mock accepts for a POS."""

from __future__ import annotations

import click

from loyapro_mock.cli.options import config_option
from loyapro_mock.mockserver.http.pipeline.auth import issue_token
from loyapro_mock.mockserver.http.settings import Settings, SettingsError

__all__ = ["token"]


@click.command("token")
@click.argument("pos_name")
@click.option(
    "--business",
    "businesses",
    multiple=True,
    metavar="REF",
    help="Only reach this business reference (repeatable); default: every business.",
)
@config_option("Config file whose 'secret' signs the token (also LOYAPRO_MOCK_CONFIG).")
def token(pos_name: str, businesses: tuple[str, ...], config_file: str | None) -> None:
    """Print an HS256 JWT for POS_NAME with the docs' claims.

    The claims are {"platform": "pos", "name": POS_NAME, "iat": now} plus, with --business,
    "businesses": [REF, ...]. It is signed with the mock's secret (setting 'secret',
    LOYAPRO_MOCK_SECRET), so use the same config or environment as 'loyapro-mock serve'.

    \b
    Example:
      curl -H "Authorization: Bearer $(loyapro-mock token foodics)" ...
    """
    try:
        settings = Settings.resolve(config_file=config_file)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(issue_token(settings.secret, pos_name, businesses or None))
