"""Warnings: what the mock accepts but certification fails, said on the answer itself.

A warning is a violation with ``severity: warning``: listed in the answer's ``violations``,
counted in ``X-LoyaPro-Mock-Violations`` and journaled, and it never makes a request fail.
"""

from __future__ import annotations

from typing import Any

import pytest

from support.payloads import DEMO_CODES, lookup_body, redeem_body
from support.webhooks import ORDER_URL, REDEEM_URL, REWARD_URL, auth_headers, dumps

from .support import journal

VIOLATIONS_HEADER = "X-LoyaPro-Mock-Violations"
FIXED = DEMO_CODES["fixed_amount"]


def _discounted(body: dict[str, Any], amount: float, reason: str = "Loyalty Redemption") -> dict[str, Any]:
    """The docs' order (24, paid in cash) with an order-level discount of ``amount``."""
    order = body["order"]
    order["discount_amount"] = amount
    order["discount"] = {"name": "LoyaPro", "reason": reason, "reward_code": FIXED, "amount": amount}
    order["total_price"] = 24 - amount
    order["payments"][0]["amount"] = order["payments"][0]["tendered"] = 24 - amount
    return body


async def _post(client: Any, url: str, body: Any, headers: dict[str, str]) -> tuple[Any, dict[str, Any]]:
    response = await client.post(url, data=dumps(body), headers=headers, skip_auto_headers=["Accept"])
    return response, await response.json()


def _warnings(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(v["rule"], v["pointer"]) for v in result["violations"] if v["severity"] == "warning"]


