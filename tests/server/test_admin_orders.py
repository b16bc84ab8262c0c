"""GET /__admin/orders and GET /__admin/rewards/{code}: the state the webhooks left behind."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from support.payloads import BUSINESS, DEMO_CODES, DOCS_CUSTOMER, redeem_body
from support.webhooks import ORDER_URL, REDEEM_URL, auth_headers, dumps

FIXED = DEMO_CODES["fixed_amount"]


def _with(order: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(order)
    body["order"].update(changes)
    body["event"] = "customer.order.updated"
    return body


async def _send(client: Any, token: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    response = await client.post(ORDER_URL, data=dumps(body), headers=auth_headers(token))
    assert response.status == status, await response.text()
    answer: dict[str, Any] = await response.json()
    return answer


async def _orders(client: Any, **query: str) -> list[dict[str, Any]]:
    response = await client.get("/__admin/orders", params=query)
    assert response.status == 200, await response.text()
    orders: list[dict[str, Any]] = (await response.json())["orders"]
    return orders


async def test_a_paid_order_is_held_paid_with_its_customer_and_what_it_earned(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    await _send(client, token, docs_order)
    [order] = await _orders(client)
    assert order["id"] == docs_order["order"]["id"]
    assert order["business_reference"] == str(BUSINESS)
    assert order["pos_name"] == "foodics"
    assert (order["status"], order["foodics_status"]) == ("Paid", 4)
    assert order["customer"]["customer_mobile_number"] == DOCS_CUSTOMER
    assert order["customer"]["mobile_country_code"] == "966"
    assert isinstance(order["customer"]["id"], int)
    assert order["total_price"] == 24
    assert (order["loyalty_state"], order["reversed_fraction"]) == ("earned", 0)
    assert order["original_order_id"] is None
    earned = {e["program"]: e["amount"] for e in order["ledger"] if e["kind"] == "earn"}
    assert earned["points"] == 20  # 1 point per unit before tax: floor(20.86957)
    assert {e["customer_id"] for e in order["ledger"]} == {order["customer"]["id"]}
    assert order["redemptions"] == []


async def test_a_void_shows_the_reversal_and_the_released_redemption(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    order_id = docs_order["order"]["id"]
    redeem = await client.post(
        REDEEM_URL, data=dumps(redeem_body(FIXED, order_id, 10)), headers=auth_headers(token)
    )
    assert redeem.status == 200, await redeem.text()
    await _send(client, token, docs_order)
    await _send(client, token, _with(docs_order, status=7))
    [order] = await _orders(client)
    assert (order["status"], order["loyalty_state"], order["reversed_fraction"]) == ("Void", "reversed", 1)
    points = [(e["kind"], e["amount"]) for e in order["ledger"] if e["program"] == "points"]
    assert points == [("earn", 20), ("reverse", -20)]
    assert [(e["kind"], e["amount"]) for e in order["ledger"] if e["program"] == "rewards"] == [
        ("redeem", 10),
        ("release", -10),
    ]
    [redemption] = order["redemptions"]
    assert (redemption["reward_code"], redemption["status"]) == (FIXED, "released")
    assert redemption["released_at"] is not None

    response = await client.get(f"/__admin/rewards/{FIXED}")
    assert response.status == 200, await response.text()
    state = await response.json()
    assert state["reward"]["status"] == "issued"
    assert [(r["order_id"], r["status"]) for r in state["redemptions"]] == [(order_id, "released")]


async def test_a_redeemed_code_names_its_order(client: Any, token: str) -> None:
    redeem = await client.post(
        REDEEM_URL, data=dumps(redeem_body(FIXED, "order-a", 10)), headers=auth_headers(token)
    )
    assert redeem.status == 200, await redeem.text()
    state = await (await client.get(f"/__admin/rewards/{FIXED}")).json()
    assert state["reward"]["status"] == "redeemed"
    [redemption] = state["redemptions"]
    assert (redemption["order_id"], redemption["status"], redemption["released_at"]) == (
        "order-a",
        "redeemed",
        None,
    )


async def test_an_unknown_code_is_404_reward_not_found(client: Any) -> None:
    response = await client.get("/__admin/rewards/NOPE-1")
    assert response.status == 404
    assert (await response.json())["code"] == "reward_not_found"


async def test_a_return_order_links_its_original_whose_earnings_are_reversed(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    original_id = docs_order["order"]["id"]
    await _send(client, token, docs_order)
    await _send(client, token, _with(docs_order, id="return-1", status=5, original_order={"id": original_id}))
    orders = {order["id"]: order for order in await _orders(client)}
    original, returned = orders[original_id], orders["return-1"]
    assert (returned["status"], returned["original_order_id"]) == ("Refunded", original_id)
    assert (returned["loyalty_state"], returned["ledger"]) == ("applied", [])
    assert (original["status"], original["reversed_fraction"]) == ("Paid", 1)
    points = [(e["kind"], e["amount"]) for e in original["ledger"] if e["program"] == "points"]
    assert points == [("earn", 20), ("reverse", -20)]


async def test_filters_keep_the_business_the_pos_and_the_customer(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    await _send(client, token, docs_order)
    other = _with(docs_order, id="order-2")
    other["order"]["customer"] = {**other["order"]["customer"], "phone": "0501234567"}
    await _send(client, token, other)
    assert len(await _orders(client, business=str(BUSINESS), pos="foodics")) == 2
    assert await _orders(client, business="999") == []
    assert await _orders(client, pos="square") == []
    mine = await _orders(client, customer=DOCS_CUSTOMER)
    assert [order["id"] for order in mine] == [docs_order["order"]["id"]]
    spelled = await _orders(client, customer="+966557937530", dial_code="966")
    assert [order["id"] for order in spelled] == [docs_order["order"]["id"]]
    assert await _orders(client, customer="501234567", business="999") == []
    assert await _orders(client, customer="599999999") == []
    assert await _orders(client, customer="000000") == []  # not a mobile: nobody's orders


async def test_since_keeps_orders_updated_from_then_and_limit_keeps_the_first(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    await _send(client, token, docs_order)
    await _send(client, token, _with(docs_order, id="order-2"))
    assert len(await _orders(client, since="2000-01-01T00:00:00Z")) == 2
    assert len(await _orders(client, since="0001-01-01T00:00:00+05:00")) == 2
    assert await _orders(client, since="9999-12-31T23:59:59-05:00") == []
    assert await _orders(client, since="2999-01-01T00:00:00.5+03:00") == []
    assert len(await _orders(client, since="2000-01-01t00:00:00z")) == 2  # RFC 3339 allows t, z
    assert len(await _orders(client, since="2016-12-31T23:59:60Z")) == 2  # and a leap second
    [first] = await _orders(client, limit="1")
    assert first["id"] == docs_order["order"]["id"]  # least recently updated first
    await _send(client, token, _with(docs_order, status=7))
    first, voided = await _orders(client)
    assert (first["id"], voided["status"]) == ("order-2", "Void")
    since = voided["updated_at"]
    recent = await _orders(client, since=since)
    assert voided["id"] in [order["id"] for order in recent]
    assert all(order["updated_at"] >= since for order in recent)


async def test_ids_keep_those_orders_whenever_they_last_changed(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    await _send(client, token, docs_order)
    await _send(client, token, _with(docs_order, id="order-2"))
    await _send(client, token, _with(docs_order, id="order-3"))
    response = await client.get(
        "/__admin/orders", params=[("id", "order-3"), ("id", docs_order["order"]["id"])]
    )
    assert response.status == 200, await response.text()
    orders = (await response.json())["orders"]
    assert sorted(order["id"] for order in orders) == sorted(["order-3", docs_order["order"]["id"]])
    assert await _orders(client, id="nope") == []


async def test_at_most_25_ids_are_taken_so_the_url_fits_the_request_line(client: Any) -> None:
    response = await client.get("/__admin/orders", params=[("id", f"order-{i}") for i in range(26)])
    assert response.status == 400
    problem = await response.json()
    assert problem["code"] == "invalid_query"
    assert "at most 25 ids" in problem["detail"]
    fine = await client.get("/__admin/orders", params=[("id", f"order-{i}") for i in range(25)])
    assert fine.status == 200


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", "0"),
        ("limit", "10001"),
        ("limit", "ten"),
        ("since", "yesterday"),
        ("since", "2024-01-31"),
        ("since", "2024-13-31T12:00:00Z"),
        ("since", "2024-01-31T12:00:00 03:00"),
        ("customer", "abc"),
        ("customer", "55 793 7530"),
        ("dial_code", "abc"),
        ("dial_code", "0"),
        ("business", ""),
        ("business", "4" * 65),
        ("pos", ""),
        ("id", ""),
        ("id", "order 1"),
        ("id", "x" * 65),
    ],
)
async def test_a_bad_query_parameter_is_400_invalid_query_naming_it(
    client: Any, name: str, value: str
) -> None:
    response = await client.get("/__admin/orders", params={name: value})
    assert response.status == 400
    problem = await response.json()
    assert problem["code"] == "invalid_query"
    assert f"{name}={value!r}" in problem["detail"]
