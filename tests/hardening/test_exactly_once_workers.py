"""Exactly-once across processes: one code, 500 concurrent redeems, two workers, one success."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from support.payloads import DOCS_CUSTOMER, redeem_body
from support.webhooks import auth_headers

from .servers import ServerProcess, start_server
from .support import customer_state, issue_code

pytestmark = pytest.mark.slow
ATTEMPTS = 500


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[ServerProcess]:
    server = start_server(tmp_path / "state.db", workers=2)
    yield server
    server.stop()


def _fresh_connections() -> aiohttp.TCPConnector:
    # One connection per request, so the kernel spreads them over both workers' sockets.
    return aiohttp.TCPConnector(limit=0, force_close=True)


async def test_both_workers_answer(two_workers: ServerProcess) -> None:
    async with aiohttp.ClientSession(connector=_fresh_connections()) as session:

        async def pid() -> int:
            async with session.get(f"{two_workers.base_url}/__admin/health") as response:
                value: int = (await response.json())["pid"]
                return value

        pids = set(await asyncio.gather(*(pid() for _ in range(60))))
    assert pids == set(two_workers.worker_pids())
    assert len(pids) == 2


async def test_500_concurrent_redeems_of_one_code_succeed_exactly_once(
    two_workers: ServerProcess, token: str
) -> None:
    url = f"{two_workers.base_url}/pos/1.0.0/foodics/redeem"
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=_fresh_connections(), timeout=timeout) as session:
        code = await issue_code(session, two_workers.base_url)
        start = asyncio.Event()

        async def redeem(i: int) -> tuple[int, str | None]:
            await start.wait()
            async with session.post(
                url, json=redeem_body(code, f"order-{i}", 5.0), headers=auth_headers(token)
            ) as response:
                body = await response.json(content_type=None)
                return response.status, body.get("code") if response.status != 200 else None

        tasks = [asyncio.create_task(redeem(i)) for i in range(ATTEMPTS)]
        await asyncio.sleep(0.1)
        start.set()
        outcomes = await asyncio.gather(*tasks)
        state = await customer_state(session, two_workers.base_url, DOCS_CUSTOMER)

    assert Counter(status for status, _ in outcomes) == {200: 1, 409: ATTEMPTS - 1}
    assert {problem for status, problem in outcomes if status == 409} == {"reward_already_redeemed"}
    assert state is not None
    redeems = [e for e in state["ledger"] if e.get("reward_code") == code]
    assert [e["kind"] for e in redeems] == ["redeem"]
    assert [r["status"] for r in state["rewards"] if r["code"] == code] == ["redeemed"]
