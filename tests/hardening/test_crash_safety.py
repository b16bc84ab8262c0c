"""Crash safety: ``kill -9`` the server during load; after a restart nothing is lost or half-done.

Every order goes to a customer of its own, so the admin API can tell for each order
whether it was applied: an applied order enrolled its customer and wrote its earnings in the
same transaction, and re-sending it answers ``duplicate: true``. Every redeem uses a code of
its own: a redeemed code has its ``redeem`` ledger entry, and re-sending the redeem answers
``replay: true``. Whatever got a 2xx before the kill must be applied; what did not may be
applied or not, but never partly.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from support.payloads import DOCS_CUSTOMER, redeem_body
from support.servers import ServerProcess, start_server
from support.webhooks import auth_headers

from .support import customer_state, issue_code

pytestmark = pytest.mark.slow
ORDERS = 600
REDEEMS = 60
CONCURRENCY = 24
KILL_AFTER_SUCCESSES = 150


@dataclass
class Sent:
    """One request of the load and what came of it (None: no answer before the kill)."""

    kind: str  # "order" | "redeem"
    key: str  # the order's customer mobile, or the redeemed code
    body: dict[str, Any]
    sent: bool = False
    status: int | None = None


def _order(docs_order: dict[str, Any], i: int) -> dict[str, Any]:
    body = copy.deepcopy(docs_order)
    body["order"]["id"] = f"crash-{i}"
    body["order"]["customer"]["phone"] = f"5{i:08d}"
    body["order"]["customer"]["name"] = f"crash customer {i}"
    return body


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


@pytest.fixture
def server(db: Path) -> Iterator[ServerProcess]:
    process = start_server(db)
    yield process
    process.stop()


async def _load(server: ServerProcess, token: str, plan: list[Sent]) -> None:
    """Send the plan with CONCURRENCY requests in flight; kill -9 the server mid-way (after
    KILL_AFTER_SUCCESSES answers); every request sent from then on finds no server."""
    successes = 0
    queue: asyncio.Queue[Sent] = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    timeout = aiohttp.ClientTimeout(total=30)

    async def worker(session: aiohttp.ClientSession) -> None:
        # Each worker sends until the server is gone: answers already on their way when the
        # kill lands (a group's answers leave together) do not end the load early.
        nonlocal successes
        while not queue.empty():
            item = queue.get_nowait()
            url = f"{server.base_url}/pos/1.0.0/foodics/{item.kind}"
            item.sent = True
            try:
                async with session.post(url, json=item.body, headers=auth_headers(token)) as response:
                    await response.read()
                    item.status = response.status
            except (TimeoutError, aiohttp.ClientError):
                return  # no answer: the server is gone
            if 200 <= item.status < 300:
                successes += 1
                if successes == KILL_AFTER_SUCCESSES:
                    server.kill()

    async with aiohttp.ClientSession(timeout=timeout) as session:
        await asyncio.gather(*(worker(session) for _ in range(CONCURRENCY)))


async def test_kill_9_during_load_loses_no_answered_change_and_half_applies_none(
    server: ServerProcess, db: Path, token: str, docs_order: dict[str, Any]
) -> None:
    async with aiohttp.ClientSession() as session:
        codes = [await issue_code(session, server.base_url) for _ in range(REDEEMS)]
    plan = [Sent("order", f"5{i:08d}", _order(docs_order, i)) for i in range(ORDERS)]
    for i, code in enumerate(codes):  # spread the redeems through the load
        plan.insert(i * ORDERS // REDEEMS, Sent("redeem", code, redeem_body(code, f"r-{i}", 5.0)))

    await _load(server, token, plan)
    assert server.proc.poll() is not None, "the load ended before the kill"
    in_flight = [item for item in plan if item.sent and item.status is None]
    answered = [item for item in plan if item.status is not None]
    assert answered and in_flight, (
        f"the kill must land while requests are in flight ({len(answered)} answered, "
        f"{len(in_flight)} unanswered)"
    )
    assert all(item.status == 200 for item in answered), [i.status for i in answered]

    restarted = start_server(db)
    try:
        await _check_after_restart(restarted, token, plan)
    finally:
        restarted.stop()


async def _check_after_restart(server: ServerProcess, token: str, plan: list[Sent]) -> None:
    async with aiohttp.ClientSession() as session:
        docs_customer = await customer_state(session, server.base_url, DOCS_CUSTOMER)
        assert docs_customer is not None
        redeem_entries = {e["reward_code"] for e in docs_customer["ledger"] if e["kind"] == "redeem"}
        statuses = {r["code"]: r["status"] for r in docs_customer["rewards"]}
        for item in plan:
            url = f"{server.base_url}/pos/1.0.0/foodics/{item.kind}"
            if item.kind == "order":
                state = await customer_state(session, server.base_url, item.key)
                earned = (
                    []
                    if state is None
                    else [e for e in state["ledger"] if e["order_id"] == item.body["order"]["id"]]
                )
                applied = state is not None
                assert applied == bool(earned), f"order {item.key} half-applied: {state}"
            else:
                applied = statuses[item.key] == "redeemed"
                assert applied == (item.key in redeem_entries), f"code {item.key} half-applied"
            if item.status is not None:
                assert applied, f"{item.kind} {item.key} got {item.status} but is not stored"
            async with session.post(url, json=item.body, headers=auth_headers(token)) as response:
                assert response.status == 200, await response.text()
                again = await response.json()
            repeated = again["duplicate"] if item.kind == "order" else again["replay"]
            assert repeated == applied, (item.kind, item.key, again)
