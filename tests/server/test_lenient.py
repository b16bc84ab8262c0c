"""Lenient mode: out-of-contract requests are accepted, and every violation is recorded."""

from __future__ import annotations

from typing import Any

from support.payloads import DEMO_CODES, lookup_body, redeem_body
from support.webhooks import ORDER_URL, REDEEM_URL, REWARD_URL, auth_headers, dumps

from .support import journal

VIOLATIONS_HEADER = "X-LoyaPro-Mock-Violations"


async def test_lenient_accepts_schema_violations_and_reports_them(
    make_client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    client = await make_client(lenient=True)
    docs_order["order"]["products"][0]["quantity"] = "1"
    docs_order["event"] = "customer.order.exploded"
    response = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))
    assert response.status == 200, await response.text()
    result = await response.json()
    rules = {(v["pointer"], v["rule"]) for v in result["violations"]}
    assert {("/event", "enum"), ("/order/products/0/quantity", "type")} <= rules
    assert int(response.headers[VIOLATIONS_HEADER]) == len(result["violations"])
    [entry] = await journal(client)
    assert entry["verdict"] == "accepted"
    assert {(v["pointer"], v["rule"]) for v in entry["violations"]} == rules


async def test_lenient_accepts_wrong_headers_and_records_them(make_client: Any, token: str) -> None:
    client = await make_client(lenient=True)
    headers = auth_headers(token, Accept="text/html", **{"Content-Type": "text/plain"})
    body = lookup_body(DEMO_CODES["fixed_amount"])
    response = await client.post(REWARD_URL, data=dumps(body), headers=headers)
    assert response.status == 200, await response.text()
    result = await response.json()
    assert result["code"] == DEMO_CODES["fixed_amount"]
    assert [v["rule"] for v in result["violations"]] == ["header.accept", "header.content_type"]
    [entry] = await journal(client, verdict="accepted")
    assert [v["rule"] for v in entry["violations"]] == ["header.accept", "header.content_type"]


async def test_lenient_records_business_rule_violations(
    make_client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    client = await make_client(lenient=True)
    docs_order["order"]["total_price"] = 30
    response = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))
    assert response.status == 200, await response.text()
    rules = {v["rule"] for v in (await response.json())["violations"]}
    assert "money.order_total" in rules
    [entry] = await journal(client)
    assert "money.order_total" in {v["rule"] for v in entry["violations"]}


async def test_strict_mode_rejects_business_rule_violations(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    docs_order["order"]["total_price"] = 30
    response = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))
    assert response.status == 422
    problem = await response.json()
    assert problem["code"] == "business_rule_violated"
    assert "money.order_total" in {e["rule"] for e in problem["errors"]}


async def test_lenient_too_broken_to_process_is_422_never_500(make_client: Any, token: str) -> None:
    client = await make_client(lenient=True)
    bodies: list[Any] = [[], {"order": "nope"}, {"business": 1, "order": {"id": 5, "products": 1}}]
    for body in bodies:
        response = await client.post(ORDER_URL, data=dumps(body), headers=auth_headers(token))
        assert response.status == 422, (body, await response.text())
        problem = await response.json()
        assert problem["code"] == "validation_failed"
        assert problem["errors"]


async def test_lenient_still_enforces_auth_size_and_json(make_client: Any, token: str) -> None:
    client = await make_client(lenient=True, max_body_bytes=100)
    no_token = await client.post(ORDER_URL, data=b"{}", headers={"Content-Type": "application/json"})
    assert no_token.status == 401
    broken = await client.post(ORDER_URL, data=b"{", headers=auth_headers(token))
    assert broken.status == 400
    large = await client.post(ORDER_URL, data=b" " * 101, headers=auth_headers(token))
    assert large.status == 413


async def test_lenient_keeps_a_domain_answer_for_a_body_with_violations(make_client: Any, token: str) -> None:
    client = await make_client(lenient=True)
    code = DEMO_CODES["fixed_amount"]
    first = await client.post(
        REDEEM_URL, data=dumps(redeem_body(code, "order-1", 5)), headers=auth_headers(token)
    )
    assert first.status == 200, await first.text()
    body = redeem_body(code, "order-2", 5, user_id=12345)  # a type lenient mode lets through
    second = await client.post(REDEEM_URL, data=dumps(body), headers=auth_headers(token))
    problem = await second.json()
    assert second.status == 409, problem  # the domain's answer, not "too far from the contract"
    assert problem["code"] == "reward_already_redeemed"
    entry = (await journal(client))[-1]
    assert ("/user_id", "type") in {(v["pointer"], v["rule"]) for v in entry["violations"]}
