"""The inspector: its page, the journal's event stream, and the listings the page reads."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from loyapro_mock.mockserver.http.journal_stream import newest_journal_id
from loyapro_mock.mockserver.store.sqlite.store import SqliteStore

from support.payloads import DEMO_CODES, DOCS_CUSTOMER, docs_order, lookup_body, redeem_body, session_body
from support.webhooks import ORDER_URL, REDEEM_URL, REWARD_URL, auth_headers

STREAM = "/__admin/requests/stream"
SSE = {"Accept": "text/event-stream"}


async def next_event(response: ClientResponse, timeout: float = 3.0) -> dict[str, Any]:
    """The next event of a server-sent event stream (comments and ``retry`` skipped)."""
    event: dict[str, Any] = {}
    async with asyncio.timeout(timeout):
        while True:
            line = (await response.content.readline()).decode().rstrip("\n")
            if not line:
                if "event" in event:
                    return event
                event = {}
                continue
            field, _, value = line.partition(": ")
            if field == "data":
                event["data"] = orjson.loads(value)
            elif field in ("id", "event"):
                event[field] = value


async def post(client: TestClient[Any, Any], token: str, url: str, body: Any) -> int:
    response = await client.post(url, data=orjson.dumps(body), headers=auth_headers(token))
    return response.status


# -- the page ------------------------------------------------------------------------------


async def test_the_page_is_html_that_loads_its_script_and_style_from_the_mock(client: TestClient) -> None:
    page = await client.get("/__admin/ui", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    html = await page.text()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sorted(sources) == ["/__admin/ui/inspector.css", "/__admin/ui/inspector.js", "data:,"]
    script = await client.get("/__admin/ui/inspector.js", headers={"Accept": "*/*"})
    styles = await client.get("/__admin/ui/inspector.css", headers={"Accept": "text/css,*/*;q=0.1"})
    assert (script.status, script.headers["Content-Type"]) == (200, "text/javascript; charset=utf-8")
    assert (styles.status, styles.headers["Content-Type"]) == (200, "text/css; charset=utf-8")
    assert "/__admin/requests/stream" in await script.text()


def test_the_page_loads_nothing_from_another_host() -> None:
    folder = Path(__file__).resolve().parents[2] / "mockserver" / "http" / "ui"
    for name in ("index.html", "inspector.js", "inspector.css"):
        text = (folder / name).read_text("utf-8")
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import", text), name


async def test_the_page_and_its_files_are_not_journaled(client: TestClient) -> None:
    for path in ("/__admin/ui", "/__admin/ui/inspector.js", "/__admin/ui/inspector.css"):
        assert (await client.get(path)).status == 200
    entries = (await (await client.get("/__admin/requests")).json())["requests"]
    assert entries == []


# -- the event stream ----------------------------------------------------------------------


async def test_a_posted_order_arrives_on_the_stream_with_its_journal_id(
    client: TestClient, token: str
) -> None:
    stream = await client.get(STREAM, headers=SSE)
    assert stream.status == 200
    assert stream.headers["Content-Type"] == "text/event-stream"
    started = time.monotonic()
    assert await post(client, token, ORDER_URL, docs_order()) == 200
    event = await next_event(stream)
    assert time.monotonic() - started < 1.0
    assert event["event"] == "request"
    entry = event["data"]
    assert event["id"] == str(entry["id"]) == "1"
    assert (entry["operation"], entry["status"], entry["verdict"]) == ("order", 200, "accepted")
    assert entry["response"]["body"]["status"] == "Paid"
    stream.close()


async def test_a_new_stream_starts_with_the_newest_backlog_entries(client: TestClient, token: str) -> None:
    for _ in range(5):
        await post(client, token, REWARD_URL, lookup_body(DEMO_CODES["fixed_amount"]))
    await client.get("/__admin/requests")  # the journal is written
    stream = await client.get(STREAM, params={"backlog": "2"}, headers=SSE)
    ids = [(await next_event(stream))["id"] for _ in range(2)]
    assert ids == ["4", "5"]
    await post(client, token, REWARD_URL, lookup_body(DEMO_CODES["fixed_amount"]))
    assert (await next_event(stream))["id"] == "6"
    stream.close()


async def test_last_event_id_resumes_after_that_entry(client: TestClient, token: str) -> None:
    for _ in range(4):
        await post(client, token, REWARD_URL, lookup_body(DEMO_CODES["percentage"]))
    await client.get("/__admin/requests")
    stream = await client.get(STREAM, headers={**SSE, "Last-Event-ID": "2"})
    assert [(await next_event(stream))["id"] for _ in range(2)] == ["3", "4"]
    stream.close()


async def test_last_event_id_wins_over_since(client: TestClient, token: str) -> None:
    for _ in range(3):
        await post(client, token, REWARD_URL, lookup_body(DEMO_CODES["percentage"]))
    await client.get("/__admin/requests")
    stream = await client.get(STREAM, params={"since": "1"}, headers={**SSE, "Last-Event-ID": "2"})
    assert (await next_event(stream))["id"] == "3"
    stream.close()


async def test_since_and_the_filters_choose_the_entries(client: TestClient, token: str) -> None:
    await post(client, token, ORDER_URL, docs_order())
    await post(client, token, REWARD_URL, lookup_body(DEMO_CODES["products"]))
    await post(client, token, REWARD_URL, lookup_body("NO-SUCH-CODE"))
    await client.get("/__admin/requests")
    stream = await client.get(STREAM, params={"since": "1", "operation": "reward"}, headers=SSE)
    first, second = await next_event(stream), await next_event(stream)
    assert [(e["id"], e["data"]["status"]) for e in (first, second)] == [("2", 200), ("3", 404)]
    stream.close()
    rejected = await client.get(STREAM, params={"since": "1", "verdict": "rejected"}, headers=SSE)
    assert (await next_event(rejected))["id"] == "3"
    rejected.close()


async def test_a_reset_journal_is_announced_then_streamed_from_its_start(
    client: TestClient, token: str
) -> None:
    stream = await client.get(STREAM, headers=SSE)
    await post(client, token, ORDER_URL, docs_order())
    await post(client, token, REWARD_URL, lookup_body(DEMO_CODES["products"]))
    assert [(await next_event(stream))["id"] for _ in range(2)] == ["1", "2"]
    assert (await client.post("/__admin/reset")).status == 200
    await post(client, token, REWARD_URL, lookup_body(DEMO_CODES["percentage"]))
    reset = await next_event(stream)
    assert (reset["event"], reset["id"]) == ("reset", "0")
    after = await next_event(stream)
    assert (after["id"], after["data"]["request"]["body"]["reward_code"]) == ("1", DEMO_CODES["percentage"])
    stream.close()


async def test_a_last_event_id_the_journal_no_longer_has_gets_a_reset(client: TestClient, token: str) -> None:
    await post(client, token, ORDER_URL, docs_order())
    await client.get("/__admin/requests")
    stream = await client.get(STREAM, headers={**SSE, "Last-Event-ID": "40"})
    event = await next_event(stream)
    assert event["event"] == "reset"
    assert (await next_event(stream))["id"] == "1"
    stream.close()


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"backlog": "many"}, "backlog"),
        ({"backlog": "1001"}, "backlog"),
        ({"operation": "refund"}, "operation"),
        ({"verdict": "maybe"}, "verdict"),
        ({"since": "yesterday"}, "since"),
    ],
)
async def test_a_bad_stream_parameter_is_a_400_naming_it(
    client: TestClient, query: dict[str, str], named: str
) -> None:
    response = await client.get(STREAM, params=query, headers=SSE)
    assert response.status == 400
    problem = await response.json()
    assert problem["code"] == "invalid_query"
    assert f"{named}=" in problem["detail"]


async def test_the_stream_refuses_an_accept_without_event_stream(client: TestClient) -> None:
    response = await client.get(STREAM, headers={"Accept": "application/json"})
    assert response.status == 406
    assert "text/event-stream" in (await response.json())["detail"]


async def test_an_open_stream_does_not_hold_up_shutdown(client: TestClient) -> None:
    stream = await client.get(STREAM, headers=SSE)
    assert stream.status == 200
    started = time.monotonic()
    await client.close()
    assert time.monotonic() - started < 5


def test_newest_journal_id_is_found_in_any_journal(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "journal.db")
    try:
        assert newest_journal_id(store) == 0
        for count in (1, 2, 3, 37):
            while newest_journal_id(store) < count:
                store.record_request({"method": "GET", "path": "/", "status": 404, "verdict": "rejected"})
            assert newest_journal_id(store) == count
    finally:
        store.close()


# -- the listings --------------------------------------------------------------------------


async def test_businesses_are_listed_with_their_pos_and_branches(client: TestClient) -> None:
    listing = await (await client.get("/__admin/businesses")).json()
    [business] = listing["businesses"]
    assert (business["reference"], business["name"], business["pos_name"]) == (
        "440810",
        "north coffee",
        "foodics",
    )
    assert [branch["id"] for branch in business["branches"]] == ["97be5de5-ae01-4efe-8355-7c6aaf077be7"]


async def test_customers_are_listed_with_the_balances_their_orders_left(
    client: TestClient, token: str
) -> None:
    assert await post(client, token, ORDER_URL, docs_order()) == 200
    listing = await (await client.get("/__admin/customers")).json()
    by_mobile = {c["customer_mobile_number"]: c for c in listing["customers"]}
    assert listing["truncated"] is False
    assert by_mobile[DOCS_CUSTOMER]["balances"]["points"] == 20
    assert by_mobile[DOCS_CUSTOMER]["business_reference"] == "440810"
    assert all(c["balances"]["points"] == 0 for m, c in by_mobile.items() if m != DOCS_CUSTOMER)
    limited = await (await client.get("/__admin/customers", params={"limit": "2"})).json()
    assert (len(limited["customers"]), limited["truncated"]) == (2, True)
    other = await (await client.get("/__admin/customers", params={"business": "999"})).json()
    assert other == {"customers": [], "truncated": False}


async def test_a_codes_history_shows_it_redeemed_on_its_order_then_released(
    client: TestClient, token: str
) -> None:
    code = DEMO_CODES["fixed_amount"]
    order = docs_order()
    order_id = order["order"]["id"]
    assert await post(client, token, REDEEM_URL, redeem_body(code, order_id, 10)) == 200
    order["order"]["status"] = 7  # void: the code is released
    assert await post(client, token, ORDER_URL, order) == 200
    listing = await (await client.get("/__admin/rewards")).json()
    reward = next(r for r in listing["rewards"] if r["code"] == code)
    assert reward["status"] == "issued"
    assert [(h["state"], h.get("order_id")) for h in reward["history"]] == [
        ("issued", None),
        ("redeemed", order_id),
        ("released", order_id),
    ]
    assert reward["history"][0]["at"] == reward["created_at"]


async def test_an_expired_code_ends_its_history_expired(client: TestClient) -> None:
    issued = await client.post(
        "/__admin/rewards",
        json={
            "kind": "percentage",
            "business_reference": 440810,
            "customer_mobile_number": DOCS_CUSTOMER,
            "expires_in_seconds": 60,
        },
    )
    code = (await issued.json())["code"]
    assert (await client.post("/__admin/clock", json={"advance_seconds": 120})).status == 200
    listing = await (await client.get("/__admin/rewards", params={"business": "440810"})).json()
    reward = next(r for r in listing["rewards"] if r["code"] == code)
    assert reward["status"] == "expired"
    assert [h["state"] for h in reward["history"]] == ["issued", "expired"]


@pytest.mark.parametrize("path", ["/__admin/customers", "/__admin/rewards"])
@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "lots"}, {"business": "x" * 65}])
async def test_a_bad_listing_parameter_is_a_400(client: TestClient, path: str, query: dict[str, str]) -> None:
    response = await client.get(path, params=query)
    assert response.status == 400
    assert (await response.json())["code"] == "invalid_query"


# -- certification sessions ----------------------------------------------------------------


async def session(client: TestClient, session_id: str = "cert-0123456789") -> dict[str, Any]:
    response = await client.get(f"/__admin/sessions/{session_id}")
    assert response.status == 200, await response.text()
    found: dict[str, Any] = await response.json()
    return found


async def test_a_registered_session_ticks_each_step_as_the_journal_shows_it(
    client: TestClient, token: str
) -> None:
    registered = await client.post("/__admin/sessions", json=session_body())
    assert registered.status == 201
    first = await registered.json()
    assert [s["done"] for s in first["steps"]] == [False, False]
    assert first["progress"] == {"done": 0, "total": 2}
    assert first["verdict"]["state"] == "in progress"
    code = DEMO_CODES["fixed_amount"]
    order_id = docs_order()["order"]["id"]
    await post(client, token, REWARD_URL, lookup_body(code))  # 1
    assert [s["done"] for s in (await session(client))["steps"]] == [False, False]
    await post(client, token, REDEEM_URL, redeem_body(code, order_id, 10))  # 2
    await post(client, token, ORDER_URL, docs_order())  # 3
    now = await session(client)
    assert [s["done"] for s in now["steps"]] == [True, True]
    assert [[e["entry_id"] for e in s["expects"]] for s in now["steps"]] == [[3], [1, 2]]
    assert now["progress"] == {"done": 2, "total": 2}
    assert now["verdict"]["state"] == "all steps seen"
    assert now["verdict"]["requests"] == 3


async def test_a_step_expects_its_requests_in_order(client: TestClient, token: str) -> None:
    code = DEMO_CODES["percentage"]
    step = {
        "id": "paid-then-lookup",
        "expects": [
            {"operation": "order", "response": {"/status": "Paid"}},
            {"operation": "reward", "body": {"/reward_code": code}},
        ],
    }
    await client.post("/__admin/sessions", json=session_body(steps=[step]))
    await post(client, token, REWARD_URL, lookup_body(code))  # 1: the lookup first
    await post(client, token, ORDER_URL, docs_order())  # 2
    [seen] = (await session(client))["steps"]
    assert seen["done"] is False
    assert [e["entry_id"] for e in seen["expects"]] == [2, None]
    assert seen["title"] == "paid-then-lookup"  # a step without a title shows its id
    await post(client, token, REWARD_URL, lookup_body(code))  # 3: a lookup after the paid order
    [seen] = (await session(client))["steps"]
    assert seen["done"] is True
    assert [e["entry_id"] for e in seen["expects"]] == [2, 3]


async def test_a_refused_request_and_requests_before_the_session_count_apart(
    client: TestClient, token: str
) -> None:
    await post(client, token, ORDER_URL, docs_order())  # 1: before the session
    await client.post("/__admin/sessions", json=session_body(since_id=2))
    broken = docs_order()
    broken["event"] = "customer.order.exploded"
    await post(client, token, ORDER_URL, broken)  # 2: refused
    now = await session(client)
    assert now["steps"][0]["done"] is False  # the paid order came before the session
    assert now["verdict"]["state"] == "refused requests"
    assert (now["verdict"]["requests"], now["verdict"]["refused"]) == (1, 1)


async def test_sessions_are_listed_replaced_by_id_and_forgotten_by_a_reset(client: TestClient) -> None:
    await client.post("/__admin/sessions", json=session_body())
    await client.post("/__admin/sessions", json=session_body(id="cert-other"))
    await client.post("/__admin/sessions", json=session_body(since_id=7))
    listed = (await (await client.get("/__admin/sessions")).json())["sessions"]
    assert [(s["id"], s["since_id"]) for s in listed] == [("cert-other", 1), ("cert-0123456789", 7)]
    await client.post("/__admin/reset")
    assert (await (await client.get("/__admin/sessions")).json()) == {"sessions": []}
    missing = await client.get("/__admin/sessions/cert-0123456789")
    assert missing.status == 404
    assert (await missing.json())["code"] == "session_not_found"


async def test_a_since_id_written_as_a_whole_float_counts_as_that_id(client: TestClient, token: str) -> None:
    await post(client, token, ORDER_URL, docs_order())  # 1
    registered = await client.post("/__admin/sessions", json=session_body(since_id=2.0))
    assert registered.status == 201
    await post(client, token, ORDER_URL, docs_order())  # 2: a duplicate, but Paid
    now = await session(client)
    assert now["since_id"] == 2
    assert now["steps"][0]["expects"][0]["entry_id"] == 2
    assert (await client.get("/__admin/sessions")).status == 200


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"since_id": -1}, "/since_id"),
        ({"since_id": 2**63}, "/since_id"),
        ({"id": "no spaces please"}, "/id"),
        ({"steps": [{"id": "x", "expects": []}]}, "/steps/0/expects"),
        ({"steps": [{"id": "x", "expects": [{"operation": "refund"}]}]}, "/steps/0/expects/0/operation"),
    ],
)
async def test_a_bad_session_is_a_422_naming_the_field(
    client: TestClient, change: dict[str, Any], pointer: str
) -> None:
    response = await client.post("/__admin/sessions", json={**session_body(), **change})
    assert response.status == 422
    problem = await response.json()
    assert pointer in [error["pointer"] for error in problem["errors"]]
    assert (await (await client.get("/__admin/sessions")).json()) == {"sessions": []}
