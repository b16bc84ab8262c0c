"""`loyapro-mock spec`: look at the contract and check a request body against it."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from loyapro_mock.cli.options import spec_option
from loyapro_mock.mockserver.http.pipeline.validation import SpecValidator, UnsupportedSpecError


def _load(spec: str) -> SpecValidator:
    try:
        return SpecValidator.load(spec)
    except (ValueError, UnsupportedSpecError) as exc:
        raise click.ClickException(str(exc)) from exc


@click.group("spec")
def spec_group() -> None:
    """Show the contract's operations and validate request bodies against it."""


@spec_group.command("show")
@spec_option()
@click.option("--json", "as_json", is_flag=True, help="Print the operations as JSON.")
def show(spec: str, as_json: bool) -> None:
    """List the operations of a spec (operation id, method, path, summary)."""
    validator = _load(spec)
    operations = validator.operations()
    if as_json:
        rows = [
            {
                "operation": op.operation_id,
                "method": op.method,
                "path": op.path,
                "summary": op.summary,
                "tags": list(op.tags),
            }
            for op in operations
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    title = f"{validator.spec['info']['title']} {validator.version}"
    table = Table(title=title)
    table.add_column("operation", no_wrap=True)
    table.add_column("method")
    table.add_column("path", no_wrap=True)
    table.add_column("summary")
    for op in operations:
        table.add_row(op.operation_id, op.method, op.path, op.summary)
    Console().print(table)


@spec_group.command("validate")
@spec_option()
@click.argument("operation")
@click.argument("file", type=click.File("rb"))
@click.option("--json", "as_json", is_flag=True, help="Print the violations as a JSON list.")
def validate(spec: str, operation: str, file: Any, as_json: bool) -> None:
    """Validate the JSON in FILE ('-' for stdin) against OPERATION's request body.

    Prints every violation as `pointer: message (rule)` and exits 1 if there is any.

    \b
    Example:
      loyapro-mock spec validate order order.json
    """
    validator = _load(spec)
    try:
        checker = validator.request_validator(operation)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="OPERATION") from exc
    raw = file.read()
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{file.name} is not valid JSON: {exc}") from exc
    violations = checker.validate(document)
    if as_json:
        click.echo(json.dumps([v.as_dict() for v in violations], indent=2))
    else:
        for v in violations:
            click.echo(f"{v.pointer or '/'}: {v.message} ({v.rule})")
        noun = "violation" if len(violations) == 1 else "violations"
        click.echo(f"{file.name}: {len(violations)} {noun} of {operation}", err=True)
    sys.exit(1 if violations else 0)
