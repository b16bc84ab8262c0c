"""Business rules on order webhooks: the docs' example passes, each mutation breaks one rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from loyapro_mock.mockserver.domain.rules import check_order, pricing_mode

from .factories import docs_order, order

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(body: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        target: Any = body
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


def test_docs_example_breaks_no_rule() -> None:
    assert check_order(docs_order()) == []


def test_docs_example_is_tax_inclusive() -> None:
    assert pricing_mode(docs_order()["order"]) == "inclusive"


@pytest.mark.parametrize(
    ("mutation", "pointer", "rule"),
    [
        (
            _set("order/products/0/options/0/unit_price", 23),
            "/order/products/0/options/0/total_price",
            "money.option_total",
        ),
        (_set("order/products/0/unit_price", 1), "/order/products/0/total_price", "money.line_total"),
        (
            _set("order/products/0/options/0/taxes/0/pivot/amount", 3.5),
            "/order/products/0/taxes",
            "money.line_tax",
        ),
        (_set("order/subtotal_price", 21.5), "/order/subtotal_price", "money.subtotal"),
        (_set("order/rounding_amount", 1), "/order/total_price", "money.order_total"),
        (_set("order/payments/0/amount", 20), "/order/payments", "money.payments"),
        (_set("order/payments", []), "/order/payments", "money.payments"),
        (_set("order/status", 9), "/order/status", "order.status"),
        (_set("order/customer/phone", "12"), "/order/customer/phone", "customer.mobile"),
    ],
    ids=[
        "option_total",
        "line_total",
        "line_tax",
        "subtotal",
        "order_total",
        "payments_sum",
        "payments_missing",
        "status",
        "customer_mobile",
    ],
)
def test_each_mutation_breaks_exactly_its_rule(mutation: Mutation, pointer: str, rule: str) -> None:
    body = docs_order()
    mutation(body)
    assert [(v.pointer, v.rule) for v in check_order(body)] == [(pointer, rule)]


def test_differences_within_the_tolerance_pass() -> None:
    body = docs_order()
    body["order"]["total_price"] = 24.009
    body["order"]["payments"][0]["amount"] = 24.009
    assert check_order(body) == []


def test_violation_message_says_what_to_send() -> None:
    body = docs_order()
    body["order"]["subtotal_price"] = 21.5
    (violation,) = check_order(body)
    assert "21.5" in violation.message
    assert "send 20.86957" in violation.message


def test_every_violation_is_reported_sorted_by_pointer() -> None:
    body = docs_order()
    body["order"]["subtotal_price"] = 1
    body["order"]["status"] = 0
    body["order"]["products"][0]["unit_price"] = 5
    assert [v.pointer for v in check_order(body)] == [
        "/order/products/0/total_price",
        "/order/status",
        "/order/subtotal_price",
    ]


def _exclusive_order(total: float = 230, tax: float = 30) -> dict[str, Any]:
    body = order("ex-1", [("_7g3g8555", 1, 200)])
    line = body["order"]["products"][0]
    line.update(
        tax_exclusive_total_price=200,
        tax_exclusive_unit_price=200,
        taxes=[{"id": "vat", "rate": 15, "pivot": {"amount": tax, "rate": 15}}],
    )
    body["order"].update(subtotal_price=200, total_price=total)
    body["order"]["payments"][0]["amount"] = total
    return body


def test_tax_exclusive_order_passes() -> None:
    body = _exclusive_order()
    assert pricing_mode(body["order"]) == "exclusive"
    assert check_order(body) == []


def test_tax_exclusive_total_must_add_the_taxes() -> None:
    violations = check_order(_exclusive_order(total=200))
    assert [(v.pointer, v.rule) for v in violations] == [("/order/total_price", "money.order_total")]
    assert "taxes 30" in violations[0].message


def test_tax_exclusive_line_tax_must_match_the_rate() -> None:
    body = _exclusive_order(total=225, tax=25)
    assert [(v.pointer, v.rule) for v in check_order(body)] == [("/order/products/0/taxes", "money.line_tax")]


def test_charges_count_in_the_order_total() -> None:
    body = docs_order()
    body["order"]["charges"] = [{"amount": 10}]
    body["order"]["total_price"] = 34
    body["order"]["payments"][0]["amount"] = 34
    assert check_order(body) == []


def test_order_discount_lowers_the_total() -> None:
    body = docs_order()
    body["order"].update(
        discount_amount=4,
        total_price=20,
        discount={
            "name": "loyalty",
            "reason": "Loyalty Redemption",
            "reward_code": "FIX-7Q2M9K",
            "amount": 4,
        },
    )
    body["order"]["payments"][0]["amount"] = 20
    assert check_order(body) == []


def test_unpaid_order_needs_no_payments() -> None:
    body = docs_order()
    body["order"]["status"] = 7
    body["order"]["payments"] = []
    assert check_order(body) == []


def test_generated_orders_are_consistent() -> None:
    body = order("gen-1", [("_7g3g8555", 3, 23), ("_8a2k1m90", 2, 18.5)])
    assert check_order(body) == []


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        {"order": "x"},
        {"order": {"products": ["x", {"total_price": "1"}]}},
        {"order": {"status": True, "products": [{"options": [None, {"taxes": [1]}]}]}},
    ],
)
def test_garbage_never_raises(payload: Any) -> None:
    assert isinstance(check_order(payload), list)
