"""The PostgreSQL backend of `mockserver.store.protocol.Store`: state shared by many instances.

Several mock processes, on one host or many, open the same database
(``serve --db postgresql://...``). Their transactions are serializable against each other
the way SQLite's are on one file: every write transaction (and group commit) first takes
one transaction-scoped advisory lock (``pg_advisory_xact_lock``), so writers run one after
the other across every instance, each seeing everything committed before it; read
snapshots take no lock (``REPEATABLE READ READ ONLY``). Under it the schema keeps its own
guards: a reward leaves ``issued`` by a conditional UPDATE, and a unique partial index
allows one active redemption per code. Ids (journal included) come from identity
sequences, assigned under the lock, so they grow in commit order on every instance.

Connections come from a psycopg pool (``psycopg_pool.ConnectionPool``), one per open
transaction. The store is reached over the network, so it says so (``networked``): the
server's group commit runs its groups and the reward lookups in worker threads, never on
the event loop (`mockserver.store.group_commit`). psycopg's errors leave this module as
`StoreError`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
import psycopg_pool
from psycopg.rows import dict_row

from loyapro_mock.mockserver.domain.records import Row
from loyapro_mock.mockserver.store.migrations import VERSION_KEY, migrate
from loyapro_mock.mockserver.store.postgres.schema import MIGRATIONS, SCHEMA_VERSION
from loyapro_mock.mockserver.store.postgres.tx import PostgresTx, placeholders
from loyapro_mock.mockserver.store.protocol import StoreError
from loyapro_mock.mockserver.store.sql.journal import (
    KEEP_SQL,
    delete_in_chunks,
    journal_row,
    prune_conditions,
)
from loyapro_mock.mockserver.store.sql.statements import insert_sql
from loyapro_mock.mockserver.store.sql.store import SqlStore
from loyapro_mock.mockserver.store.sql.tables import TABLES

__all__ = ["PRUNE_CHUNK", "WRITE_LOCK", "PostgresStore", "redact"]

#: The advisory lock key every writer of a database takes (any constant; "LoyaPro" in hex-ish).
WRITE_LOCK = 0x10A4A9
#: Journal rows one pruning statement deletes at most.
PRUNE_CHUNK = 5000
#: Journal rows per multi-row INSERT.
_JOURNAL_CHUNK = 500
_PASSWORD = re.compile(r"(?P<head>://[^:/@]*:)[^@/]*@")


def redact(url: str) -> str:
    """``url`` without its password (for messages and logs)."""
    return _PASSWORD.sub(r"\g<head>***@", url)


@contextmanager
def _store_errors() -> Iterator[None]:
    try:
        yield
    except psycopg.Error as exc:
        raise StoreError(_message(exc)) from exc
    except psycopg_pool.PoolTimeout as exc:
        raise StoreError(f"no database connection free in time: {exc}") from exc
    except psycopg_pool.PoolClosed as exc:
        raise StoreError("the store is closed") from exc


def _message(exc: psycopg.Error) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _rollback(conn: psycopg.Connection[Any]) -> None:
    if not conn.closed and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        conn.execute("ROLLBACK")


def _commit(conn: psycopg.Connection[Any]) -> None:
    """COMMIT; when it fails, roll back and raise (nothing of the transaction stays).

    A transaction a statement failed in cannot commit (PostgreSQL would roll it back and
    answer COMMIT as if nothing were wrong): that is raised too.
    """
    if conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
        _rollback(conn)
        raise StoreError("a statement of the transaction failed: it was rolled back")
    try:
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise


@dataclass
class _ThreadState:
    conn: psycopg.Connection[Any] | None = None
    tx: PostgresTx | None = None
    group: bool = False


class PostgresStore(SqlStore[PostgresTx]):
    """`Store` on PostgreSQL: ``PostgresStore("postgresql://user:pass@host:5432/loyapro")``.

    Connects at once (raising `StoreError` with the server's reason when it cannot: host
    unreachable, password refused, no such database, ...) and creates or migrates the
    schema. ``timeout`` bounds the wait for the writers' lock and for a free connection;
    ``pool_size`` is the most connections this store opens.
    """

    #: Reached over the network: the server runs its transactions off the event loop.
    networked = True

    def __init__(
        self, url: str, *, timeout: float = 30.0, pool_size: int = 16, connect_timeout: float = 10.0
    ) -> None:
        self.url = url
        self._timeout = timeout
        self._local = threading.local()
        self._closed = False
        self._check_reachable(connect_timeout)
        self._pool = psycopg_pool.ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, pool_size),
            kwargs={"autocommit": True, "row_factory": dict_row, "connect_timeout": int(connect_timeout)},
            configure=self._configure,
            timeout=timeout,
            open=False,
            name="loyapro-mock",
        )
        try:
            with _store_errors():
                self._pool.open(wait=True, timeout=connect_timeout)
            self._init_schema()
        except BaseException:
            self._pool.close()
            raise

    def _check_reachable(self, connect_timeout: float) -> None:
        """One connection first, so a wrong URL fails with the server's own reason."""
        try:
            conn = psycopg.connect(self.url, connect_timeout=int(connect_timeout))
        except psycopg.Error as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise StoreError(f"cannot connect to PostgreSQL at {redact(self.url)}: {reason}") from exc
        conn.close()

    def _configure(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute(f"SET lock_timeout = {int(self._timeout * 1000)}")

    # -- connections and transactions ----------------------------------------------------
    def _state(self) -> _ThreadState:
        if self._closed:
            raise StoreError("the store is closed")
        state: _ThreadState | None = getattr(self._local, "state", None)
        if state is None:
            state = self._local.state = _ThreadState()
        return state

    def _take(self, state: _ThreadState) -> psycopg.Connection[Any]:
        state.conn = self._pool.getconn()
        return state.conn

    def _give_back(self, state: _ThreadState) -> None:
        conn, state.conn = state.conn, None
        if conn is None:
            return
        if not conn.closed and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            try:  # never hand on a connection with a transaction open
                conn.execute("ROLLBACK")
            except psycopg.Error:
                conn.close()
        self._pool.putconn(conn)  # the pool drops a closed or broken one

    def _take_and_begin(self, state: _ThreadState, write: bool, *, wait: bool = True) -> bool:
        """A connection from the pool and BEGIN on it (`_begin_on`). A pooled connection found
        broken at BEGIN (the server restarted, an idle connection was cut) is dropped and
        the BEGIN tried once on a new one: nothing of the transaction had been sent."""
        for attempt in (1, 2):
            conn = self._take(state)
            try:
                return self._begin_on(conn, write, wait=wait)
            except psycopg.OperationalError:
                broken = conn.closed or conn.broken
                self._give_back(state)
                if attempt == 2 or not broken:
                    raise
            except BaseException:
                self._give_back(state)
                raise
        raise AssertionError("unreachable")

    def _begin_on(self, conn: psycopg.Connection[Any], write: bool, *, wait: bool = True) -> bool:
        """BEGIN, and for a write take the writers' lock, in one round trip. False when
        ``wait`` is off and another writer holds the lock (nothing stays open)."""
        if not write:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return True
        if wait:
            conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            return True
        cursor = conn.execute(f"BEGIN; SELECT pg_try_advisory_xact_lock({WRITE_LOCK}) AS locked")
        cursor.nextset()
        found = cursor.fetchone()
        if found is not None and found["locked"]:
            return True
        conn.execute("ROLLBACK")
        return False

    def _begin(self, state: _ThreadState, write: bool) -> psycopg.Connection[Any]:
        self._take_and_begin(state, write)
        assert state.conn is not None
        return state.conn

    def _tx(self, conn: psycopg.Connection[Any], write: bool) -> PostgresTx:
        return PostgresTx(conn, writable=write)

    def _end(self, state: _ThreadState, write: bool) -> None:
        self._give_back(state)

    def _errors(self) -> AbstractContextManager[None]:
        return _store_errors()

    _commit = staticmethod(_commit)
    _rollback = staticmethod(_rollback)

    @contextmanager
    def _in_group(self, state: _ThreadState, write: bool) -> Iterator[PostgresTx]:
        """One transaction of a group commit: a savepoint of the group's open transaction."""
        conn = state.conn
        assert conn is not None
        if conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
            raise StoreError("the group's transaction failed and was rolled back")
        state.tx = PostgresTx(conn, writable=write)
        if not write:
            try:
                yield state.tx
            finally:
                state.tx = None
            return
        # Never released: the next call's SAVEPOINT of the same name shadows it, and a round
        # trip per call is saved (ROLLBACK TO goes back to the latest of the name).
        try:
            conn.execute("SAVEPOINT grouped")
        except BaseException:
            state.tx = None
            raise
        try:
            yield state.tx
        except BaseException:
            if conn.info.transaction_status in (
                psycopg.pq.TransactionStatus.INTRANS,
                psycopg.pq.TransactionStatus.INERROR,
            ):
                conn.execute("ROLLBACK TO SAVEPOINT grouped")
            raise
        finally:
            state.tx = None

    # -- group commit ---------------------------------------------------------------------
    def _begin_group(self, state: _ThreadState, wait: bool) -> bool:
        if self._take_and_begin(state, True, wait=wait):
            return True
        self._give_back(state)
        return False

    def _init_schema(self) -> None:
        """Create the schema, or migrate it to this mock's version (`mockserver.store.migrations`).

        Under the writers' lock: instances starting together migrate once, one after another.
        """
        with self.transaction() as tx:
            has_meta = tx.value("SELECT to_regclass('meta') IS NOT NULL AS found")
            current = tx.get_meta(VERSION_KEY) if has_meta else None
            migrate(tx, current, MIGRATIONS, where=f"database {redact(self.url)}")

    # -- journal --------------------------------------------------------------------------
    def record_requests(self, entries: Iterable[Row]) -> list[int]:
        """Append journal entries in one transaction; see `Store.record_requests`."""
        rows = [journal_row(entry) for entry in entries]
        ids: list[int] = []
        with self.transaction() as tx:
            for start in range(0, len(rows), _JOURNAL_CHUNK):
                chunk = rows[start : start + _JOURNAL_CHUNK]
                found = tx.execute(
                    insert_sql("journal", len(chunk), suffix=" RETURNING id"),
                    [value for row in chunk for value in row],
                ).fetchall()
                ids.extend(int(r["id"]) for r in found)
        return ids

    def prune_requests(self, *, before: str | None = None, keep: int | None = None) -> int:
        """Delete old journal entries in short transactions; see `Store.prune_requests`.

        Outside the writers' lock: deleting journal rows changes no state a writer reads, and
        ids keep coming from the sequence.
        """
        cutoff: int | None = None
        if keep is not None:
            with self.snapshot() as tx:
                cutoff = tx.value(KEEP_SQL, (max(0, int(keep)),))
        conditions = prune_conditions(cutoff, before)
        with _store_errors():
            state = self._state()
            if state.tx is not None or state.group:
                raise RuntimeError("prune_requests runs outside transactions and groups")
            return delete_in_chunks(
                lambda sql, params: self._delete(state, sql, params), conditions, PRUNE_CHUNK
            )

    def _delete(self, state: _ThreadState, sql: str, params: Sequence[Any]) -> int:
        conn = self._take(state)
        try:
            return int(conn.execute(placeholders(sql), params).rowcount)
        finally:
            self._give_back(state)

    # -- lifecycle ------------------------------------------------------------------------
    def reset(self) -> None:
        """Empty every table (journal and clock offset included) and restart the ids."""
        with self.transaction() as tx:
            tx.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY")
            tx.set_meta(VERSION_KEY, SCHEMA_VERSION)

    def close(self) -> None:
        """Close the pool (an open group of this thread commits first)."""
        if not self._closed and self.in_group:
            self.commit_group()
        self._closed = True
        self._pool.close()

    def __repr__(self) -> str:
        return f"PostgresStore({redact(self.url)!r})"
