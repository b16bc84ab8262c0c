"""Order warnings: what LoyaPro accepts on an order but certification fails."""

from __future__ import annotations

from loyapro_mock.mockserver.domain.order_warnings import (
    describe_discounts,
    order_discounts,
    payload_warnings,
    redemption_warnings,
)

from .factories import docs_order, order


def test_the_docs_example_and_a_correct_order_have_no_warning() -> None:
    assert payload_warnings(docs_order()) == []
    assert payload_warnings(order("o1", [("_7g3g8555", 1, 23)])) == []


def test_every_warning_has_the_warning_severity() -> None:
    body = docs_order()
    body["timestamp"] = 1672585625000
    del body["order"]["products"][0]["status"]
    found = payload_warnings(body)
    assert [(v.pointer, v.rule) for v in found] == [
        ("/order/products/0/status", "order.line_status"),
        ("/timestamp", "order.timestamp"),
    ]
    assert {v.severity for v in found} == {"warning"}
    assert not any(v.is_error for v in found)


def test_a_discount_amount_differing_from_the_discount_object_is_a_warning() -> None:
    body = docs_order()
    body["order"]["discount_amount"] = 5
    body["order"]["discount"] = {"reason": "Coupon", "amount": 4}
    [warning] = payload_warnings(body)
    assert (warning.pointer, warning.rule) == ("/order/discount/amount", "order.discount_amount")
    assert warning.message.startswith("the discount's amount is 4 but the order's discount_amount is 5")


def test_discounts_are_described_as_they_are() -> None:
    body = docs_order()["order"]
    assert describe_discounts(order_discounts(body)) == "no discount"
    body["discount_amount"] = 16
    body["discount"] = {"reason": "Coupon", "amount": 16}
    body["products"][0]["discount_amount"] = 2
    body["products"][0]["discount"] = {"reason": "Loyalty Redemption"}
    assert describe_discounts(order_discounts(body)) == (
        "a Coupon discount of 16 and a Loyalty Redemption discount of 2 on product _7g3g8555"
    )


def test_a_redemption_matching_the_discount_has_no_warning() -> None:
    body = docs_order()["order"]
    body["discount_amount"] = 10
    body["discount"] = {"reason": "Loyalty Redemption", "reward_code": "FIX-1", "amount": 10}
    redemptions = [{"code": "FIX-1", "discount_amount": 10, "product_id": None}]
    assert redemption_warnings(body, "o1", redemptions, {}) == []


def test_a_loyalty_discount_with_no_redemption_names_where_the_code_was_redeemed() -> None:
    body = docs_order()["order"]
    body["discount_amount"] = 10
    body["discount"] = {"reason": "Loyalty Redemption", "reward_code": "FIX-1", "amount": 10}
    [warning] = redemption_warnings(body, "o1", [], {"FIX-1": {"order_id": "100011"}})
    assert warning.rule == "redemption.discount"
    assert "code FIX-1 was redeemed on order 100011; 100011 is the check number of order o1, not its id" in (
        warning.message
    )
