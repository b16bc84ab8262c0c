"""`loyapro-mock spec` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from loyapro_mock import __version__
from loyapro_mock.cli import main
from loyapro_mock.openapi import example_path


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_spec_show_lists_the_operations() -> None:
    result = CliRunner().invoke(main, ["spec", "show", "--json"])
    assert result.exit_code == 0
    rows = {row["operation"]: row for row in json.loads(result.output)}
    assert rows["redeem"]["path"] == "/pos/1.0.0/{pos_name}/redeem"
    assert rows["redeem"]["method"] == "POST"


def test_spec_show_partner_spec() -> None:
    result = CliRunner().invoke(main, ["spec", "show", "--spec", "pos-partner", "--json"])
    assert {row["operation"] for row in json.loads(result.output)} == {
        "list_products",
        "upsert_customer",
        "search_customers",
    }


def test_validate_docs_example_exits_zero() -> None:
    result = CliRunner().invoke(main, ["spec", "validate", "order", str(example_path("order"))])
    assert result.exit_code == 0, result.output
    assert "0 violations" in result.output


def test_validate_prints_each_violation_and_exits_one(tmp_path: Path, docs_order: dict[str, Any]) -> None:
    docs_order["order"]["products"][0]["quantity"] = "1"
    del docs_order["business"]["reference"]
    docs_order["event"] = "customer.order.exploded"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(docs_order))

    result = CliRunner().invoke(main, ["spec", "validate", "order", str(broken)])

    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line]
    assert lines == [
        "/business/reference: required property 'reference' is missing (required)",
        '/event: "customer.order.exploded" is not one of: "customer.order.created", '
        '"customer.order.updated", "order.created", "order.updated" (enum)',
        '/order/products/0/quantity: expected number, got string "1" (type)',
    ]


def test_validate_reads_stdin_and_reports_json() -> None:
    result = CliRunner().invoke(
        main, ["spec", "validate", "reward", "-", "--json"], input='{"reward_code": ""}'
    )
    assert result.exit_code == 1
    rules = sorted(v["rule"] for v in json.loads(result.stdout))
    assert rules == ["minLength", "required", "required", "required"]


def test_validate_malformed_json_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = CliRunner().invoke(main, ["spec", "validate", "order", str(bad)])
    assert result.exit_code == 1
    assert "is not valid JSON" in result.output


def test_validate_unknown_operation_names_the_known_ones() -> None:
    result = CliRunner().invoke(main, ["spec", "validate", "orders", str(example_path("order"))])
    assert result.exit_code == 2
    assert "known:" in result.output


def test_a_spec_that_is_not_yaml_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: [\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["spec", "show", "--spec", str(broken)])
    assert result.exit_code == 1
    assert f"{broken} is not valid YAML" in result.output
    assert "Traceback" not in result.output


def _write(tmp_path: Path, body: dict[str, Any]) -> str:
    path = tmp_path / "order.json"
    path.write_text(json.dumps(body))
    return str(path)


def test_validate_applies_the_business_rules_and_names_the_rule(
    tmp_path: Path, docs_order: dict[str, Any]
) -> None:
    docs_order["order"]["total_price"] = 30  # the lines add up to 24
    docs_order["order"]["payments"][0]["amount"] = 30

    result = CliRunner().invoke(main, ["spec", "validate", "order", _write(tmp_path, docs_order)])

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "/order/total_price: total_price is 30 but the order is tax-inclusive: lines 24 - "
        "discount_amount 0 + charges 0 + rounding_amount 0 = 24; send 24 (money.order_total)"
    ]
    assert "1 violation of order" in result.stderr


def test_validate_prints_warnings_and_exits_zero_when_there_are_only_warnings(
    tmp_path: Path, docs_order: dict[str, Any]
) -> None:
    docs_order["timestamp"] = docs_order["timestamp"] * 1000  # Date.now(): milliseconds
    del docs_order["order"]["products"][0]["status"]

    result = CliRunner().invoke(main, ["spec", "validate", "order", _write(tmp_path, docs_order)])

    assert result.exit_code == 0, result.output
    assert [line.rsplit("(", 1)[1] for line in result.stdout.splitlines()] == [
        "order.line_status, warning)",
        "order.timestamp, warning)",
    ]
    assert "send 1672585625" in result.stdout
    assert "0 violations, 2 warnings of order" in result.stderr


def test_validate_reports_the_severity_in_json(tmp_path: Path, docs_order: dict[str, Any]) -> None:
    docs_order["order"]["total_price"] = 30
    docs_order["timestamp"] = docs_order["timestamp"] * 1000
    path = _write(tmp_path, docs_order)

    result = CliRunner().invoke(main, ["spec", "validate", "order", path, "--json"])

    assert result.exit_code == 1
    found = {(v["rule"], v["severity"]) for v in json.loads(result.stdout)}
    assert found == {
        ("money.order_total", "error"),
        ("money.payments", "error"),
        ("order.timestamp", "warning"),
    }


def test_validate_checks_the_business_rules_only_of_a_body_the_schema_accepts(
    tmp_path: Path, docs_order: dict[str, Any]
) -> None:
    docs_order["order"]["total_price"] = 30
    docs_order["event"] = "customer.order.exploded"  # the server answers 422 validation_failed first

    result = CliRunner().invoke(main, ["spec", "validate", "order", _write(tmp_path, docs_order), "--json"])

    assert result.exit_code == 1
    assert [v["rule"] for v in json.loads(result.stdout)] == ["enum"]
