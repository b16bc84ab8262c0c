"""Whole flows over HTTP: the docs' own request, earn and void, redeem and release, races."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from loyapro_mock.mockserver.http.settings import DOCS_SAMPLE_TOKEN

from support.payloads import DEMO_CODES, DOCS_CUSTOMER, redeem_body
from support.webhooks import ORDER_URL, REDEEM_URL, auth_headers, dumps

from .support import balances, journal

FIXED = DEMO_CODES["fixed_amount"]


def with_loyalty_discount(order: dict[str, Any], code: str, amount: float) -> dict[str, Any]:
    """The docs' order carrying an order-level loyalty redemption of ``amount``."""
    body = copy.deepcopy(order)
    inner = body["order"]
    inner["discount"] = {
        "name": "loyalty",
        "reason": "Loyalty Redemption",
        "reward_code": code,
        "amount": amount,
    }
    inner["discount_amount"] = amount
    inner["total_price"] = round(inner["total_price"] - amount, 5)
    inner["payments"][0]["amount"] = inner["total_price"]
    inner["payments"][0]["tendered"] = inner["total_price"]
    return body


def with_status(order: dict[str, Any], status: int) -> dict[str, Any]:
    body = copy.deepcopy(order)
    body["order"]["status"] = status
    body["event"] = "customer.order.updated"
    return body


async def test_docs_nodejs_example_is_accepted_as_written(client: Any, docs_order: dict[str, Any]) -> None:
    """LoyaPro's sample: their bearer token, Content-Type JSON, no Accept header, a cookie."""
    docs_order["business"]["name"] = "north coffee"  # the snippet's body differs only here
    headers = {
        "cookie": "ARRAffinity=35fbc4bf1e1481cf080cbb56028396449132b7b3e0d1ed88b47e0f5a8250823d",
        "Authorization": f"Bearer {DOCS_SAMPLE_TOKEN}",
        "Content-Type": "application/json",
    }
    response = await client.post(
        ORDER_URL, data=dumps(docs_order), headers=headers, skip_auto_headers=["Accept"]
    )
    assert response.status == 200, await response.text()
    result = await response.json()
    assert result["status"] == "Paid"
    assert result["duplicate"] is False
    assert result["customer"]["customer_mobile_number"] == DOCS_CUSTOMER
    [entry] = await journal(client)
    assert entry["verdict"] == "accepted"
    # accepted, but without 'Accept: application/json' certification would fail it
    assert [(v["rule"], v["severity"]) for v in entry["violations"]] == [("header.accept", "warning")]


async def test_same_order_twice_is_a_duplicate_that_changes_nothing(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    first = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))
    after_first = await balances(client)
    second = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))
    assert second.status == 200
    assert (await first.json())["duplicate"] is False
    assert (await second.json())["duplicate"] is True
    assert await balances(client) == after_first


async def test_paid_then_void_moves_balances_and_releases_the_redeemed_code(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    before = await balances(client)
    order_id = docs_order["order"]["id"]
    redeem = await client.post(
        REDEEM_URL, data=dumps(redeem_body(FIXED, order_id, 10)), headers=auth_headers(token)
    )
    assert redeem.status == 200, await redeem.text()
    assert (await redeem.json())["replay"] is False

    paid_order = with_loyalty_discount(docs_order, FIXED, 10)
    paid = await client.post(ORDER_URL, data=dumps(paid_order), headers=auth_headers(token))
    assert paid.status == 200, await paid.text()
    assert (await paid.json())["status"] == "Paid"
    grown = await balances(client)
    assert grown["points"] > before.get("points", 0)
    assert grown["stamps"] > before.get("stamps", 0)

    void = await client.post(ORDER_URL, data=dumps(with_status(paid_order, 7)), headers=auth_headers(token))
    assert void.status == 200, await void.text()
    result = await void.json()
    assert result["status"] == "Void"
    assert FIXED in [r.get("reward_code", r.get("code")) for r in result["redemptions_released"]]
    after = await balances(client)
    for program in ("points", "stamps", "cashback"):
        assert after.get(program, 0) == before.get(program, 0), program

    again = await client.post(
        REDEEM_URL, data=dumps(redeem_body(FIXED, "another-order-1", 10)), headers=auth_headers(token)
    )
    assert again.status == 200, await again.text()
    assert (await again.json())["order_id"] == "another-order-1"


async def test_retried_redeem_replays_and_another_order_conflicts(client: Any, token: str) -> None:
    body = dumps(redeem_body(FIXED, "order-a", 10))
    first = await client.post(REDEEM_URL, data=body, headers=auth_headers(token))
    retry = await client.post(REDEEM_URL, data=body, headers=auth_headers(token))
    assert first.status == retry.status == 200
    first_body, retry_body = await first.json(), await retry.json()
    assert retry_body["replay"] is True
    assert retry_body["redemption_id"] == first_body["redemption_id"]
    other = await client.post(
        REDEEM_URL, data=dumps(redeem_body(FIXED, "order-b", 10)), headers=auth_headers(token)
    )
    assert other.status == 409
    problem = await other.json()
    assert problem["code"] == "reward_already_redeemed"
    assert "order-a" in problem["detail"]


async def test_redeem_refusals_have_distinct_codes(client: Any, token: str) -> None:
    cases = [
        (redeem_body("NOPE-1234", "o1", 1), 404, "reward_not_found"),
        (redeem_body(FIXED, "o1", 50), 422, "discount_exceeds_reward"),
        (
            redeem_body(FIXED, "o1", 1, customer_mobile_number="501234567"),
            422,
            "reward_not_valid_for_customer",
        ),
    ]
    for body, status, code in cases:
        response = await client.post(REDEEM_URL, data=dumps(body), headers=auth_headers(token))
        assert response.status == status, (code, await response.text())
        assert (await response.json())["code"] == code


async def test_fifty_concurrent_redeems_of_one_code_redeem_it_once(client: Any, token: str) -> None:
    bodies = [dumps(redeem_body(FIXED, f"race-order-{i}", 10)) for i in range(50)]
    responses = await asyncio.gather(
        *(client.post(REDEEM_URL, data=body, headers=auth_headers(token)) for body in bodies)
    )
    statuses = sorted(r.status for r in responses)
    assert statuses == [200] + [409] * 49
    codes = {(await r.json())["code"] for r in responses if r.status == 409}
    assert codes == {"reward_already_redeemed"}
    view = await (await client.get(f"/__admin/customers/{DOCS_CUSTOMER}")).json()
    redeemed = [e for e in view["ledger"] if e["kind"] == "redeem" and e["reward_code"] == FIXED]
    assert len(redeemed) == 1
    [reward] = [r for r in view["rewards"] if r["code"] == FIXED]
    assert reward["status"] == "redeemed"
    assert len(await journal(client, operation="redeem", verdict="accepted")) == 1


async def test_configured_programs_drive_the_earnings(
    make_client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    client = await make_client(programs={"440810": {"points": {"per_unit": 3}}})
    response = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))
    assert response.status == 200, await response.text()
    earned = {e["program"]: e["amount"] for e in (await response.json())["loyalty"]["earned"]}
    assert earned["points"] == 62  # floor(3 x 20.86957 pre-tax)
    assert (await balances(client))["points"] == 62
