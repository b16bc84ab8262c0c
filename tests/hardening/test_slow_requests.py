"""Slow and incomplete requests: a prompt 4xx problem that names the problem, no 5xx, nothing
half-applied, and the server goes on answering everybody else meanwhile.

The server runs as ``serve`` runs it (`GuardedRunner` on a loopback port); the clients are raw
sockets, so each test controls exactly which bytes arrive and when.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from loyapro_mock.mockserver.http.app import create_app
from loyapro_mock.mockserver.http.connections import GuardedRunner
from loyapro_mock.mockserver.http.keys import STORE
from loyapro_mock.mockserver.http.pipeline import limits
from loyapro_mock.mockserver.http.settings import DOCS_SAMPLE_TOKEN, Settings, SettingsError
from loyapro_mock.mockserver.store.sql.tables import TABLES

from support.payloads import docs_order

from .node_sample import runnable_sample, sample_body, sample_headers

ORDER_PATH = "/pos/1.0.0/foodics/order"


@dataclass
class Served:
    app: web.Application
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def _serve(settings: Settings) -> AsyncIterator[Served]:
    app = create_app(settings)
    runner = GuardedRunner(
        app,
        access_log=None,
        header_timeout=settings.header_timeout,
        max_connections_per_client=settings.max_connections_per_client,
    )
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield Served(app, int(runner.addresses[0][1]))
    finally:
        await runner.cleanup()


@pytest.fixture
async def fast() -> AsyncIterator[Served]:
    """The mock with short timeouts (a body may stall 0.5 s, headers take 0.5 s) and at
    most 4 connections per client."""
    settings = Settings(db=":memory:", body_timeout=0.5, header_timeout=0.5, max_connections_per_client=4)
    async for served in _serve(settings):
        yield served


@pytest.fixture
async def default() -> AsyncIterator[Served]:
    """The mock with its default limits."""
    async for served in _serve(Settings(db=":memory:")):
        yield served


def _request(path: str, headers: dict[str, str], port: int) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any
    seconds: float
    closed: bool  # the server closed the connection after the answer


async def _read_answer(
    reader: asyncio.StreamReader, started: float, timeout: float = 15.0, *, until_closed: bool = True
) -> Answer:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    seconds = time.monotonic() - started
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        if line:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers["content-length"]))
    closed = until_closed and await asyncio.wait_for(reader.read(1), timeout) == b""
    return Answer(int(status_line.split()[1]), headers, json.loads(body), seconds, closed)


async def _send(port: int, data: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    return reader, writer


def _state(app: web.Application) -> dict[str, Any]:
    with app[STORE].snapshot() as tx:
        return {t: tx.rows(f"SELECT * FROM {t} ORDER BY 1") for t in TABLES if t != "journal"}


async def _journal(served: Served) -> list[dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(f"{served.url}/__admin/requests") as response:
        return list((await response.json())["requests"])


async def _post_order(served: Served, body: dict[str, Any]) -> tuple[int, float]:
    started = time.monotonic()
    headers = {"Authorization": f"Bearer {DOCS_SAMPLE_TOKEN}", "Accept": "application/json"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{served.url}{ORDER_PATH}", json=body, headers=headers) as response,
    ):
        await response.read()
        return response.status, time.monotonic() - started


# -- LoyaPro's own Node.js sample ---------------------------------------------------------


def test_the_sample_declares_more_bytes_than_its_body_has() -> None:
    assert sample_headers()["Content-Length"] == "8856"
    assert len(sample_body()) == 6942


@pytest.mark.slow  # the default body_timeout: 5 s
async def test_the_published_node_sample_is_answered_within_10_s_naming_its_length(
    default: Served,
) -> None:
    before = _state(default.app)
    started = time.monotonic()
    reader, writer = await _send(
        default.port, _request(ORDER_PATH, sample_headers(), default.port) + sample_body()
    )
    answer = await _read_answer(reader, started)
    writer.close()
    assert answer.seconds < 10
    assert answer.status == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.body["code"] == "incomplete_body"
    assert (answer.body["content_length"], answer.body["received_bytes"]) == (8856, 6942)
    assert "6942 of the 8856 bytes its Content-Length header declares" in answer.body["detail"]
    assert "UTF-8" in answer.body["detail"]
    assert answer.closed
    assert _state(default.app) == before
    [entry] = await _journal(default)
    assert entry["status"] == 400
    assert "incomplete_body" in [v["rule"] for v in entry["violations"]]
    assert entry["request"]["body"].startswith('{"timestamp":1672585625')


async def test_the_node_sample_without_its_content_length_is_accepted(default: Served) -> None:
    headers = {k: v for k, v in sample_headers().items() if k != "Content-Length"}
    headers["Content-Length"] = str(len(sample_body()))  # what an HTTP client computes
    started = time.monotonic()
    reader, writer = await _send(default.port, _request(ORDER_PATH, headers, default.port) + sample_body())
    answer = await _read_answer(reader, started, until_closed=False)
    writer.close()
    assert answer.status == 200 and answer.seconds < 2
    assert answer.body["status"] == "Paid" and answer.body["duplicate"] is False


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
@pytest.mark.parametrize(("fixed", "status"), [(False, 400), (True, 200)], ids=["as-published", "fixed"])
async def test_node_runs_the_sample_as_published_and_fixed(
    default: Served, tmp_path: Path, fixed: bool, status: int
) -> None:
    script = tmp_path / "sample.js"
    script.write_text(runnable_sample(default.port, fixed=fixed), encoding="utf-8")
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        "node", str(script), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert time.monotonic() - started < 10, err
    answer = json.loads(out)
    if fixed:
        assert answer["status"] == "Paid" and answer["duplicate"] is False
    else:
        assert answer["code"] == "incomplete_body" and "Content-Length" in answer["detail"]
    [entry] = await _journal(default)
    assert entry["status"] == status


# -- bodies that stall or crawl ------------------------------------------------------------


async def test_a_stalled_chunked_body_is_a_400_naming_the_last_chunk(fast: Served) -> None:
    headers = {
        "Authorization": f"Bearer {DOCS_SAMPLE_TOKEN}",
        "Content-Type": "application/json",
        "Transfer-Encoding": "chunked",
    }
    started = time.monotonic()
    reader, writer = await _send(fast.port, _request(ORDER_PATH, headers, fast.port) + b'5\r\n{"tim\r\n')
    answer = await _read_answer(reader, started)
    writer.close()
    assert answer.status == 400 and answer.body["code"] == "incomplete_body"
    assert answer.body["content_length"] is None and answer.body["received_bytes"] == 5
    assert "last (zero-length) chunk" in answer.body["detail"]
    assert 0.5 <= answer.seconds < 3


async def test_a_body_that_keeps_trickling_is_cut_at_the_deadline(
    fast: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "BODY_DEADLINE_SECONDS", 1.0)
    body = json.dumps(docs_order()).encode()
    headers = {
        "Authorization": f"Bearer {DOCS_SAMPLE_TOKEN}",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
    }
    before = _state(fast.app)
    started = time.monotonic()
    reader, writer = await _send(fast.port, _request(ORDER_PATH, headers, fast.port))
    answered = asyncio.create_task(_read_answer(reader, started))
    for i in range(0, 40):  # 10 bytes every 0.1 s: never a stall, never done
        if answered.done():
            break
        writer.write(body[i * 10 : i * 10 + 10])
        await asyncio.sleep(0.1)
    answer = await answered
    writer.close()
    assert answer.status == 400 and answer.body["code"] == "incomplete_body"
    assert "still arriving after 1 s" in answer.body["detail"]
    assert 1.0 <= answer.seconds < 2.5
    assert _state(fast.app) == before


async def test_stalled_bodies_apply_nothing_and_others_are_answered_meanwhile(fast: Served) -> None:
    before = _state(fast.app)
    body = json.dumps(docs_order()).encode()
    headers = {
        "Authorization": f"Bearer {DOCS_SAMPLE_TOKEN}",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
    }
    stalled = [
        await _send(fast.port, _request(ORDER_PATH, headers, fast.port) + body[: len(body) // 2])
        for _ in range(3)
    ]
    assert _state(fast.app) == before  # half an order is not half-applied
    status, seconds = await _post_order(fast, docs_order())  # another client meanwhile
    assert status == 200 and seconds < 0.5
    answers = [await _read_answer(reader, time.monotonic()) for reader, _ in stalled]
    for _, writer in stalled:
        writer.close()
    assert {(a.status, a.body["code"]) for a in answers} == {(400, "incomplete_body")}
    journal = await _journal(fast)
    assert sorted(entry["status"] for entry in journal) == [200, 400, 400, 400]
    assert all(entry["status"] < 500 for entry in journal)


# -- headers that never finish --------------------------------------------------------------


async def test_headers_that_never_finish_get_408_and_are_closed(fast: Served) -> None:
    started = time.monotonic()
    reader, writer = await _send(fast.port, b"POST /pos/1.0.0/foodics/order HTTP/1.1\r\nHost: x\r\nAuthor")
    answer = await _read_answer(reader, started)
    writer.close()
    assert answer.status == 408 and answer.body["code"] == "request_timeout"
    assert "did not finish within 0.5 s" in answer.body["detail"]
    assert answer.closed and 0.5 <= answer.seconds < 3
    assert await _journal(fast) == []  # no request was read


async def test_headers_sent_a_byte_at_a_time_are_cut_at_the_header_timeout(fast: Served) -> None:
    request = _request(ORDER_PATH, {"Authorization": f"Bearer {DOCS_SAMPLE_TOKEN}"}, fast.port)
    started = time.monotonic()
    reader, writer = await _send(fast.port, request[:1])
    answered = asyncio.create_task(_read_answer(reader, started))
    for byte in request[1:]:
        if answered.done():
            break
        writer.write(bytes([byte]))
        await asyncio.sleep(0.05)
    answer = await answered
    writer.close()
    assert answer.status == 408 and answer.seconds < 3


async def test_an_idle_keep_alive_connection_is_not_timed_like_unfinished_headers(fast: Served) -> None:
    headers = {"Accept": "application/json"}
    reader, writer = await _send(
        fast.port, _request("/__admin/health", headers, fast.port).replace(b"POST", b"GET", 1)
    )
    first = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert first.startswith(b"HTTP/1.1 200 ")
    await asyncio.sleep(1.0)  # twice the header timeout, with no request begun
    assert not reader.at_eof()
    writer.close()


# -- connections per client ------------------------------------------------------------------


async def test_connections_beyond_the_bound_get_429_and_admin_still_answers(fast: Served) -> None:
    body = json.dumps(docs_order()).encode()
    headers = {
        "Authorization": f"Bearer {DOCS_SAMPLE_TOKEN}",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
    }
    held = [await asyncio.open_connection("127.0.0.1", fast.port) for _ in range(4)]
    await asyncio.sleep(0.05)
    started = time.monotonic()
    reader, writer = await _send(fast.port, _request(ORDER_PATH, headers, fast.port) + body)
    answer = await _read_answer(reader, started)
    writer.close()
    assert answer.status == 429 and answer.body["code"] == "too_many_connections"
    assert "already holds 4 open connections" in answer.body["detail"]
    assert answer.headers["retry-after"] == "1" and answer.closed
    journal = await _journal(fast)  # an admin call beyond the bound is served
    assert [entry["status"] for entry in journal] == [429]
    for _, held_writer in held:
        held_writer.close()
    await asyncio.sleep(0.1)
    status, _ = await _post_order(fast, docs_order())
    assert status == 200


# -- settings -------------------------------------------------------------------------------


def test_the_limits_come_from_the_environment_and_are_checked() -> None:
    settings = Settings.resolve(
        env={
            "LOYAPRO_MOCK_BODY_TIMEOUT": "2.5",
            "LOYAPRO_MOCK_HEADER_TIMEOUT": "4",
            "LOYAPRO_MOCK_MAX_CONNECTIONS_PER_CLIENT": "0",
        },
        db=":memory:",
    )
    assert (settings.body_timeout, settings.header_timeout, settings.max_connections_per_client) == (
        2.5,
        4.0,
        0,
    )
    assert (Settings().body_timeout, Settings().header_timeout) == (5.0, 10.0)
    with pytest.raises(SettingsError, match="body_timeout must be more than 0"):
        Settings.resolve(env={"LOYAPRO_MOCK_BODY_TIMEOUT": "0"}, db=":memory:")
    with pytest.raises(SettingsError, match="max_connections_per_client must be 0"):
        Settings.resolve(env={}, db=":memory:", max_connections_per_client=-1)


async def test_a_crowd_of_slow_clients_gets_4xx_while_others_are_served(docs_order: dict[str, Any]) -> None:
    settings = Settings(db=":memory:", body_timeout=1.0, header_timeout=1.0)
    async for served in _serve(settings):
        before = _state(served.app)
        body = json.dumps(docs_order).encode()
        headers = {
            "Authorization": f"Bearer {DOCS_SAMPLE_TOKEN}",
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
        }
        half_body = _request(ORDER_PATH, headers, served.port) + body[:100]
        half_headers = _request(ORDER_PATH, headers, served.port)[:60]
        crowd = [await _send(served.port, half_body) for _ in range(60)]
        crowd += [await _send(served.port, half_headers) for _ in range(60)]
        assert _state(served.app) == before  # nothing of a stalled order is applied
        other = {**docs_order, "order": {**docs_order["order"], "id": "served-meanwhile"}}
        status, seconds = await _post_order(served, other)
        assert status == 200 and seconds < 0.5  # served while 120 clients stall
        answers = await asyncio.gather(*(_read_answer(reader, time.monotonic()) for reader, _ in crowd))
        for _, writer in crowd:
            writer.close()
        codes = sorted((a.status, a.body["code"]) for a in answers)
        assert codes == [(400, "incomplete_body")] * 60 + [(408, "request_timeout")] * 60
        assert all(a.closed for a in answers)
        with served.app[STORE].snapshot() as tx:
            assert [o["id"] for o in tx.list_orders()] == ["served-meanwhile"]
        orders = await _journal(served)
        assert sorted(e["status"] for e in orders) == [200] + [400] * 60


async def test_as_served_a_hang_lasts_until_the_client_gives_up_and_a_reset_is_a_tcp_rst(
    default: Served, docs_order: dict[str, Any]
) -> None:
    headers = {"Authorization": f"Bearer {DOCS_SAMPLE_TOKEN}"}
    async with aiohttp.ClientSession() as session:
        for rule in (
            {"operation": "order", "action": "hang", "seconds": 20},
            {"operation": "reward", "action": "reset"},
        ):
            async with session.post(f"{default.url}/__admin/faults", json=rule) as response:
                assert response.status == 201
        started = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            await session.post(
                f"{default.url}{ORDER_PATH}",
                json=docs_order,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=0.5),
            )
        assert time.monotonic() - started < 2
        lookup = {
            "reward_code": "FIX-7Q2M9K",
            "business_reference": 440810,
            "customer_mobile_number": "557937530",
            "mobile_country_code": "966",
        }
        with pytest.raises(aiohttp.ClientOSError) as reset:
            await session.post(f"{default.url}/pos/1.0.0/foodics/reward", json=lookup, headers=headers)
        assert reset.value.errno == 104  # ECONNRESET
    await asyncio.sleep(0.3)
    entries = {entry["operation"]: entry for entry in await _journal(default)}
    hang, rst = entries["order"], entries["reward"]
    assert (hang["status"], hang["fault"]["client_gave_up"], hang["fault"]["answered"]) == (0, True, False)
    assert (rst["status"], rst["fault"]["action"]) == (0, "reset")
    assert _state(default.app)["orders"] == []  # the hung order was not applied
