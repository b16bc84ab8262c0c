"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def spec_option(default: str = "loyapro-pos") -> Callable[[F], F]:
    """`--spec NAME|FILE`: a bundled spec by name, or an OpenAPI file that overrides it."""
    return click.option(
        "--spec",
        "spec",
        default=default,
        show_default=True,
        metavar="NAME|FILE",
        help="Bundled spec (loyapro-pos, pos-partner) or the path of an OpenAPI 3.1 file.",
    )


def seed_option(func: F) -> F:
    return click.option(
        "--seed", type=int, default=0, show_default=True, help="Random seed; same seed, same output."
    )(func)


def config_option(help: str) -> Callable[[F], F]:
    """`--config FILE` (into ``config_file``): the mock's YAML settings file, which must exist."""
    return click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, exists=True),
        default=None,
        help=help,
    )
