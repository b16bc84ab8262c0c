"""Group commit: one transaction per turn of the loop, savepoints per call, 503 on a failed commit."""

from __future__ import annotations

import asyncio
import copy
import sqlite3
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any, cast

import psycopg
import pytest

from loyapro_mock.mockserver.domain.errors import DomainError
from loyapro_mock.mockserver.http.keys import GROUP, STORE
from loyapro_mock.mockserver.http.problems import store_unavailable
from loyapro_mock.mockserver.store import StoreError
from loyapro_mock.mockserver.store.group_commit import GroupCommit
from loyapro_mock.mockserver.store.postgres import PostgresStore
from loyapro_mock.mockserver.store.protocol import Store
from loyapro_mock.mockserver.store.sqlite.store import SqliteStore

from support.payloads import DEMO_CODES, DOCS_CUSTOMER, redeem_body
from support.stores import SharedStores
from support.webhooks import ORDER_URL, REDEEM_URL, auth_headers, dumps


def meta(store: Store, *keys: str) -> dict[str, str | None]:
    """The meta values of ``keys`` as ``store`` reads them now."""
    with store.snapshot() as tx:
        return {key: tx.get_meta(key) for key in keys}


def put(store: Store, key: str, value: str, fail: Exception | None = None) -> str:
    """One write transaction setting ``key``; raises ``fail`` after writing, when given."""
    with store.transaction() as tx:
        tx.set_meta(key, value)
        if fail is not None:
            raise fail
    return value


