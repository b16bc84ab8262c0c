"""Exactly-once redeem under contention: threads and processes on one SQLite file."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from loyapro_mock.mockserver.domain.clock import Clock
from loyapro_mock.mockserver.domain.errors import DomainError
from loyapro_mock.mockserver.domain.usecases import LoyaPro, redeem_reward, redemptions
from loyapro_mock.mockserver.domain.usecases.demo_state import DEMO_CODES, seed_demo
from loyapro_mock.mockserver.store.sqlite.store import SqliteStore

from .factories import redeem

CODE = DEMO_CODES["fixed_amount"]


def _body(order_id: str) -> dict[str, Any]:
    return redeem(CODE, order_id)


def _attempt(service: LoyaPro, order_id: str) -> int:
    try:
        redeem_reward(service, "foodics", _body(order_id))
    except DomainError as exc:
        return exc.status
    return 200


def _race(count: int, redeem: Callable[[int], int]) -> Counter[int]:
    barrier = threading.Barrier(count)
    results: list[int] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        status = redeem(i)
        with lock:
            results.append(status)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(results)


def _seeded(path: Path | str) -> LoyaPro:
    service = LoyaPro(SqliteStore(path))
    seed_demo(service)
    return service


def _one_redemption(path: Path) -> list[tuple[str, str]]:
    with SqliteStore(path) as store, store.snapshot() as tx:
        reward = tx.get_reward(CODE)
        assert reward is not None and reward["status"] == "redeemed"
        return [(r["order_id"], r["status"]) for r in tx.list_redemptions(CODE)]


def test_fifty_threads_one_service_exactly_one_redeem(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    service = _seeded(path)
    outcome = _race(50, lambda i: _attempt(service, f"order-{i}"))
    assert outcome == Counter({200: 1, 409: 49})
    (redemption,) = _one_redemption(path)
    assert redemption[1] == "redeemed"
    service.store.close()


def test_fifty_threads_on_a_memory_store_exactly_one_redeem() -> None:
    service = _seeded(":memory:")
    outcome = _race(50, lambda i: _attempt(service, f"order-{i}"))
    assert outcome == Counter({200: 1, 409: 49})
    assert [r["status"] for r in redemptions(service, CODE)] == ["redeemed"]
    service.store.close()


def test_fifty_stores_on_one_file_exactly_one_redeem(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    _seeded(path).store.close()
    services = [LoyaPro(SqliteStore(path)) for _ in range(50)]
    outcome = _race(50, lambda i: _attempt(services[i], f"order-{i}"))
    assert outcome == Counter({200: 1, 409: 49})
    assert len(_one_redemption(path)) == 1
    for service in services:
        service.store.close()


def test_same_order_retried_concurrently_is_one_redemption(tmp_path: Path) -> None:
    path = tmp_path / "retry.db"
    service = _seeded(path)
    outcome = _race(20, lambda i: _attempt(service, "same-order"))
    assert outcome == Counter({200: 20})
    assert _one_redemption(path) == [("same-order", "redeemed")]
    service.store.close()


def _redeem_in_process(args: tuple[str, str]) -> int:
    path, order_id = args
    service = LoyaPro(SqliteStore(path))
    try:
        return _attempt(service, order_id)
    finally:
        service.store.close()


@pytest.mark.slow  # starts a pool of six interpreters
def test_processes_on_one_file_exactly_one_redeem(tmp_path: Path) -> None:
    path = tmp_path / "procs.db"
    _seeded(path).store.close()
    with multiprocessing.get_context("spawn").Pool(6) as pool:
        statuses = pool.map(_redeem_in_process, [(str(path), f"order-{i}") for i in range(12)])
    assert Counter(statuses) == Counter({200: 1, 409: 11})
    assert len(_one_redemption(path)) == 1


def test_clock_offset_is_shared_by_stores_on_one_file(tmp_path: Path) -> None:
    path = tmp_path / "clock.db"
    with SqliteStore(path) as one, SqliteStore(path) as two:
        Clock(one).advance(3600)
        assert Clock(two).offset() == 3600
