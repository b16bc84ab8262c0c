"""The admin API under /__admin/: health, reset, rewards, customers, clock."""

from __future__ import annotations

from typing import Any

from support.payloads import DEMO_CODES, DOCS_CUSTOMER, lookup_body
from support.webhooks import ORDER_URL, REWARD_URL, auth_headers, dumps

from .support import balances, journal

JSON = {"Content-Type": "application/json"}


async def test_health_reports_versions_and_clock(client: Any) -> None:
    response = await client.get("/__admin/health")
    assert response.status == 200
    health = await response.json()
    assert health["status"] == "ok"
    assert health["spec_version"] == "1.0.0"
    assert health["now"].endswith("Z")
    assert health["lenient"] is False


async def test_health_carries_a_state_marker_that_reset_and_clock_change(client: Any) -> None:
    start = (await (await client.get("/__admin/health")).json())["state"]
    assert (await client.post("/__admin/clock", json={"advance_seconds": 120})).status == 200
    moved = (await (await client.get("/__admin/health")).json())["state"]
    assert moved["state_id"] == start["state_id"]
    assert (moved["clock_offset_seconds"], moved["clock_moves"]) == (120.0, 1)
    assert moved["clock_moved_at"].endswith("Z")
    assert (await client.post("/__admin/reset")).status == 200
    after = (await (await client.get("/__admin/health")).json())["state"]
    assert after["state_id"] != start["state_id"]
    assert after["reset_count"] == start["reset_count"] + 1
    assert (after["clock_offset_seconds"], after["clock_moves"], after["clock_moved_at"]) == (0.0, 0, None)


async def test_issue_reward_then_look_it_up(client: Any, token: str) -> None:
    body = {
        "kind": "fixed_amount",
        "business_reference": 440810,
        "customer_mobile_number": "0501234567",
        "mobile_country_code": "966",
        "code": "ADMIN-FIX-1",
        "discount_amount": 7.5,
    }
    response = await client.post("/__admin/rewards", json=body)
    assert response.status == 201, await response.text()
    issued = await response.json()
    assert issued["code"] == "ADMIN-FIX-1"
    assert issued["kind"] == "fixed_amount"
    assert issued["status"] == "issued"
    lookup = lookup_body("ADMIN-FIX-1", customer_mobile_number="501234567")
    found = await client.post(REWARD_URL, data=dumps(lookup), headers=auth_headers(token))
    assert found.status == 200, await found.text()
    reward = await found.json()
    assert reward["discount_amount"] == 7.5
    assert reward["is_percent"] is False


async def test_issue_reward_with_a_bad_kind_is_422(client: Any) -> None:
    body = {"kind": "voucher", "business_reference": 440810, "customer_mobile_number": DOCS_CUSTOMER}
    response = await client.post("/__admin/rewards", json=body)
    assert response.status == 422
    problem = await response.json()
    assert problem["code"] == "validation_failed"
    assert problem["errors"][0]["pointer"] == "/kind"


async def test_issue_reward_for_an_unknown_business_is_422(client: Any) -> None:
    body = {"kind": "percentage", "business_reference": 999, "customer_mobile_number": DOCS_CUSTOMER}
    response = await client.post("/__admin/rewards", json=body)
    assert response.status == 422
    assert (await response.json())["code"] == "unknown_business"


async def test_admin_body_errors_are_problems(client: Any) -> None:
    broken = await client.post("/__admin/rewards", data=b"{", headers=JSON)
    assert broken.status == 400
    assert (await broken.json())["code"] == "malformed_json"
    wrong_type = await client.post("/__admin/clock", data=b"{}", headers={"Content-Type": "text/plain"})
    assert wrong_type.status == 415


async def test_customer_view_and_unknown_customer(client: Any) -> None:
    response = await client.get(f"/__admin/customers/+966{DOCS_CUSTOMER}")
    assert response.status == 200, await response.text()
    view = await response.json()
    assert view["customer"]["customer_mobile_number"] == DOCS_CUSTOMER
    assert set(DEMO_CODES.values()) <= {r["code"] for r in view["rewards"]}
    missing = await client.get("/__admin/customers/599999999")
    assert missing.status == 404
    assert (await missing.json())["code"] == "customer_not_found"


async def test_clock_expires_a_reward(client: Any, token: str) -> None:
    body = {
        "kind": "percentage",
        "business_reference": "440810",
        "customer_mobile_number": DOCS_CUSTOMER,
        "code": "SOON-GONE",
        "discount_amount": 10,
        "expires_in_seconds": 60,
    }
    assert (await client.post("/__admin/rewards", json=body)).status == 201
    before = await client.post(REWARD_URL, data=dumps(lookup_body("SOON-GONE")), headers=auth_headers(token))
    assert before.status == 200
    moved = await client.post("/__admin/clock", json={"advance_seconds": 120})
    assert moved.status == 200
    assert (await moved.json())["now"] > (await before.json())["expires_at"]
    after = await client.post(REWARD_URL, data=dumps(lookup_body("SOON-GONE")), headers=auth_headers(token))
    assert after.status == 410
    assert (await after.json())["code"] == "reward_expired"


async def test_clock_refuses_to_run_a_century_ahead(client: Any) -> None:
    response = await client.post("/__admin/clock", json={"advance_seconds": 1e308})
    assert response.status == 422
    assert (await response.json())["errors"][0]["pointer"] == "/advance_seconds"
    negative = await client.post("/__admin/clock", json={"advance_seconds": -1})
    assert negative.status == 422
    health = await client.get("/__admin/health")
    assert health.status == 200


async def test_reset_forgets_state_and_reloads_the_demo(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    order = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))
    assert order.status == 200
    assert (await balances(client))["points"] > 0
    await client.post("/__admin/clock", json={"advance_seconds": 3600})
    response = await client.post("/__admin/reset")
    assert response.status == 200
    result = await response.json()
    assert result["reset"] is True
    assert result["demo"]["codes"] == DEMO_CODES
    assert await journal(client) == []
    assert await balances(client) == {"points": 0, "stamps": 0, "cashback": 0}
    lookup = await client.post(
        REWARD_URL, data=dumps(lookup_body(DEMO_CODES["products"])), headers=auth_headers(token)
    )
    assert lookup.status == 200, await lookup.text()


async def test_admin_calls_are_not_journaled(client: Any) -> None:
    await client.get("/__admin/health")
    await client.get(f"/__admin/customers/{DOCS_CUSTOMER}")
    assert await journal(client) == []
