"""Exactly-once across processes: one code, 500 concurrent redeems, two workers, one success."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from support.payloads import DOCS_CUSTOMER
from support.servers import ServerProcess, start_server

from .support import customer_state, fresh_connections, issue_code, race_redeems

pytestmark = pytest.mark.slow
ATTEMPTS = 500


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[ServerProcess]:
    server = start_server(tmp_path / "state.db", workers=2)
    yield server
    server.stop()


async def test_both_workers_answer(two_workers: ServerProcess) -> None:
    async with aiohttp.ClientSession(connector=fresh_connections()) as session:

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
    async with aiohttp.ClientSession(connector=fresh_connections(), timeout=timeout) as session:
        code = await issue_code(session, two_workers.base_url)
        outcomes = await race_redeems(session, [url], token, code, ATTEMPTS)
        state = await customer_state(session, two_workers.base_url, DOCS_CUSTOMER)

    assert Counter(status for status, _ in outcomes) == {200: 1, 409: ATTEMPTS - 1}
    assert {problem for status, problem in outcomes if status == 409} == {"reward_already_redeemed"}
    assert state is not None
    redeems = [e for e in state["ledger"] if e.get("reward_code") == code]
    assert [e["kind"] for e in redeems] == ["redeem"]
    assert [r["status"] for r in state["rewards"] if r["code"] == code] == ["redeemed"]