class _CommitRefused:
    """A connection whose COMMIT fails, as on a disk that refuses the write."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if sql == "COMMIT":
            raise sqlite3.OperationalError("disk I/O error")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


class CommitFailsStore(SqliteStore):
    """A store whose group COMMIT fails; its own code then rolls the group back."""

    def commit_group(self) -> None:
        state = self._state()
        real = state.conn
        state.conn = cast(sqlite3.Connection, _CommitRefused(real))
        try:
            super().commit_group()
        finally:
            state.conn = real


# -- the store: a group is one transaction, each transaction() a savepoint of it --------


def test_a_failing_transaction_is_undone_alone_within_the_group(store: SqliteStore) -> None:
    assert store.in_group is False
    store.begin_group()
    assert store.in_group is True
    put(store, "before", "1")
    with pytest.raises(ValueError, match="boom"):
        put(store, "failed", "2", fail=ValueError("boom"))
    put(store, "after", "3")
    assert meta(store, "before", "failed", "after") == {"before": "1", "failed": None, "after": "3"}
    store.commit_group()
    assert store.in_group is False
    assert meta(store, "before", "failed", "after") == {"before": "1", "failed": None, "after": "3"}


def test_a_snapshot_in_the_group_reads_its_uncommitted_writes(store: SqliteStore) -> None:
    store.begin_group()
    store.begin_group()  # opening an open group again does nothing
    put(store, "k", "in-group")
    with store.snapshot() as tx:
        assert tx.get_meta("k") == "in-group"
        with pytest.raises(RuntimeError):
            tx.set_meta("k", "written through a snapshot")
    store.commit_group()
    store.commit_group()  # no group open: nothing to do
    assert meta(store, "k") == {"k": "in-group"}


def test_other_connections_see_the_group_only_once_committed(shared_store: SharedStores) -> None:
    store, other = shared_store(), shared_store()
    store.begin_group()
    put(store, "a", "1")
    put(store, "b", "2")
    assert meta(other, "a", "b") == {"a": None, "b": None}
    store.commit_group()
    assert meta(other, "a", "b") == {"a": "1", "b": "2"}


def test_close_commits_an_open_group(shared_store: SharedStores) -> None:
    store = shared_store()
    store.begin_group()
    put(store, "k", "kept")
    store.close()
    reopened = shared_store()
    assert meta(reopened, "k") == {"k": "kept"}
    assert reopened.in_group is False


# -- GroupCommit ----------------------------------------------------------------------


async def test_concurrent_writes_share_one_group_and_are_durable_when_answered(
    shared_store: SharedStores,
) -> None:
    store, other = shared_store(), shared_store()
    group = GroupCommit(store)
    results = await asyncio.gather(*(group.write(partial(put, store, f"k{i}", f"v{i}")) for i in range(6)))
    assert results == [f"v{i}" for i in range(6)]
    assert (group.groups, group.grouped) == (1, 6)
    assert meta(other, *(f"k{i}" for i in range(6))) == {f"k{i}": f"v{i}" for i in range(6)}
    assert store.in_group is False
    group.close()


async def test_a_domain_error_is_raised_from_its_own_write_only(store: SqliteStore) -> None:
    group = GroupCommit(store)
    refusal = DomainError(422, "business_rule_violated", "refused")
    outcomes = await asyncio.gather(
        group.write(lambda: put(store, "first", "1")),
        group.write(lambda: put(store, "refused", "2", fail=refusal)),
        group.write(lambda: put(store, "last", "3")),
        return_exceptions=True,
    )
    assert outcomes == ["1", refusal, "3"]
    assert (group.groups, group.grouped) == (1, 3)
    assert meta(store, "first", "refused", "last") == {"first": "1", "refused": None, "last": "3"}


async def test_a_failed_commit_fails_every_write_with_a_store_error_and_applies_none(tmp_path: Path) -> None:
    with CommitFailsStore(tmp_path / "state.db") as failing, SqliteStore(failing.path) as other:
        group = GroupCommit(failing)
        outcomes = await asyncio.gather(
            *(group.write(partial(put, failing, f"k{i}", "x")) for i in range(3)),
            return_exceptions=True,
        )
        assert len(outcomes) == 3
        for outcome in outcomes:
            assert isinstance(outcome, StoreError)
            assert "disk I/O error" in str(outcome)
            answer = store_unavailable(outcome)  # what the HTTP layer answers
            assert (answer.status, answer.code) == (503, "store_unavailable")
            assert answer.headers == {"Retry-After": "1"}
            assert "disk I/O error" in answer.detail
        assert (group.groups, group.grouped) == (0, 0)
        assert failing.in_group is False
        assert meta(failing, "k0", "k1", "k2") == {"k0": None, "k1": None, "k2": None}
        assert meta(other, "k0", "k1", "k2") == {"k0": None, "k1": None, "k2": None}
        put(other, "later", "ok")  # the failed group released the write lock
        assert meta(failing, "later") == {"later": "ok"}


async def test_max_group_splits_a_burst(store: SqliteStore) -> None:
    group = GroupCommit(store, max_group=2)
    results = await asyncio.gather(*(group.write(partial(put, store, f"k{i}", str(i))) for i in range(5)))
    assert results == ["0", "1", "2", "3", "4"]
    assert (group.groups, group.grouped) == (3, 5)
    assert meta(store, *(f"k{i}" for i in range(5))) == {f"k{i}": str(i) for i in range(5)}


async def test_a_write_cancelled_before_its_group_runs_is_never_applied(store: SqliteStore) -> None:
    group = GroupCommit(store)
    ran: list[str] = []

    def call(key: str) -> str:
        ran.append(key)
        return put(store, key, "x")

    cancelled = asyncio.create_task(group.write(lambda: call("cancelled")))
    kept = asyncio.create_task(group.write(lambda: call("kept")))
    await asyncio.sleep(0)  # both are queued; their group runs on the next turn
    cancelled.cancel()
    assert await kept == "x"
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert ran == ["kept"]
    assert (group.groups, group.grouped) == (1, 1)
    assert meta(store, "cancelled", "kept") == {"cancelled": None, "kept": "x"}


async def test_commit_runs_the_waiting_calls_at_once(store: SqliteStore) -> None:
    group = GroupCommit(store)
    waiting = asyncio.create_task(group.write(lambda: put(store, "k", "now")))
    await asyncio.sleep(0)
    group.commit()  # what an admin request does before it reads
    assert meta(store, "k") == {"k": "now"}
    assert (group.groups, group.grouped) == (1, 1)
    assert await waiting == "now"
    group.commit()  # nothing waits: no empty group
    assert group.groups == 1


# -- over HTTP ------------------------------------------------------------------------


async def test_twenty_concurrent_orders_are_all_stored(
    make_client: Any, token: str, docs_order: dict[str, Any], shared_store: SharedStores
) -> None:
    other = shared_store()
    client = await make_client(db=getattr(other, "url", getattr(other, "path", "")))
    ids = [f"gc-order-{i:02d}" for i in range(20)]
    bodies = []
    for order_id in ids:
        body = copy.deepcopy(docs_order)
        body["order"]["id"] = order_id
        bodies.append(dumps(body))
    responses = await asyncio.gather(
        *(client.post(ORDER_URL, data=body, headers=auth_headers(token)) for body in bodies)
    )
    assert [r.status for r in responses] == [200] * 20
    answers = [await r.json() for r in responses]
    assert [a["status"] for a in answers] == ["Paid"] * 20
    assert [a["duplicate"] for a in answers] == [False] * 20
    app = client.server.app
    group = app[GROUP]
    assert group.grouped == 20
    with other.snapshot() as tx:  # durable, read through another store
        stored = [tx.get_order("440810", order_id) for order_id in ids]
    assert [o["id"] if o else None for o in stored] == ids
    assert {o["status"] for o in stored if o} == {"Paid"}
    assert {o["total_price"] for o in stored if o} == {docs_order["order"]["total_price"]}


async def test_an_admin_request_commits_the_waiting_redeem_first(client: Any, token: str) -> None:
    app = client.server.app
    group: GroupCommit = app[GROUP]
    code = DEMO_CODES["fixed_amount"]
    # Hold the group open: with a commit already "scheduled", write() only queues.
    group._scheduled = asyncio.get_running_loop().call_later(60, group.commit)
    redeem = asyncio.create_task(
        client.post(REDEEM_URL, data=dumps(redeem_body(code, "gc-redeem-1", 10)), headers=auth_headers(token))
    )
    for _ in range(2000):
        if group._queue:
            break
        await asyncio.sleep(0.001)
    assert len(group._queue) == 1
    with app[STORE].snapshot() as tx:
        reward = tx.get_reward(code)
        assert reward is not None and reward["status"] == "issued"  # queued, not yet applied
    view = await client.get(f"/__admin/customers/{DOCS_CUSTOMER}")
    assert view.status == 200
    customer = await view.json()
    assert [r["status"] for r in customer["rewards"] if r["code"] == code] == ["redeemed"]
    redeemed = [e for e in customer["ledger"] if e["kind"] == "redeem" and e["reward_code"] == code]
    assert len(redeemed) == 1
    response = await redeem
    assert response.status == 200, await response.text()
    assert (await response.json())["order_id"] == "gc-redeem-1"
    assert group._scheduled is None and group._queue == []
    assert (group.groups, group.grouped) == (1, 1)


async def test_a_write_after_the_store_closed_fails_at_once_not_left_waiting() -> None:
    store = SqliteStore(":memory:")
    group = GroupCommit(store)
    store.close()
    with pytest.raises(StoreError, match="the store is closed"):
        await asyncio.wait_for(group.write(lambda: 1), 5)


def test_begin_group_without_waiting_refuses_while_another_writer_holds_the_database(
    shared_store: SharedStores,
) -> None:
    store, other = shared_store(), shared_store()
    assert other.begin_group(wait=False) is True
    assert store.begin_group(wait=False) is False
    assert store.in_group is False
    other.commit_group()
    assert store.begin_group(wait=False) is True
    put(store, "k", "v")
    store.commit_group()
    assert meta(other, "k") == {"k": "v"}


async def test_writes_wait_for_another_writer_without_stalling_the_loop(
    shared_store: SharedStores,
) -> None:
    store, other = shared_store(), shared_store()
    group = GroupCommit(store)
    other.begin_group()  # another worker's (or instance's) group holds the write lock
    pending = asyncio.ensure_future(group.write(partial(put, store, "k", "v")))
    ticks = 0
    for _ in range(20):  # this loop keeps turning while the write waits
        await asyncio.sleep(0.001)
        ticks += 1
    assert ticks == 20
    assert not pending.done()
    assert meta(store, "k") == {"k": None}
    other.commit_group()
    assert await asyncio.wait_for(pending, 5) == "v"
    assert meta(other, "k") == {"k": "v"}
    assert group.groups == 1
    group.close()


@pytest.mark.postgres
async def test_on_postgres_a_group_runs_off_the_loop_and_a_lock_held_too_long_fails_it(
    postgres_url: str,
) -> None:
    store, other = PostgresStore(postgres_url, timeout=0.3), PostgresStore(postgres_url)
    group = GroupCommit(store)
    try:
        assert group.threaded is True
        ran_on: list[str] = []

        def call() -> str:
            ran_on.append(threading.current_thread().name)
            return put(store, "k", "v")

        other.begin_group()  # e.g. an instance stopped in the middle of its group: no group opens
        with pytest.raises(StoreError, match="lock timeout"):
            await asyncio.wait_for(group.write(call), 5)
        other.commit_group()
        assert await group.write(call) == "v"
        assert ran_on == ["store-group_0"]  # the group's thread, never the loop's
        assert await group.read(lambda: threading.current_thread().name) != threading.current_thread().name
    finally:
        group.close()
        store.close()
        other.close()


async def test_a_full_disk_mid_group_fails_all_and_applies_none(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "state.db")
    other = SqliteStore(tmp_path / "state.db")
    try:
        conn = store._state().conn
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 20}")  # the disk fills up
        group = GroupCommit(store)
        results = await asyncio.gather(
            group.write(partial(put, store, "a", "1")),
            group.write(partial(put, store, "big", "x" * 500_000)),  # SQLITE_FULL
            group.write(partial(put, store, "c", "3")),
            return_exceptions=True,
        )
        conn.execute("PRAGMA max_page_count = 1000000")
        assert [type(r) for r in results] == [StoreError, StoreError, StoreError]
        assert "full" in str(results[0])  # the cause, not a symptom
        assert meta(other, "a", "big", "c") == {"a": None, "big": None, "c": None}
        assert store.in_group is False
    finally:
        other.close()
        store.close()


async def test_a_lock_held_past_the_timeout_fails_with_a_store_error(file_store: SqliteStore) -> None:
    other = SqliteStore(file_store.path)
    group = GroupCommit(file_store, lock_timeout=0.2)
    try:
        other.begin_group()  # e.g. a worker stopped in the middle of its group
        with pytest.raises(StoreError, match=r"more than 0\.2 s"):
            await asyncio.wait_for(group.write(partial(put, file_store, "k", "v")), 5)
        other.commit_group()
        assert await group.write(partial(put, file_store, "k", "w")) == "w"
    finally:
        other.close()


async def test_a_writer_outside_the_flock_does_not_block_the_loop(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "state.db", timeout=5)
    shell = sqlite3.connect(tmp_path / "state.db", isolation_level=None)  # like the sqlite3 shell
    try:
        shell.execute("BEGIN IMMEDIATE")  # holds SQLite's write lock, not the writers' flock
        assert store.begin_group(wait=False) is False  # at once, not after the 5 s busy wait
        assert store.in_group is False
        group = GroupCommit(store)
        pending = asyncio.ensure_future(group.write(partial(put, store, "k", "v")))
        await asyncio.sleep(0.05)  # the loop turns while the write waits
        assert not pending.done()
        shell.execute("COMMIT")
        assert await asyncio.wait_for(pending, 5) == "v"
    finally:
        shell.close()
        store.close()


async def test_a_memory_store_group_is_not_starved_by_a_writing_thread() -> None:
    store = SqliteStore(":memory:")
    group = GroupCommit(store)
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            put(store, "thread", str(n))

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        results = await asyncio.wait_for(
            asyncio.gather(*(group.write(partial(put, store, f"k{i}", "v")) for i in range(20))), 10
        )
        assert results == ["v"] * 20
    finally:
        stop.set()
        thread.join()
        store.close()


class _CommitLostStore(PostgresStore):
    """A PostgreSQL store whose connection is cut just before a group's COMMIT."""

    def commit_group(self) -> None:
        state = self._state()
        assert state.conn is not None
        with psycopg.connect(self.url, autocommit=True) as killer:
            killer.execute("SELECT pg_terminate_backend(%s)", (state.conn.info.backend_pid,))
        super().commit_group()


