"""Three `serve` processes on one PostgreSQL database: one LoyaPro, whichever instance answers.

An order through one instance is seen through the others; a code redeemed through one
cannot be redeemed through another, even with 500 redeems racing over all three; ``kill -9``
of one instance during an order load loses no answered order and half-applies none; and the
journal read through any instance lists every request, with the same ids.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from support.payloads import DOCS_CUSTOMER, redeem_body
from support.servers import ServerProcess, start_server
from support.webhooks import auth_headers

from .support import customer_state, fresh_connections, issue_code, race_redeems
from .test_crash_safety import Sent, _check_after_restart, _order

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
INSTANCES = 3
ATTEMPTS = 500


@pytest.fixture
def instances(postgres_url: str) -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    try:
        for _ in range(INSTANCES):
            started.append(start_server(postgres_url))  # type: ignore[arg-type]
        yield started
    finally:
        for server in started:
            server.stop()


async def _journal(
    session: aiohttp.ClientSession, server: ServerProcess, **params: str
) -> list[dict[str, Any]]:
    async with session.get(
        f"{server.base_url}/__admin/requests", params={"limit": "5000", **params}
    ) as response:
        assert response.status == 200, await response.text()
        body = await response.json()
        entries: list[dict[str, Any]] = body["requests"]
        return entries


async def test_an_order_a_balance_and_a_redeem_through_three_instances_are_one_state(
    instances: list[ServerProcess], token: str, docs_order: dict[str, Any]
) -> None:
    first, second, third = instances
    body = _order(docs_order, 1)
    mobile = body["order"]["customer"]["phone"]
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{first.base_url}/pos/1.0.0/foodics/order", json=body, headers=auth_headers(token)
        ) as response:
            assert response.status == 200, await response.text()
            earned = await response.json()
        state = await customer_state(session, second.base_url, mobile)
        assert state is not None
        assert [e["order_id"] for e in state["ledger"]] == [body["order"]["id"]] * len(state["ledger"])
        assert state["ledger"], earned
        code = await issue_code(session, third.base_url)
        redeem = redeem_body(code, "three-instances-1", 5.0)
        async with session.post(
            f"{third.base_url}/pos/1.0.0/foodics/redeem", json=redeem, headers=auth_headers(token)
        ) as response:
            assert response.status == 200, await response.text()
        again = redeem_body(code, "three-instances-2", 5.0)
        async with session.post(
            f"{first.base_url}/pos/1.0.0/foodics/redeem", json=again, headers=auth_headers(token)
        ) as response:
            assert response.status == 409
            assert (await response.json())["code"] == "reward_already_redeemed"


async def test_500_concurrent_redeems_over_three_instances_succeed_exactly_once(
    instances: list[ServerProcess], token: str
) -> None:
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=fresh_connections(), timeout=timeout) as session:
        code = await issue_code(session, instances[0].base_url)
        urls = [f"{server.base_url}/pos/1.0.0/foodics/redeem" for server in instances]
        outcomes = await race_redeems(session, urls, token, code, ATTEMPTS)
        states = [await customer_state(session, server.base_url, DOCS_CUSTOMER) for server in instances]

    assert Counter(status for status, _ in outcomes) == {200: 1, 409: ATTEMPTS - 1}
    assert {problem for status, problem in outcomes if status == 409} == {"reward_already_redeemed"}
    for state in states:  # every instance tells the same story
        assert state is not None
        assert [e["kind"] for e in state["ledger"] if e.get("reward_code") == code] == ["redeem"]
        assert [r["status"] for r in state["rewards"] if r["code"] == code] == ["redeemed"]


async def test_kill_9_of_one_instance_loses_no_answered_order_and_half_applies_none(
    instances: list[ServerProcess], token: str, docs_order: dict[str, Any]
) -> None:
    victim, survivor = instances[0], instances[1]
    plan = [Sent("order", f"5{i:08d}", _order(docs_order, i)) for i in range(450)]
    queue: asyncio.Queue[tuple[int, Sent]] = asyncio.Queue()
    for i, item in enumerate(plan):
        queue.put_nowait((i, item))
    answered_by_victim = 0
    timeout = aiohttp.ClientTimeout(total=30)

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal answered_by_victim
        while not queue.empty():
            i, item = queue.get_nowait()
            server = instances[i % INSTANCES]
            item.sent = True
            try:
                async with session.post(
                    f"{server.base_url}/pos/1.0.0/foodics/order", json=item.body, headers=auth_headers(token)
                ) as response:
                    await response.read()
                    item.status = response.status
            except (TimeoutError, aiohttp.ClientError):
                continue  # the killed instance: no answer, the others go on
            if server is victim and 200 <= item.status < 300:
                answered_by_victim += 1
                if answered_by_victim == 60:
                    victim.kill()

    async with aiohttp.ClientSession(timeout=timeout) as session:
        await asyncio.gather(*(worker(session) for _ in range(24)))
    assert victim.proc.poll() is not None, "the load ended before the kill"
    lost = [item for item in plan if item.sent and item.status is None]
    answered = [item for item in plan if item.status is not None]
    assert lost and answered
    assert all(item.status == 200 for item in answered), Counter(item.status for item in answered)
    await _check_after_restart(survivor, token, plan)  # read and re-sent through a survivor


async def test_the_journal_read_through_any_instance_shows_every_request(
    instances: list[ServerProcess], token: str, docs_order: dict[str, Any]
) -> None:
    sent = 90
    async with aiohttp.ClientSession(connector=fresh_connections()) as session:

        async def order(i: int) -> int:
            body = _order(docs_order, 10_000 + i)
            url = f"{instances[i % INSTANCES].base_url}/pos/1.0.0/foodics/order"
            async with session.post(url, json=body, headers=auth_headers(token)) as response:
                return response.status

        assert set(await asyncio.gather(*(order(i) for i in range(sent)))) == {200}
        views: list[list[tuple[int, str]]] = []
        for server in instances:
            deadline = time.monotonic() + 10  # each instance writes its batch within 20 ms
            while True:
                entries = await _journal(session, server, operation="order")
                if len(entries) >= sent or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.05)
            views.append([(e["id"], e["request"]["body"]["order"]["id"]) for e in entries])
    expected = {f"crash-{10_000 + i}" for i in range(sent)}
    for view in views:
        assert {order_id for _, order_id in view} == expected
        assert len(view) == sent
    assert views[0] == views[1] == views[2]  # the same entries, ids and order everywhere
    ids = [entry_id for entry_id, _ in views[0]]
    assert ids == sorted(ids) and len(set(ids)) == sent
