"""Reward codes: lookup, redeem once, replay, release on void, expiry, limits, mismatches."""

from __future__ import annotations

from typing import Any

import pytest

from loyapro_mock.mockserver.domain.errors import DomainError
from loyapro_mock.mockserver.domain.usecases import (
    LoyaPro,
    advance_clock,
    cancel_reward,
    convert_cashback,
    customer_view,
    issue_reward,
    issue_reward_request,
    lookup_reward,
    process_order,
    redeem_reward,
    redemptions,
    register_business,
)
from loyapro_mock.mockserver.domain.usecases.demo_state import DEMO_CODES

from .factories import BRANCH_ID, DOCS_MOBILE, docs_order, order, redeem, with_status

FIXED, PERCENT, PRODUCTS = (DEMO_CODES[k] for k in ("fixed_amount", "percentage", "products"))


def _body(code: str = FIXED, **changes: Any) -> dict[str, Any]:
    return redeem(code, "order-1") | changes


def _refused(call: Any, *args: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args)
    return caught.value


def _status(service: LoyaPro, code: str) -> str:
    with service.store.snapshot() as tx:
        reward = tx.get_reward(code)
        assert reward is not None
        return str(reward["status"])


@pytest.mark.parametrize(
    ("code", "kind", "type_", "is_percent", "amount", "cap"),
    [
        (FIXED, "fixed_amount", 1, False, 10.0, None),
        (PERCENT, "percentage", 1, True, 20.0, 15.0),
        (PRODUCTS, "products", 2, True, 100.0, 24.0),
    ],
)
def test_lookup_describes_each_kind(
    service: LoyaPro,
    code: str,
    kind: str,
    type_: int,
    is_percent: bool,
    amount: float,
    cap: float | None,
) -> None:
    reward = lookup_reward(service, "foodics", _body(code))
    assert (
        reward["code"],
        reward["kind"],
        reward["type"],
        reward["is_percent"],
        reward["discount_amount"],
        reward["max_discount_amount"],
        reward["status"],
    ) == (code, kind, type_, is_percent, amount, cap, "issued")
    assert reward["customer"]["customer_mobile_number"] == DOCS_MOBILE
    assert reward["business_reference"] == "440810"


def test_lookup_never_changes_state(service: LoyaPro) -> None:
    with service.store.snapshot() as tx:
        before = tx.get_reward(FIXED)
    for _ in range(3):
        lookup_reward(service, "foodics", _body())
    with service.store.snapshot() as tx:
        assert tx.get_reward(FIXED) == before


@pytest.mark.parametrize(
    ("changes", "status", "code", "detail"),
    [
        ({"reward_code": "NOPE-1"}, 404, "reward_not_found", "'NOPE-1'"),
        (
            {"customer_mobile_number": "501234567"},
            422,
            "reward_not_valid_for_customer",
            "issued to the customer +966 557937530, not +966 501234567",
        ),
        (
            {"business_reference": 777},
            422,
            "reward_not_valid_for_business",
            "belongs to business 440810, not 777",
        ),
        ({"business_reference": 999}, 422, "unknown_business", "999 is not known"),
        ({"customer_mobile_number": "12"}, 422, "validation_failed", "not a mobile number"),
        ({"mobile_country_code": "abc"}, 422, "validation_failed", "not a dial code"),
        ({"reward_code": None}, 422, "validation_failed", "reward_code: is required"),
    ],
)
def test_lookup_errors_say_what_did_not_match(
    service: LoyaPro, changes: dict[str, Any], status: int, code: str, detail: str
) -> None:
    register_business(service, 777, "south coffee", "foodics")
    error = _refused(lookup_reward, service, "foodics", _body(**changes))
    assert (error.status, error.code) == (status, code)
    assert detail in error.detail


def test_code_limited_to_branches(service: LoyaPro) -> None:
    reward = issue_reward(service, "440810", "fixed_amount", DOCS_MOBILE, branch_ids=["b-9"])
    error = _refused(lookup_reward, service, "foodics", _body(reward["code"]))
    assert (error.status, error.code) == (422, "reward_not_valid_for_branch")
    assert "b-9" in error.detail and BRANCH_ID in error.detail
    ok = lookup_reward(service, "foodics", _body(reward["code"], branch_id="b-9"))
    assert ok["branch_ids"] == ["b-9"]


def test_redeem_then_retry_is_a_replay(service: LoyaPro) -> None:
    first = redeem_reward(service, "foodics", _body())
    assert (first["status"], first["replay"], first["discount_amount"]) == ("redeemed", False, 10.0)
    assert first["reward"]["status"] == "redeemed"
    retry = redeem_reward(service, "foodics", _body())
    assert retry["replay"] is True
    assert retry["redemption_id"] == first["redemption_id"]
    assert len(redemptions(service, FIXED)) == 1


