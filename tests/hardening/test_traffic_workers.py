"""``serve --workers 2`` with ``--rate-limit 5/s`` or ``--faults FILE``: real processes, one
limit and one count of calls per rule.

Each call goes on a connection of its own, so the kernel spreads them over both workers; the
workers count in the store they share, so the limit and the rules hold as if there were one.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from loyapro_mock.mockserver.http.settings import DOCS_SAMPLE_TOKEN

from support.payloads import docs_order
from support.servers import ServerProcess, start_server

pytestmark = pytest.mark.slow
HEADERS = {
    "Authorization": f"Bearer {DOCS_SAMPLE_TOKEN}",
    "Accept": "application/json",
    "Content-Type": "application/json",
}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = start_server(tmp_path / "state.db", workers=2, extra=("--rate-limit", "5/s"))
    yield process
    process.stop()


def _body(order_id: str) -> bytes:
    body = copy.deepcopy(docs_order())
    body["order"]["id"] = order_id
    return json.dumps(body).encode()


async def _post(url: str, order_id: str) -> tuple[int, dict[str, str]]:
    connector = aiohttp.TCPConnector(force_close=True)  # a new connection: any worker
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.post(f"{url}/pos/1.0.0/foodics/order", data=_body(order_id), headers=HEADERS) as response,
    ):
        await response.read()
        return response.status, dict(response.headers)


async def _worker_pids(url: str) -> set[int]:
    pids = set()
    for _ in range(40):
        connector = aiohttp.TCPConnector(force_close=True)
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            session.get(f"{url}/__admin/health") as response,
        ):
            pids.add(int((await response.json())["pid"]))
    return pids


def _instant(entry: dict[str, Any]) -> float:
    return datetime.fromisoformat(entry["received_at"].replace("Z", "+00:00")).timestamp()


async def test_the_sixth_order_in_a_second_gets_429_across_two_workers(server: ServerProcess) -> None:
    url = server.base_url
    assert len(await _worker_pids(url)) == 2  # both workers answer this port
    await asyncio.sleep(1.1)
    started = time.monotonic()
    answers = [await _post(url, f"w-{i}") for i in range(6)]
    elapsed = time.monotonic() - started
    assert elapsed < 1.0, f"the six orders took {elapsed:.2f} s: too slow a machine to test 5/s"
    assert [status for status, _ in answers] == [200] * 5 + [429]
    headers = answers[5][1]
    assert int(headers["Retry-After"]) >= 1
    assert headers["RateLimit-Policy"] == '"pos";q=5;w=1, "business";q=5;w=1'


async def test_a_burst_over_both_workers_is_let_through_at_the_limit(server: ServerProcess) -> None:
    url = server.base_url
    await asyncio.sleep(1.1)
    results = await asyncio.gather(*(_post(url, f"b-{i}") for i in range(20)))
    assert sorted(status for status, _ in results).count(200) >= 5
    async with aiohttp.ClientSession() as session:
        await asyncio.sleep(0.3)  # the other worker's journal batch
        async with session.get(f"{url}/__admin/requests", params={"operation": "order"}) as response:
            entries = (await response.json())["requests"]
    accepted = sorted(_instant(e) for e in entries if e["status"] == 200)
    refused = [e for e in entries if e["status"] == 429]
    assert len(accepted) + len(refused) == 20
    # in any one second, at most five accepted, over both workers together
    assert all(sum(1 for t in accepted if s <= t < s + 0.95) <= 5 for s in accepted)
    assert {e["response"]["body"]["code"] for e in refused} == {"rate_limited"}


# The second rule does not see the call the first one fired on: the fifth paid order is its 4th.
FAULTS = """\
- {id: third-order, operation: order, order_status: Paid, business: "440810", nth: 3,
   action: error, status: 500}
- {id: lost-answer, operation: order, order_status: Paid, nth: 4, action: commit_then_fail}
"""


@pytest.fixture
def faulty_server(tmp_path: Path) -> Iterator[ServerProcess]:
    path = tmp_path / "faults.yaml"
    path.write_text(FAULTS, encoding="utf-8")
    process = start_server(tmp_path / "state.db", workers=2, extra=("--faults", str(path)))
    yield process
    process.stop()


async def _points(url: str) -> float:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{url}/__admin/customers/557937530", params={"business": "440810"}) as response,
    ):
        return float((await response.json())["balances"]["points"])


async def test_rules_count_calls_across_workers_and_a_lost_answer_earns_once(
    faulty_server: ServerProcess,
) -> None:
    url = faulty_server.base_url
    assert len(await _worker_pids(url)) == 2
    statuses = [(await _post(url, f"f-{i}"))[0] for i in range(4)]
    assert statuses == [200, 200, 500, 200]  # the third paid order over both workers
    before = await _points(url)
    with pytest.raises(aiohttp.ClientError):  # the fifth: committed, then the connection reset
        await _post(url, "f-lost")
    assert await _points(url) == before + 20
    retries = [await _post(url, "f-lost") for _ in range(3)]  # likely on both workers
    assert {status for status, _ in retries} == {200}
    assert await _points(url) == before + 20  # earned once
    async with aiohttp.ClientSession() as session, session.get(f"{url}/__admin/faults") as response:
        held = await response.json()
    assert [(r["id"], r["source"], r["fired"]) for r in held["rules"] if r["source"] == "config"] == [
        ("third-order", "config", 1),
        ("lost-answer", "config", 1),
    ]
