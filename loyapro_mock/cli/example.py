"""`loyapro-mock example`: print a request body of the contract, ready to pipe into curl."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

import click

from loyapro_mock.openapi import EXAMPLE_NAMES, example_path

__all__ = ["example", "example_command"]


@click.command("example")
@click.argument("name", type=click.Choice(EXAMPLE_NAMES), default="order")
def example(name: str) -> None:
    """Print the example request body NAME (default: the docs' example order) to stdout.

    The body comes from the installed package, so it is always there, whatever the
    install left on disk.

    \b
    Example:
      loyapro-mock example order | curl -sS http://127.0.0.1:8080/pos/1.0.0/foodics/order \\
        -H "Authorization: Bearer $(loyapro-mock token foodics)" \\
        -H 'Accept: application/json' -H 'Content-Type: application/json' --data-binary @-
    """
    sys.stdout.buffer.write(example_path(name).read_bytes())
    sys.stdout.buffer.flush()


def example_command(name: str = "order") -> str:
    """A shell command that prints example ``name`` with this very installation.

    ``loyapro-mock`` when the shell's PATH finds this installation's script, else that
    script's full path, else ``python -m loyapro_mock`` with this interpreter.
    """
    script = Path(sys.executable).with_name("loyapro-mock")
    found = shutil.which("loyapro-mock")
    if found is not None and script.exists() and Path(found).resolve() == script.resolve():
        program = "loyapro-mock"
    elif script.exists():
        program = shlex.quote(str(script))
    else:
        program = f"{shlex.quote(sys.executable)} -m loyapro_mock"
    return f"{program} example {name}"
