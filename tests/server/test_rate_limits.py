"""Rate limits per POS token and per business: 429 with Retry-After and the RateLimit fields,
set by the setting or for a step through the admin API, counted in the store."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from loyapro_mock.mockserver.domain.rate_limits import (
    RateLimitError,
    RatePolicy,
    admit,
    parse_rate_limit,
    rate_limit_text,
)
from loyapro_mock.mockserver.http.app import create_app
from loyapro_mock.mockserver.http.pipeline.auth import issue_token
from loyapro_mock.mockserver.http.settings import DEFAULT_SECRET, Settings, SettingsError
from loyapro_mock.mockserver.store.sqlite.store import SqliteStore

from support.webhooks import auth_headers

ORDER_URL = "/pos/1.0.0/foodics/order"


def _order(docs_order: dict[str, Any], order_id: str, business: int = 440810) -> dict[str, Any]:
    return {
        **docs_order,
        "business": {**docs_order["business"], "reference": business},
        "order": {**docs_order["order"], "id": order_id},
    }


# -- the limit as written -----------------------------------------------------------------


def test_a_limit_reads_as_calls_per_period_for_both_scopes_or_each() -> None:
    assert parse_rate_limit("5/s") == (RatePolicy("pos", 5, 1.0), RatePolicy("business", 5, 1.0))
    assert parse_rate_limit("pos=5/s, business=100/min") == (
        RatePolicy("pos", 5, 1.0),
        RatePolicy("business", 100, 60.0),
    )
    assert parse_rate_limit("business=10/30s") == (RatePolicy("business", 10, 30.0),)
    assert parse_rate_limit("off") == parse_rate_limit(None) == ()
    assert rate_limit_text(parse_rate_limit("pos=1000/h")) == "pos=1000/h"


@pytest.mark.parametrize("text", ["5", "5/fortnight", "0/s", "till=5/s", "pos=5/s,pos=6/s"])
def test_a_limit_that_does_not_parse_says_how_to_write_one(text: str) -> None:
    with pytest.raises(RateLimitError):
        parse_rate_limit(text)


def test_the_setting_comes_from_the_environment_and_is_checked() -> None:
    settings = Settings.resolve(env={"LOYAPRO_MOCK_RATE_LIMIT": "5/s"}, db=":memory:")
    assert settings.rate_limit == "5/s"
    with pytest.raises(SettingsError, match="rate_limit: '5 per second' is not a rate limit"):
        Settings.resolve(env={}, db=":memory:", rate_limit="5 per second")


def test_the_log_counts_within_the_window_and_refused_calls_are_not_counted() -> None:
    policies = parse_rate_limit("pos=2/s")
    with SqliteStore(":memory:") as store, store.transaction() as tx:
        keys = {"pos": "foodics:abc"}
        assert [admit(tx, policies, keys, t).allowed for t in (10.0, 10.2, 10.4, 10.9)] == [
            True,
            True,
            False,
            False,
        ]
        refused = admit(tx, policies, keys, 10.95)
        assert refused.retry_after == pytest.approx(0.05)
        assert refused.refused_by == (policies[0], "foodics:abc")
        later = admit(tx, policies, keys, 11.05)  # the first call left the window
        assert (later.allowed, later.remaining) == (True, (0,))
        assert admit(tx, policies, {"pos": None}, 11.1).allowed  # nothing to count by


# -- over HTTP -------------------------------------------------------------------------------


@pytest.fixture
async def limited(aiohttp_client: Any) -> TestClient[Any, Any]:
    """The mock with ``rate_limit: 5/s``."""
    client: TestClient[Any, Any] = await aiohttp_client(create_app(Settings(db=":memory:", rate_limit="5/s")))
    return client


async def test_the_sixth_order_in_a_second_gets_429_with_retry_after(
    limited: TestClient[Any, Any], token: str, docs_order: dict[str, Any]
) -> None:
    answers = []
    for i in range(6):
        response = await limited.post(
            ORDER_URL, json=_order(docs_order, f"r-{i}"), headers=auth_headers(token)
        )
        answers.append((response.status, response.headers.get("RateLimit"), await response.json()))
    assert [status for status, _, _ in answers] == [200] * 5 + [429]
    assert answers[0][1] == '"pos";r=4;t=1, "business";r=4;t=1'
    _, remaining, body = answers[5]
    assert body["code"] == "rate_limited" and remaining == '"pos";r=0;t=1, "business";r=0;t=1'
    assert "5/s per POS token" in body["detail"] and "Retry-After" in body["detail"]
    last = await limited.post(ORDER_URL, json=_order(docs_order, "r-6"), headers=auth_headers(token))
    assert last.headers["Retry-After"] == "1"
    assert last.headers["RateLimit-Policy"] == '"pos";q=5;w=1, "business";q=5;w=1'
    orders = await (await limited.get("/__admin/orders", params={"id": "r-5"})).json()
    assert orders["orders"] == []  # refused: nothing applied
    await asyncio.sleep(1.05)
    after = await limited.post(ORDER_URL, json=_order(docs_order, "r-5"), headers=auth_headers(token))
    assert after.status == 200


async def test_tokens_and_businesses_are_counted_apart(
    aiohttp_client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    client = await aiohttp_client(create_app(Settings(db=":memory:", rate_limit="pos=2/min,business=3/min")))
    other = issue_token(DEFAULT_SECRET, "foodics", iat=1)
    statuses = []
    for i, (tok, business) in enumerate(
        [(token, 440810), (token, 440810), (token, 440810), (other, 440810), (other, 440810), (other, 777)]
    ):
        response = await client.post(
            ORDER_URL, json=_order(docs_order, f"t-{i}", business), headers=auth_headers(tok)
        )
        statuses.append((response.status, (await response.json()).get("code")))
    assert statuses == [
        (200, None),
        (200, None),
        (429, "rate_limited"),  # the first token's 2 per minute
        (200, None),  # another token; the business's third call
        (429, "rate_limited"),  # the business's 3 per minute (a refused call is not counted)
        (200, None),  # the second token's second call, in another business
    ]
    detail = (
        await (
            await client.post(ORDER_URL, json=_order(docs_order, "t-9"), headers=auth_headers(other))
        ).json()
    )["detail"]
    assert "2/min per POS token" in detail  # the second token's third call


async def test_a_step_switches_the_limit_on_and_off_through_the_admin_api(
    aiohttp_client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    client = await aiohttp_client(create_app(Settings(db=":memory:")))
    view = await (await client.get("/__admin/rate-limit")).json()
    assert view == {"rate_limit": "off", "source": "setting", "policies": []}
    first = await client.post(ORDER_URL, json=_order(docs_order, "a-0"), headers=auth_headers(token))
    assert "RateLimit" not in first.headers  # off by default: no counting at all
    bad = await client.put("/__admin/rate-limit", json={"rate_limit": "lots"})
    assert bad.status == 422 and (await bad.json())["errors"][0]["pointer"] == "/rate_limit"
    put = await client.put("/__admin/rate-limit", json={"rate_limit": "business=1/min"})
    assert (await put.json())["policies"] == [{"scope": "business", "quota": 1, "window_seconds": 60.0}]
    statuses = [
        (await client.post(ORDER_URL, json=_order(docs_order, f"a-{i}"), headers=auth_headers(token))).status
        for i in (1, 2)
    ]
    assert statuses == [200, 429]
    cleared = await (await client.delete("/__admin/rate-limit")).json()
    assert cleared["source"] == "setting" and cleared["rate_limit"] == "off"
    again = await client.post(ORDER_URL, json=_order(docs_order, "a-3"), headers=auth_headers(token))
    assert again.status == 200
    journal = await (await client.get("/__admin/requests")).json()
    assert [e["status"] for e in journal["requests"]] == [200, 200, 429, 200]


async def test_off_set_through_the_admin_api_beats_the_setting(
    limited: TestClient[Any, Any], token: str, docs_order: dict[str, Any]
) -> None:
    await limited.put("/__admin/rate-limit", json={"rate_limit": "off"})
    assert (await (await limited.get("/__admin/rate-limit")).json())["source"] == "admin"
    statuses = {
        (await limited.post(ORDER_URL, json=_order(docs_order, f"o-{i}"), headers=auth_headers(token))).status
        for i in range(8)
    }
    assert statuses == {200}
