"""The inspector's event stream under ``serve --workers 2``: it shows every worker's requests."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest
import requests

from support.payloads import DEMO_CODES, lookup_body
from support.servers import start_server
from support.webhooks import REWARD_URL, auth_headers

STREAM = "/__admin/requests/stream"
SSE = {"Accept": "text/event-stream"}


@pytest.mark.slow
def test_the_stream_shows_the_requests_of_every_worker(tmp_path: Path, token: str) -> None:
    server = start_server(tmp_path / "state.db", workers=2)
    try:
        with requests.get(f"{server.base_url}{STREAM}", headers=SSE, stream=True, timeout=10) as stream:
            lines = stream.iter_lines(decode_unicode=True)
            assert next(lines) == "retry: 1000"
            pids: set[int] = set()
            for _ in range(20):  # a new connection each time: the kernel spreads them over the workers
                with requests.Session() as session:
                    pids.add(session.get(f"{server.base_url}/__admin/health", timeout=5).json()["pid"])
                    answer = session.post(
                        f"{server.base_url}{REWARD_URL}",
                        data=orjson.dumps(lookup_body(DEMO_CODES["products"])),
                        headers=auth_headers(token),
                        timeout=5,
                    )
                    assert answer.status_code == 200
            assert len(pids) == 2, "the requests did not reach both workers"
            seen: list[str] = []
            deadline = time.monotonic() + 5
            for line in lines:
                if line.startswith("id: "):
                    seen.append(line[4:])
                if len(seen) == 20 or time.monotonic() > deadline:
                    break
            assert seen == [str(i) for i in range(1, 21)]
    finally:
        server.stop()