async def test_a_missing_accept_is_accepted_with_a_warning(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    headers = auth_headers(token)
    del headers["Accept"]
    response, result = await _post(client, ORDER_URL, docs_order, headers)
    assert response.status == 200
    [warning] = result["violations"]
    assert warning["rule"] == "header.accept"
    assert warning["severity"] == "warning"
    assert warning["message"].startswith("The request has no Accept header; LoyaPro requires")
    assert response.headers[VIOLATIONS_HEADER] == "1"
    [entry] = await journal(client)
    assert entry["verdict"] == "accepted"
    assert entry["violations"] == [warning]


@pytest.mark.parametrize("accept", ["*/*", "application/*"])
async def test_an_accept_that_allows_json_without_naming_it_is_warned_about(
    client: Any, token: str, accept: str
) -> None:
    response, result = await _post(client, REWARD_URL, lookup_body(FIXED), auth_headers(token, Accept=accept))
    assert response.status == 200
    assert result["code"] == FIXED
    assert _warnings(result) == [("header.accept", "")]
    assert f"The Accept header is {accept!r}" in result["violations"][0]["message"]
    assert response.headers[VIOLATIONS_HEADER] == "1"


async def test_accept_application_json_gets_no_warning(client: Any, token: str) -> None:
    response, result = await _post(client, REWARD_URL, lookup_body(FIXED), auth_headers(token))
    assert response.status == 200
    assert "violations" not in result
    assert VIOLATIONS_HEADER not in response.headers


async def test_a_refused_request_journals_its_warning_too(client: Any, token: str) -> None:
    headers = auth_headers(token)
    del headers["Accept"]
    await _post(client, REDEEM_URL, redeem_body(FIXED, "order-1", 5), auth_headers(token))
    response, problem = await _post(client, REDEEM_URL, redeem_body(FIXED, "order-2", 5), headers)
    assert (response.status, problem["code"]) == (409, "reward_already_redeemed")
    entry = (await journal(client))[-1]
    assert [(v["rule"], v["severity"]) for v in entry["violations"]] == [("header.accept", "warning")]


async def test_an_event_time_in_milliseconds_is_warned_about(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    docs_order["timestamp"] = 1672585625000
    response, result = await _post(client, ORDER_URL, docs_order, auth_headers(token))
    assert response.status == 200
    assert _warnings(result) == [("order.timestamp", "/timestamp")]
    message = result["violations"][0]["message"]
    assert "it looks like milliseconds (JavaScript's Date.now()); send 1672585625" in message


async def test_a_line_without_status_and_a_discount_without_reason_are_warned_about(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    del docs_order["order"]["products"][0]["status"]
    _discounted(docs_order, 4)
    docs_order["order"]["discount"] = None
    response, result = await _post(client, ORDER_URL, docs_order, auth_headers(token))
    assert response.status == 200
    assert _warnings(result) == [
        ("order.discount_reason", "/order/discount"),
        ("order.line_status", "/order/products/0/status"),
    ]
    assert result["violations"][0]["message"].startswith("discount_amount is 4 but the discount is null")
    assert response.headers[VIOLATIONS_HEADER] == "2"


async def test_a_paid_order_carrying_the_redeemed_discount_gets_no_warning(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    order_id = docs_order["order"]["id"]
    await _post(client, REDEEM_URL, redeem_body(FIXED, order_id, 10), auth_headers(token))
    response, result = await _post(client, ORDER_URL, _discounted(docs_order, 10), auth_headers(token))
    assert response.status == 200, result
    assert result["violations"] == []
    assert VIOLATIONS_HEADER not in response.headers


async def test_a_coupon_where_the_redemption_was_expected_is_warned_about(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    order_id = docs_order["order"]["id"]
    await _post(client, REDEEM_URL, redeem_body(FIXED, order_id, 10), auth_headers(token))
    body = _discounted(docs_order, 10, reason="Coupon")
    response, result = await _post(client, ORDER_URL, body, auth_headers(token))
    assert response.status == 200
    [warning] = result["violations"]
    assert (warning["rule"], warning["pointer"], warning["severity"]) == (
        "redemption.discount",
        "/order/discount",
        "warning",
    )
    assert warning["message"].startswith(
        "the order carries a Coupon discount of 10 where a Loyalty Redemption discount of 10 was "
        f"expected (redeemed on order {order_id}: {FIXED} for 10)"
    )
    [_, entry] = await journal(client)
    assert entry["violations"] == [warning]


async def test_a_discount_other_than_the_redeemed_amount_is_warned_about(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    order_id = docs_order["order"]["id"]
    await _post(client, REDEEM_URL, redeem_body(FIXED, order_id, 8), auth_headers(token))
    _, result = await _post(client, ORDER_URL, _discounted(docs_order, 10), auth_headers(token))
    [warning] = result["violations"]
    assert warning["message"].startswith(
        "the order carries a Loyalty Redemption discount of 10 where a Loyalty Redemption discount "
        "of 8 was expected"
    )


async def test_a_redemption_missing_from_the_paid_order_is_warned_about(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    order_id = docs_order["order"]["id"]
    await _post(client, REDEEM_URL, redeem_body(FIXED, order_id, 10), auth_headers(token))
    _, result = await _post(client, ORDER_URL, docs_order, auth_headers(token))
    [warning] = result["violations"]
    assert warning["rule"] == "redemption.discount"
    assert warning["message"].startswith(
        "the order carries no discount where a Loyalty Redemption discount of 10 was expected"
    )


async def test_a_loyalty_discount_redeemed_on_the_order_reference_says_so(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    order = docs_order["order"]
    reference = str(order["reference"])
    await _post(client, REDEEM_URL, redeem_body(FIXED, reference, 10), auth_headers(token))
    _, result = await _post(client, ORDER_URL, _discounted(docs_order, 10), auth_headers(token))
    [warning] = result["violations"]
    assert warning["rule"] == "redemption.discount"
    assert warning["message"].startswith(
        f"the order carries a Loyalty Redemption discount of 10 but no reward was redeemed on order "
        f"{order['id']}; code {FIXED} was redeemed on order {reference}; {reference} is the reference "
        f"of order {order['id']}, not its id"
    )


async def test_a_products_reward_discounting_another_product_is_warned_about(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    code = DEMO_CODES["products"]
    order_id = docs_order["order"]["id"]
    redeem = redeem_body(code, order_id, 18, product_id="_8a2k1m90")
    response, _ = await _post(client, REDEEM_URL, redeem, auth_headers(token))
    assert response.status == 200
    body = _discounted(docs_order, 18)
    body["order"]["discount"]["reward_code"] = code
    _, result = await _post(client, ORDER_URL, body, auth_headers(token))
    assert _warnings(result) == [("redemption.product", "/order/products")]
    assert result["violations"][0]["message"].startswith(
        f"reward {code} was redeemed for product _8a2k1m90 but the order carries a Loyalty "
        "Redemption discount of 18; put the Loyalty Redemption discount on the line of product _8a2k1m90"
    )


async def test_warnings_do_not_hide_errors_and_never_refuse(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    docs_order["timestamp"] = 1672585625000
    docs_order["order"]["total_price"] = 30
    response, problem = await _post(client, ORDER_URL, docs_order, auth_headers(token))
    assert (response.status, problem["code"]) == (422, "business_rule_violated")
    assert {(e["rule"], e["severity"]) for e in problem["errors"]} == {
        ("money.order_total", "error"),
        ("money.payments", "error"),
    }
    assert "2 business rule(s)" in problem["detail"]


async def test_lenient_findings_are_errors_and_warnings_stay_warnings(
    make_client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    client = await make_client(lenient=True)
    docs_order["timestamp"] = 1672585625000
    docs_order["order"]["total_price"] = 30
    response, result = await _post(client, ORDER_URL, docs_order, auth_headers(token, Accept="text/html"))
    assert response.status == 200
    severities = {v["rule"]: v["severity"] for v in result["violations"]}
    assert severities == {
        "header.accept": "error",
        "money.order_total": "error",
        "money.payments": "error",
        "order.timestamp": "warning",
    }
    assert response.headers[VIOLATIONS_HEADER] == "4"