def test_redeem_for_another_order_is_a_conflict(service: LoyaPro) -> None:
    redeem_reward(service, "foodics", _body())
    error = _refused(redeem_reward, service, "foodics", _body(order_id="order-2"))
    assert (error.status, error.code) == (409, "reward_already_redeemed")
    assert "order-1" in error.detail
    lookup = _refused(lookup_reward, service, "foodics", _body())
    assert (lookup.status, lookup.code) == (409, "reward_already_redeemed")


def test_void_releases_the_code_and_it_can_be_redeemed_again(service: LoyaPro) -> None:
    paid = docs_order()
    order_id = paid["order"]["id"]
    redeem_reward(service, "foodics", _body(order_id=order_id))
    process_order(service, "foodics", paid)
    voided = process_order(service, "foodics", with_status(paid, 7))
    assert [(r["reward_code"], r["status"]) for r in voided["redemptions_released"]] == [(FIXED, "released")]
    assert _status(service, FIXED) == "issued"
    again = redeem_reward(service, "foodics", _body(order_id="order-2"))
    assert (again["replay"], again["order_id"]) == (False, "order-2")
    assert [(r["order_id"], r["status"]) for r in redemptions(service, FIXED)] == [
        (order_id, "released"),
        ("order-2", "redeemed"),
    ]
    kinds = [e["kind"] for e in customer_view(service, DOCS_MOBILE)["ledger"] if e["program"] == "rewards"]
    assert kinds == ["redeem", "release", "redeem"]


def test_refund_keeps_the_code_redeemed_by_default(service: LoyaPro) -> None:
    body = order("r1", [("_7g3g8555", 1, 23)])
    redeem_reward(service, "foodics", _body(order_id="r1"))
    process_order(service, "foodics", body)
    refunded = process_order(service, "foodics", with_status(body, 5))
    assert refunded["redemptions_released"] == []
    assert _status(service, FIXED) == "redeemed"


def test_refund_can_release_when_configured(make_service: Any) -> None:
    service = make_service({"defaults": {"rewards": {"release_on_refund": True}}})
    body = order("r1", [("_7g3g8555", 1, 23)])
    redeem_reward(service, "foodics", _body(order_id="r1"))
    process_order(service, "foodics", body)
    refunded = process_order(service, "foodics", with_status(body, 5))
    assert [r["reward_code"] for r in refunded["redemptions_released"]] == [FIXED]


def test_codes_expire_by_the_mock_clock(service: LoyaPro) -> None:
    reward = issue_reward(service, "440810", "fixed_amount", DOCS_MOBILE, expires_in_seconds=60)
    assert reward["expires_at"] == "2023-01-01T15:01:00.000Z"
    assert lookup_reward(service, "foodics", _body(reward["code"]))["status"] == "issued"
    advance_clock(service, 61)
    error = _refused(lookup_reward, service, "foodics", _body(reward["code"]))
    assert (error.status, error.code) == (410, "reward_expired")
    error = _refused(redeem_reward, service, "foodics", _body(reward["code"]))
    assert (error.status, error.code) == (410, "reward_expired")
    assert _status(service, reward["code"]) == "expired"
    assert _status(service, FIXED) == "issued"


def test_cancelled_code_is_gone(service: LoyaPro) -> None:
    assert cancel_reward(service, PERCENT)["status"] == "cancelled"
    error = _refused(redeem_reward, service, "foodics", _body(PERCENT, discount_amount=1))
    assert (error.status, error.code) == (410, "reward_cancelled")


@pytest.mark.parametrize(
    ("code", "changes", "status"),
    [
        (FIXED, {"discount_amount": 10}, 200),
        (FIXED, {"discount_amount": 10.005}, 200),
        (FIXED, {"discount_amount": 10.5}, 422),
        (PERCENT, {"discount_amount": 15}, 200),
        (PERCENT, {"discount_amount": 15.5}, 422),
        (PRODUCTS, {"discount_amount": 24, "product_id": "_7g3g8555"}, 200),
        (PRODUCTS, {"discount_amount": 24.5, "product_id": "_7g3g8555"}, 422),
    ],
)
def test_discount_limits(service: LoyaPro, code: str, changes: dict[str, Any], status: int) -> None:
    if status == 200:
        assert redeem_reward(service, "foodics", _body(code, **changes))["status"] == "redeemed"
    else:
        error = _refused(redeem_reward, service, "foodics", _body(code, **changes))
        assert (error.status, error.code) == (422, "discount_exceeds_reward")
        assert "send at most" in error.detail
        assert _status(service, code) == "issued"


def test_percentage_is_limited_by_a_known_order(service: LoyaPro) -> None:
    process_order(service, "foodics", order("o-pct", [("_7g3g8555", 1, 23)], status=2))
    error = _refused(redeem_reward, service, "foodics", _body(PERCENT, order_id="o-pct", discount_amount=5))
    assert "20% of the order's 23" in error.detail and "send at most 4.6" in error.detail
    ok = redeem_reward(service, "foodics", _body(PERCENT, order_id="o-pct", discount_amount=4.6))
    assert ok["discount_amount"] == 4.6


