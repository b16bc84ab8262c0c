"""Exactly-once redeem under contention: threads, stores and processes on one database
(a SQLite file, a PostgreSQL database)."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from loyapro_mock.mockserver.domain.clock import Clock
from loyapro_mock.mockserver.domain.errors import DomainError
from loyapro_mock.mockserver.domain.usecases import LoyaPro, redeem_reward, redemptions
from loyapro_mock.mockserver.domain.usecases.demo_state import DEMO_CODES, seed_demo
from loyapro_mock.mockserver.store import Store, open_store
from loyapro_mock.mockserver.store.sqlite.store import SqliteStore

from support.stores import SharedStores

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


def _seeded(store: Store) -> LoyaPro:
    service = LoyaPro(store)
    seed_demo(service)
    return service


def _one_redemption(store: Store) -> list[tuple[str, str]]:
    with store.snapshot() as tx:
        reward = tx.get_reward(CODE)
        assert reward is not None and reward["status"] == "redeemed"
        return [(r["order_id"], r["status"]) for r in tx.list_redemptions(CODE)]


def test_fifty_threads_one_service_exactly_one_redeem(shared_store: SharedStores) -> None:
    service = _seeded(shared_store())
    outcome = _race(50, lambda i: _attempt(service, f"order-{i}"))
    assert outcome == Counter({200: 1, 409: 49})
    (redemption,) = _one_redemption(shared_store())
    assert redemption[1] == "redeemed"


def test_fifty_threads_on_a_memory_store_exactly_one_redeem() -> None:
    service = _seeded(SqliteStore(":memory:"))
    outcome = _race(50, lambda i: _attempt(service, f"order-{i}"))
    assert outcome == Counter({200: 1, 409: 49})
    assert [r["status"] for r in redemptions(service, CODE)] == ["redeemed"]
    service.store.close()


def test_fifty_stores_on_one_database_exactly_one_redeem(shared_store: SharedStores) -> None:
    _seeded(shared_store()).store.close()
    services = [LoyaPro(shared_store()) for _ in range(50)]
    outcome = _race(50, lambda i: _attempt(services[i], f"order-{i}"))
    assert outcome == Counter({200: 1, 409: 49})
    assert len(_one_redemption(shared_store())) == 1


def test_same_order_retried_concurrently_is_one_redemption(shared_store: SharedStores) -> None:
    service = _seeded(shared_store())
    outcome = _race(20, lambda i: _attempt(service, "same-order"))
    assert outcome == Counter({200: 20})
    assert _one_redemption(shared_store()) == [("same-order", "redeemed")]


def _redeem_in_process(args: tuple[str, str]) -> int:
    location, order_id = args
    service = LoyaPro(open_store(location))
    try:
        return _attempt(service, order_id)
    finally:
        service.store.close()


@pytest.mark.slow  # starts a pool of six interpreters
def test_processes_on_one_database_exactly_one_redeem(shared_store: SharedStores) -> None:
    _seeded(shared_store()).store.close()
    with multiprocessing.get_context("spawn").Pool(6) as pool:
        statuses = pool.map(_redeem_in_process, [(shared_store.location, f"order-{i}") for i in range(12)])
    assert Counter(statuses) == Counter({200: 1, 409: 11})
    assert len(_one_redemption(shared_store())) == 1


def test_clock_offset_is_shared_by_stores_on_one_database(shared_store: SharedStores) -> None:
    one, two = shared_store(), shared_store()
    Clock(one).advance(3600)
    assert Clock(two).offset() == 3600