@pytest.mark.postgres
async def test_on_postgres_a_lost_connection_at_commit_fails_the_group_and_applies_none(
    postgres_url: str,
) -> None:
    failing, other = _CommitLostStore(postgres_url), PostgresStore(postgres_url)
    group = GroupCommit(failing)
    try:
        outcomes = await asyncio.gather(
            *(group.write(partial(put, failing, f"k{i}", "x")) for i in range(3)), return_exceptions=True
        )
        assert [type(o) for o in outcomes] == [StoreError] * 3
        assert (group.groups, group.grouped) == (0, 0)
        assert meta(other, "k0", "k1", "k2") == {"k0": None, "k1": None, "k2": None}
        put(other, "later", "ok")  # the lost group released the writers' lock
        assert meta(failing, "later") == {"later": "ok"}  # and its store got a new connection
    finally:
        group.close()
        failing.close()
        other.close()


@pytest.mark.postgres
def test_on_postgres_connections_cut_while_idle_are_replaced_unseen(postgres_url: str) -> None:
    store = PostgresStore(postgres_url, pool_size=1)
    try:
        put(store, "k", "1")
        for _ in range(2):  # e.g. the server restarted, or a proxy dropped idle connections
            with psycopg.connect(postgres_url, autocommit=True) as killer:
                killer.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            time.sleep(0.05)
            assert put(store, "k", "2") == "2"  # its BEGIN found the connection dead: a new one
            assert meta(store, "k") == {"k": "2"}
        store.begin_group()
        with psycopg.connect(postgres_url, autocommit=True) as killer:  # cut mid-transaction
            killer.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        with pytest.raises(StoreError):  # something was sent: never retried behind the caller
            put(store, "k", "3")
        with pytest.raises(StoreError):
            store.commit_group()
        assert meta(store, "k") == {"k": "2"}
    finally:
        store.close()