def test_products_reward_needs_an_allowed_product(service: LoyaPro) -> None:
    error = _refused(redeem_reward, service, "foodics", _body(PRODUCTS, product_id="_9x4b6n12"))
    assert (error.status, error.code) == (422, "product_not_allowed")
    assert "_7g3g8555 (blue north)" in error.detail
    error = _refused(redeem_reward, service, "foodics", _body(PRODUCTS))
    assert "no product_id was sent" in error.detail
    by_sku = redeem_reward(service, "foodics", _body(PRODUCTS, product_id="prd_8a2k1m90", discount_amount=18))
    assert by_sku["product_id"] == "_8a2k1m90"


def test_products_reward_without_cap_is_limited_by_the_price(service: LoyaPro) -> None:
    reward = issue_reward(
        service,
        "440810",
        "products",
        DOCS_MOBILE,
        allowed_products=["_9x4b6n12"],
        discount_includes_modifiers=False,
    )
    error = _refused(redeem_reward, service, "foodics", _body(reward["code"], discount_amount=13))
    assert (error.code, "send at most 12" in error.detail) == ("discount_exceeds_reward", True)
    assert (
        redeem_reward(service, "foodics", _body(reward["code"], discount_amount=12))["product_id"]
        == "_9x4b6n12"
    )


def test_issue_reward_validates(service: LoyaPro) -> None:
    error = _refused(issue_reward, service, "440810", "voucher", DOCS_MOBILE)
    assert (error.code, error.errors[0].pointer) == ("validation_failed", "/kind")
    error = _refused(lambda: issue_reward(service, "440810", "percentage", DOCS_MOBILE, discount_amount=120))
    assert error.errors[0].pointer == "/discount_amount"
    error = _refused(
        lambda: issue_reward(service, "440810", "products", DOCS_MOBILE, allowed_products=["ghost"])
    )
    assert error.errors[0].pointer == "/allowed_products/0"
    error = _refused(lambda: issue_reward(service, "440810", "fixed_amount", DOCS_MOBILE, code=FIXED))
    assert "already taken" in error.detail
    error = _refused(issue_reward, service, "1", "fixed_amount", DOCS_MOBILE)
    assert error.code == "unknown_business"


def test_issue_reward_request_body_enrolls_the_customer(service: LoyaPro) -> None:
    reward = issue_reward_request(
        service,
        {
            "kind": "percentage",
            "business_reference": 440810,
            "customer_mobile_number": "0555000111",
            "mobile_country_code": "966",
            "discount_amount": 30,
            "max_discount_amount": 20,
            "session": "cert-1",
        },
    )
    assert (reward["kind"], reward["discount_amount"], reward["max_discount_amount"]) == (
        "percentage",
        30.0,
        20.0,
    )
    assert reward["code"].startswith("PCT-")
    assert reward["customer"]["customer_mobile_number"] == "555000111"
    assert customer_view(service, "555000111")["customer"]["source"] == "admin"


def test_cashback_code_needs_a_wallet(service: LoyaPro) -> None:
    error = _refused(convert_cashback, service, "440810", DOCS_MOBILE)
    assert (error.code, "wallet holds 0.00" in error.detail) == ("validation_failed", True)


@pytest.mark.parametrize(
    "body",
    [
        [],
        "x",
        {"reward_code": {"a": 1}},
        {"reward_code": FIXED, "customer_mobile_number": []},
        {**_body(), "order_id": None},
        {**_body(), "discount_amount": "10"},
        {**_body(), "business_reference": [1]},
        {**_body(), "date": {"d": 1}},
    ],
)
def test_malformed_bodies_are_422_not_crashes(service: LoyaPro, body: Any) -> None:
    try:  # a lookup may still describe the code (it only reads); it must not crash
        lookup_reward(service, "foodics", body)
    except DomainError as exc:
        assert exc.status == 422
    assert _refused(redeem_reward, service, "foodics", body).status == 422
    assert _status(service, FIXED) == "issued"


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"kind": "fixed_amount", "business_reference": 440810, "customer_mobile_number": "5"},
        {
            "kind": "products",
            "business_reference": 440810,
            "customer_mobile_number": DOCS_MOBILE,
            "allowed_products": "x",
        },
        {
            "kind": "fixed_amount",
            "business_reference": 440810,
            "customer_mobile_number": DOCS_MOBILE,
            "expires_in_seconds": 1e300,
        },
        {
            "kind": "fixed_amount",
            "business_reference": 440810,
            "customer_mobile_number": DOCS_MOBILE,
            "code": "",
        },
    ],
)
def test_malformed_issue_requests_are_422(service: LoyaPro, body: Any) -> None:
    error = _refused(issue_reward_request, service, body)
    assert (error.status, error.code) == (422, "validation_failed")
