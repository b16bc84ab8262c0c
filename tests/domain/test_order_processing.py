"""Order webhooks through the service: earn once, duplicates, reversals, returns, enrolment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from loyapro_mock.mockserver.domain.errors import DomainError
from loyapro_mock.mockserver.domain.usecases import (
    LoyaPro,
    advance_clock,
    businesses,
    convert_cashback,
    customer_view,
    process_order,
)

from .factories import DOCS_MOBILE, docs_order, order, with_status

ServiceFactory = Callable[..., LoyaPro]


def _balances(service: LoyaPro, mobile: str = DOCS_MOBILE) -> dict[str, float]:
    return customer_view(service, mobile)["balances"]


def _moved(result: dict[str, Any], key: str) -> dict[str, float]:
    return {m["program"]: m["amount"] for m in result["loyalty"][key]}


def test_docs_order_earns_for_the_docs_customer(service: LoyaPro) -> None:
    result = process_order(service, "foodics", docs_order())
    assert (result["status"], result["duplicate"], result["violations"]) == ("Paid", False, [])
    assert result["customer"] == {
        "name": "faisal alsalamah",
        "mobile_country_code": "966",
        "customer_mobile_number": "557937530",
        "enrolled": False,
    }
    assert _moved(result, "earned") == {"points": 20, "stamps": 1, "cashback": 1.04}
    assert result["loyalty"]["reason"] is None
    assert _balances(service) == {"points": 20, "stamps": 1, "cashback": 1.04}


def test_same_order_same_state_is_a_duplicate(service: LoyaPro) -> None:
    process_order(service, "foodics", docs_order())
    ledger_before = customer_view(service, DOCS_MOBILE)["ledger"]
    again = process_order(service, "foodics", docs_order())
    assert again["duplicate"] is True
    assert again["loyalty"] == {"earned": [], "reversed": [], "reason": "already_processed"}
    assert customer_view(service, DOCS_MOBILE)["ledger"] == ledger_before


def test_earning_happens_once_even_if_the_paid_order_changes(service: LoyaPro) -> None:
    process_order(service, "foodics", docs_order())
    changed = docs_order()
    changed["order"]["products"][0]["returned_quantity"] = 0.0
    changed["order"]["customer"]["phone"] = "0557937530"  # same customer, other spelling
    result = process_order(service, "foodics", changed)
    assert result["duplicate"] is True
    body = docs_order()
    body["order"]["status"] = 2
    reopened = process_order(service, "foodics", body)
    assert reopened["loyalty"]["reason"] == "not_paid"
    paid_again = process_order(service, "foodics", docs_order())
    assert (paid_again["duplicate"], paid_again["loyalty"]["reason"]) == (False, "already_processed")
    assert _balances(service)["points"] == 20


def test_initiated_then_paid(service: LoyaPro) -> None:
    pending = process_order(service, "foodics", order("o1", [("_7g3g8555", 1, 23)], status=1))
    assert (pending["status"], pending["loyalty"]["reason"]) == ("Initiated", "not_paid")
    paid = process_order(service, "foodics", order("o1", [("_7g3g8555", 1, 23)]))
    assert _moved(paid, "earned") == {"points": 20, "stamps": 1, "cashback": 1.0}


def test_order_without_customer_earns_nothing_and_says_why(service: LoyaPro) -> None:
    result = process_order(service, "foodics", order("o1", [("_7g3g8555", 1, 23)], mobile=None))
    assert result["customer"] is None
    assert result["loyalty"] == {"earned": [], "reversed": [], "reason": "no_customer"}


def test_unknown_customer_is_enrolled(service: LoyaPro) -> None:
    result = process_order(service, "foodics", order("o1", [("_7g3g8555", 1, 23)], mobile="+966 50 999 8877"))
    assert result["customer"]["enrolled"] is True
    assert result["customer"]["customer_mobile_number"] == "509998877"
    view = customer_view(service, "0509998877")
    assert (view["customer"]["source"], view["balances"]["points"]) == ("order", 20)
    second = process_order(service, "foodics", order("o2", [("_7g3g8555", 1, 23)], mobile="509998877"))
    assert second["customer"]["enrolled"] is False


def test_void_returns_balances_to_where_they_were(service: LoyaPro) -> None:
    process_order(service, "foodics", order("keep", [("_7g3g8555", 1, 23)]))
    before = _balances(service)
    body = order("o2", [("_7g3g8555", 3, 23)])
    process_order(service, "foodics", body)
    assert _balances(service) == {"points": 80, "stamps": 2, "cashback": 4.0}
    voided = process_order(service, "foodics", with_status(body, 7))
    assert (voided["status"], voided["loyalty"]["reason"]) == ("Void", None)
    assert _moved(voided, "reversed") == {"points": 60, "stamps": 1, "cashback": 3.0}
    assert _balances(service) == before
    again = process_order(service, "foodics", with_status(body, 3))
    assert (again["duplicate"], again["loyalty"]["reason"]) == (False, "already_processed")
    assert _balances(service) == before


def test_void_of_an_unpaid_order_reverses_nothing(service: LoyaPro) -> None:
    body = order("o1", [("_7g3g8555", 1, 23)], status=2)
    process_order(service, "foodics", body)
    result = process_order(service, "foodics", with_status(body, 7))
    assert result["loyalty"] == {"earned": [], "reversed": [], "reason": "nothing_to_reverse"}


def test_partial_return_on_the_same_order_is_prorated_and_floored(service: LoyaPro) -> None:
    body = order("o1", [("_7g3g8555", 3, 23)])  # 69 incl. VAT, 60 pre-tax
    process_order(service, "foodics", body)
    partial = process_order(service, "foodics", with_status(body, 5, line_0=1))
    assert partial["status"] == "Refunded"
    assert _moved(partial, "reversed") == {"points": 20, "cashback": 1.0}  # stamps: floor(1/3)
    assert _balances(service) == {"points": 40, "stamps": 1, "cashback": 2.0}
    rest = process_order(service, "foodics", with_status(body, 5, line_0=3))
    assert _moved(rest, "reversed") == {"points": 40, "stamps": 1, "cashback": 2.0}
    assert _balances(service) == {"points": 0, "stamps": 0, "cashback": 0}


def test_partial_return_floors_in_the_customers_favour(service: LoyaPro) -> None:
    body = order("o1", [("_7g3g8555", 3, 16.1)])  # 48.3 incl. VAT, 42 pre-tax
    process_order(service, "foodics", body)
    result = process_order(service, "foodics", with_status(body, 5, line_0=1))
    assert _moved(result, "reversed") == {"points": 14, "cashback": 0.7}
    assert _balances(service) == {"points": 28, "stamps": 1, "cashback": 1.4}


def test_full_return_on_the_same_order(service: LoyaPro) -> None:
    body = order("o1", [("_7g3g8555", 2, 23)])
    process_order(service, "foodics", body)
    result = process_order(service, "foodics", with_status(body, 5))
    assert _moved(result, "reversed") == {"points": 40, "stamps": 1, "cashback": 2.0}


def test_return_orders_reverse_their_share_of_the_original(service: LoyaPro) -> None:
    process_order(service, "foodics", order("orig", [("_7g3g8555", 3, 23)]))
    first = order("ret-1", [("_7g3g8555", 1, 23)], status=5, original_order="orig")
    result = process_order(service, "foodics", first)
    assert _moved(result, "reversed") == {"points": 20, "cashback": 1.0}
    assert result["customer"]["customer_mobile_number"] == DOCS_MOBILE
    assert process_order(service, "foodics", first)["duplicate"] is True
    second = order("ret-2", [("_7g3g8555", 2, 23)], status=4, original_order="orig", mobile=None)
    result = process_order(service, "foodics", second)
    assert _moved(result, "reversed") == {"points": 40, "stamps": 1, "cashback": 2.0}
    assert _balances(service) == {"points": 0, "stamps": 0, "cashback": 0}
    extra = order("ret-3", [("_7g3g8555", 1, 23)], status=5, original_order="orig")
    assert process_order(service, "foodics", extra)["loyalty"]["reason"] == "already_processed"


def test_unlinked_return_is_a_business_rule_violation(service: LoyaPro) -> None:
    body = order("ret", [("_7g3g8555", 1, 23)], status=5, original_order="nope")
    with pytest.raises(DomainError) as caught:
        process_order(service, "foodics", body)
    error = caught.value
    assert (error.status, error.code) == (422, "business_rule_violated")
    assert [(v.pointer, v.rule) for v in error.errors] == [
        ("/order/original_order/id", "order.return_unlinked")
    ]
    lenient = process_order(service, "foodics", body, lenient=True)
    assert lenient["loyalty"]["reason"] == "unlinked_return"
    assert [v["rule"] for v in lenient["violations"]] == ["order.return_unlinked"]


def test_balances_never_go_below_zero(service: LoyaPro) -> None:
    body = order("o1", [("_7g3g8555", 3, 23)])
    process_order(service, "foodics", body)  # cashback 3.00
    code = convert_cashback(service, "440810", DOCS_MOBILE, amount=2.5)
    assert (code["kind"], code["discount_amount"], code["program"]) == ("fixed_amount", 2.5, "cashback")
    voided = process_order(service, "foodics", with_status(body, 7))
    cashback = next(m for m in voided["loyalty"]["reversed"] if m["program"] == "cashback")
    assert (cashback["amount"], cashback["balance"]) == (0.5, 0.0)
    assert "never go below zero" in cashback["reason"]
    assert _balances(service) == {"points": 0, "stamps": 0, "cashback": 0}


def test_rule_violations_reject_the_order_and_change_nothing(service: LoyaPro) -> None:
    body = order("o1", [("_7g3g8555", 1, 23)], mobile="509990000")
    body["order"]["total_price"] = 30
    with pytest.raises(DomainError) as caught:
        process_order(service, "foodics", body)
    assert caught.value.code == "business_rule_violated"
    assert {v.rule for v in caught.value.errors} == {"money.order_total", "money.payments"}
    with pytest.raises(DomainError) as missing:
        customer_view(service, "509990000")
    assert (missing.value.status, missing.value.code) == (404, "customer_not_found")


def test_lenient_mode_processes_and_reports(service: LoyaPro) -> None:
    body = order("o1", [("_7g3g8555", 1, 23)])
    body["order"]["subtotal_price"] = 1
    result = process_order(service, "foodics", body, lenient=True)
    assert [v["rule"] for v in result["violations"]] == ["money.subtotal"]
    assert _moved(result, "earned")["points"] == 1  # earned on the subtotal as sent


def test_unknown_business_and_wrong_pos(service: LoyaPro) -> None:
    with pytest.raises(DomainError) as unknown:
        process_order(service, "foodics", order("o1", [("x", 1, 1)], business=123))
    assert (unknown.value.status, unknown.value.code) == (422, "unknown_business")
    assert "440810 (foodics)" in unknown.value.detail
    with pytest.raises(DomainError) as wrong_pos:
        process_order(service, "square", docs_order())
    assert wrong_pos.value.code == "unknown_business"
    assert "connected to POS 'foodics'" in wrong_pos.value.detail


def test_auto_register_accepts_a_new_business(make_service: ServiceFactory) -> None:
    service = make_service(auto_register=True)
    result = process_order(service, "square", order("o1", [("x", 1, 23)], business="B-7"))
    assert result["business_reference"] == "B-7"
    assert [b["pos_name"] for b in businesses(service) if b["reference"] == "B-7"] == ["square"]


def test_order_without_id_is_refused(service: LoyaPro) -> None:
    body = docs_order()
    del body["order"]["id"]
    with pytest.raises(DomainError) as caught:
        process_order(service, "foodics", body, lenient=True)
    assert (caught.value.code, caught.value.errors[0].pointer) == ("validation_failed", "/order/id")


def test_stamps_threshold_issues_a_products_code(make_service: ServiceFactory) -> None:
    service = make_service({"440810": {"stamps": {"threshold": 2, "reward_products": ["_7g3g8555"]}}})
    process_order(service, "foodics", order("o1", [("_7g3g8555", 1, 23)]))
    result = process_order(service, "foodics", order("o2", [("_8a2k1m90", 1, 18)]))
    (reward,) = result["rewards_issued"]
    assert (reward["kind"], reward["type"], reward["program"], reward["status"]) == (
        "products",
        2,
        "stamps",
        "issued",
    )
    assert reward["allowed_products"] == [{"id": "_7g3g8555", "sku": "prd_7g3g8555", "name": "blue north"}]
    assert _balances(service)["stamps"] == 0
    codes = [r["code"] for r in customer_view(service, DOCS_MOBILE)["rewards"]]
    assert reward["code"] in codes


def test_cashback_wallet_becomes_a_fixed_amount_code(make_service: ServiceFactory) -> None:
    service = make_service({"defaults": {"cashback": {"issue_code_at": 2.5}}})
    result = process_order(service, "foodics", order("o1", [("_7g3g8555", 3, 23)]))
    (reward,) = result["rewards_issued"]
    assert (reward["kind"], reward["discount_amount"], reward["is_percent"]) == ("fixed_amount", 3.0, False)
    assert _balances(service)["cashback"] == 0
    kinds = [e["kind"] for e in customer_view(service, DOCS_MOBILE)["ledger"] if e["program"] == "cashback"]
    assert kinds == ["earn", "convert"]


def test_subscription_grants_one_entitlement_per_period(service: LoyaPro) -> None:
    noura = "501234567"
    seeded = [r for r in customer_view(service, noura)["rewards"] if r["program"] == "subscriptions"]
    assert len(seeded) == 1
    same_day = process_order(service, "foodics", order("n1", [("_7g3g8555", 1, 23)], mobile=noura))
    assert same_day["rewards_issued"] == []
    advance_clock(service, 24 * 3600)
    next_day = process_order(service, "foodics", order("n2", [("_7g3g8555", 1, 23)], mobile=noura))
    (entitlement,) = next_day["rewards_issued"]
    assert (entitlement["kind"], entitlement["program"]) == ("products", "subscriptions")
    assert entitlement["expires_at"] == "2023-01-03T15:00:00.000Z"
    assert _moved(next_day, "earned")["subscriptions"] == 1


@pytest.mark.parametrize(
    "payload",
    [
        {},
        [],
        "x",
        {"order": []},
        {"business": {"reference": 440810}, "order": {"id": "g1"}},
        {
            "business": {"reference": 440810},
            "order": {
                "id": "g2",
                "status": 2**63 + 5,
                "customer": {"phone": 5, "dial_code": []},
                "original_order": "x",
            },
        },
        {
            "business": {"reference": 440810},
            "order": {
                "id": "g3",
                "status": 4,
                "subtotal_price": 1e308,
                "total_price": 1e308,
                "customer": {"dial_code": 966, "phone": "557937530", "name": {"a": 1}},
                "products": [{"quantity": "1"}, None, {"product": [], "returned_quantity": 1e308}],
            },
        },
    ],
)
def test_garbage_orders_never_crash_in_lenient_mode(service: LoyaPro, payload: Any) -> None:
    try:
        result = process_order(service, "foodics", payload, lenient=True)
    except DomainError as exc:
        assert exc.status == 422
    else:
        assert result["status"] in ("Initiated", "Paid", "Void", "Refunded")
