"""``serve --rate-limit 5/s --workers 2``: real processes, one limit.

Each call goes on a connection of its own, so the kernel spreads them over both workers; the
workers count in the store they share, so the limit holds as if there were one.
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

from .servers import ServerProcess, start_server

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
