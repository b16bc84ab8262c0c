"""`loyapro-mock spec`: look at the contract and check a request body against it as the server
does (schema, then an order's business rules and warnings)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from loyapro_mock.cli.options import spec_option
from loyapro_mock.mockserver.domain.order_warnings import payload_warnings
from loyapro_mock.mockserver.domain.rules import check_order
from loyapro_mock.mockserver.domain.violations import Violation
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


def _business_rules(operation: str, document: Any) -> list[Violation]:
    """What the server checks after the schema: an order's business rules and warnings."""
    if operation != "order":
        return []  # a lookup's or redeem's rules depend on the mock's state (codes, customers)
    found = [*check_order(document), *payload_warnings(document)]
    return sorted(found, key=lambda v: (v.pointer, v.rule))


@spec_group.command("validate")
@spec_option()
@click.argument("operation")
@click.argument("file", type=click.File("rb"))
@click.option("--json", "as_json", is_flag=True, help="Print the violations as a JSON list.")
def validate(spec: str, operation: str, file: Any, as_json: bool) -> None:
    """Validate the JSON in FILE ('-' for stdin) as OPERATION's request body, as the server does.

    First the operation's schema; a body that matches it is then checked against LoyaPro's
    business rules (for an order: money identities, status, customer mobile) and the
    warnings the server gives (what it accepts but certification fails). Prints every
    violation as `pointer: message (rule)`, a warning as `pointer: message (rule, warning)`,
    and exits 1 if there is any error (warnings alone exit 0).

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
    violations = checker.validate(document) or _business_rules(operation, document)
    errors = sum(1 for v in violations if v.is_error)
    if as_json:
        click.echo(json.dumps([v.as_dict() for v in violations], indent=2))
    else:
        for v in violations:
            click.echo(f"{v.pointer or '/'}: {v.message} ({v.rule}{'' if v.is_error else ', warning'})")
        noun = "violation" if errors == 1 else "violations"
        warnings = len(violations) - errors
        also = f", {warnings} warning{'' if warnings == 1 else 's'}" if warnings else ""
        click.echo(f"{file.name}: {errors} {noun}{also} of {operation}", err=True)
    sys.exit(1 if errors else 0)
