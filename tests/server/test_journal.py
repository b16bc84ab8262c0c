"""The journal: every webhook call is recorded, and GET /__admin/requests filters it."""

from __future__ import annotations

from typing import Any

import pytest

from loyapro_mock.mockserver.http.pipeline.auth import issue_token
from loyapro_mock.mockserver.http.settings import DEFAULT_SECRET

from support.payloads import DEMO_CODES, lookup_body
from support.webhooks import ORDER_URL, REWARD_URL, auth_headers, dumps

from .support import journal


@pytest.fixture
async def traffic(client: Any, token: str, docs_order: dict[str, Any]) -> Any:
    """Three calls: an accepted order, a rejected lookup (404), a call from another POS."""
    ok = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))
    assert ok.status == 200
    missing = await client.post(REWARD_URL, data=dumps(lookup_body("NOPE-0000")), headers=auth_headers(token))
    assert missing.status == 404
    other = issue_token(DEFAULT_SECRET, "marn")
    refused = await client.post(
        "/pos/1.0.0/marn/reward", data=dumps(lookup_body("X")), headers=auth_headers(other)
    )
    assert refused.status == 422
    return client


async def test_each_entry_has_request_response_verdict_and_duration(
    traffic: Any, token: str, docs_order: dict[str, Any]
) -> None:
    first, second, third = await journal(traffic)
    assert first["operation"] == "order"
    assert first["pos"] == "foodics"
    assert first["method"] == "POST"
    assert first["path"] == ORDER_URL
    assert first["status"] == 200
    assert first["verdict"] == "accepted"
    assert first["violations"] == []
    assert first["duration_ms"] > 0
    assert first["received_at"].endswith("Z")
    assert first["request"]["body"] == docs_order
    assert first["request"]["headers"]["Authorization"] == f"Bearer {token}"
    assert first["response"]["status"] == 200
    assert first["response"]["body"]["status"] == "Paid"
    assert second["response"]["body"]["code"] == "reward_not_found"
    assert second["verdict"] == "rejected"
    assert first["id"] < second["id"] < third["id"]


async def test_filter_by_pos_operation_and_verdict(traffic: Any) -> None:
    assert [e["pos"] for e in await journal(traffic, pos="marn")] == ["marn"]
    assert [e["operation"] for e in await journal(traffic, operation="reward")] == ["reward", "reward"]
    accepted = await journal(traffic, verdict="accepted")
    assert [e["operation"] for e in accepted] == ["order"]
    rejected = await journal(traffic, verdict="rejected", pos="foodics")
    assert [e["status"] for e in rejected] == [404]


async def test_filter_since_an_id_or_an_instant(traffic: Any) -> None:
    entries = await journal(traffic)
    since_id = await journal(traffic, since=str(entries[1]["id"]))
    assert [e["id"] for e in since_id] == [entries[1]["id"], entries[2]["id"]]
    since_instant = await journal(traffic, since=entries[2]["received_at"])
    assert [e["id"] for e in since_instant] == [
        e["id"] for e in entries if e["received_at"] >= entries[2]["received_at"]
    ]
    future = await journal(traffic, since="2999-01-01T00:00:00+03:00")
    assert future == []


async def test_limit_keeps_the_oldest(traffic: Any) -> None:
    entries = await journal(traffic, limit="2")
    assert len(entries) == 2
    assert entries[0]["operation"] == "order"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("verdict", "maybe"),
        ("operation", "refund"),
        ("since", "yesterday"),
        ("limit", "0"),
        ("limit", "lots"),
    ],
)
async def test_bad_query_is_400_invalid_query(client: Any, name: str, value: str) -> None:
    response = await client.get("/__admin/requests", params={name: value})
    assert response.status == 400
    problem = await response.json()
    assert problem["code"] == "invalid_query"
    assert name in problem["detail"]


async def test_lookup_does_not_change_the_reward(client: Any, token: str) -> None:
    body = dumps(lookup_body(DEMO_CODES["percentage"]))
    first = await (await client.post(REWARD_URL, data=body, headers=auth_headers(token))).json()
    second = await (await client.post(REWARD_URL, data=body, headers=auth_headers(token))).json()
    assert first == second
    assert first["status"] == "issued"
    assert len(await journal(client, operation="reward")) == 2
