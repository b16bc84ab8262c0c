"""The SQLite backend of `mockserver.store.protocol.Store`.

A file database runs in WAL mode; every write transaction starts with ``BEGIN IMMEDIATE``
so concurrent writers (threads or processes on the same file) queue on SQLite's lock,
waiting up to ``timeout`` seconds (busy_timeout), and before that on a writers' flock that
wakes them without SQLite's sleeps (`mockserver.store.sqlite.connection`). Each thread gets its
own connection. ``checkpoint_interval`` moves WAL checkpoints to a background thread (the
server sets it; tests and tools leave it to SQLite).
``":memory:"`` uses one shared connection guarded by a lock (tests, throwaway state).
SQLite's errors leave this module as `StoreError` (the ``sqlite3.Error`` is its cause).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from loyapro_mock.mockserver.domain.records import Row
from loyapro_mock.mockserver.store.migrations import VERSION_KEY, migrate
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
from loyapro_mock.mockserver.store.sqlite.connection import Checkpointer, WriterLock, connect, lock_path
from loyapro_mock.mockserver.store.sqlite.schema import MIGRATIONS, SCHEMA_VERSION
from loyapro_mock.mockserver.store.sqlite.tx import SqliteTx

__all__ = ["PRUNE_CHUNK", "SqliteStore"]

#: Journal rows one pruning transaction deletes at most (a few milliseconds of the write lock).
PRUNE_CHUNK = 2000


@contextmanager
def _store_errors(*, files: bool = False) -> Iterator[None]:
    """Turn SQLite's errors (and, with ``files``, the file system's, where the store opens
    its files) into `StoreError` at the edge of the backend."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreError(str(exc)) from exc
    except OSError as exc:
        if not files:
            raise
        raise StoreError(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")) from exc


@dataclass
class _ThreadState:
    conn: sqlite3.Connection
    writer: WriterLock | None = None
    tx: SqliteTx | None = None
    group: bool = False  # a group commit is open on this connection (`SqliteStore.begin_group`)


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:  # SQLite may have rolled back already (e.g. disk full)
        conn.execute("ROLLBACK")


def _commit(conn: sqlite3.Connection) -> None:
    """COMMIT; when it fails, roll back and raise (nothing of the transaction stays)."""
    try:
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise


class SqliteStore(SqlStore[SqliteTx]):
    """`Store` on SQLite: ``SqliteStore("state.db")`` or ``SqliteStore(":memory:")``."""

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        timeout: float = 30.0,
        checkpoint_interval: float | None = None,
    ):
        self.path = str(path)
        self.memory = self.path in (":memory:", "")
        self._timeout = timeout
        self._background_checkpoint = checkpoint_interval is not None and not self.memory
        self._lock = threading.RLock() if self.memory else None
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._writers: list[WriterLock] = []
        self._connections_lock = threading.Lock()
        self._closed = False
        with _store_errors(files=True):
            self._shared = self._connect() if self.memory else None
            self._init_schema()
        self._checkpointer = (
            Checkpointer(self.path, checkpoint_interval, timeout=timeout)
            if self._background_checkpoint and checkpoint_interval
            else None
        )

    # -- connections and transactions ----------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = connect(
            self.path,
            timeout=self._timeout,
            memory=self.memory,
            background_checkpoint=self._background_checkpoint,
        )
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    def _state(self) -> _ThreadState:
        if self._closed:
            raise StoreError("the store is closed")
        state: _ThreadState | None = getattr(self._local, "state", None)
        if state is None:
            if self._shared is not None:
                state = _ThreadState(self._shared)
            else:
                with _store_errors(files=True):
                    writer = WriterLock(lock_path(self.path))
                with self._connections_lock:
                    self._writers.append(writer)
                state = _ThreadState(self._connect(), writer)
            self._local.state = state
        return state

    def _begin(self, state: _ThreadState, write: bool) -> sqlite3.Connection:
        guard = self._guard(state, write)
        if guard is not None:
            self._acquire(guard)
        try:
            state.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except BaseException:
            if guard is not None:
                guard.release()
            raise
        return state.conn

    def _end(self, state: _ThreadState, write: bool) -> None:
        guard = self._guard(state, write)
        if guard is not None:
            guard.release()

    def _tx(self, conn: sqlite3.Connection, write: bool) -> SqliteTx:
        return SqliteTx(conn, writable=write)

    def _errors(self) -> AbstractContextManager[None]:
        return _store_errors()

    _commit = staticmethod(_commit)
    _rollback = staticmethod(_rollback)

    def _guard(self, state: _ThreadState, write: bool) -> Any:
        return self._lock if self._lock is not None else (state.writer if write else None)

    def _acquire(self, guard: Any) -> None:
        """Take the writers' lock, waiting at most the store's timeout (as SQLite would)."""
        if not guard.acquire(True, self._timeout):
            raise sqlite3.OperationalError(
                f"database is locked: another writer held it for more than {self._timeout:g} s"
            )

    @contextmanager
    def _in_group(self, state: _ThreadState, write: bool) -> Iterator[SqliteTx]:
        """One transaction of a group commit: a savepoint of the group's open transaction."""
        conn = state.conn
        if not conn.in_transaction:
            # SQLite rolled the whole group back (disk full, I/O error): nothing may run
            # outside it, where each statement would commit on its own.
            raise sqlite3.OperationalError("the group's transaction was rolled back by SQLite")
        state.tx = SqliteTx(conn, writable=write)
        if not write:  # a read of the group's state: nothing to undo
            try:
                yield state.tx
            finally:
                state.tx = None
            return
        try:
            conn.execute("SAVEPOINT grouped")  # never nested: an inner transaction() joins
        except BaseException:
            state.tx = None
            raise
        try:
            yield state.tx
        except BaseException:
            if conn.in_transaction:  # else SQLite already undid the group; keep the cause
                conn.execute("ROLLBACK TO grouped")
                conn.execute("RELEASE grouped")
            raise
        else:
            conn.execute("RELEASE grouped")
        finally:
            state.tx = None

    # -- group commit ---------------------------------------------------------------------
    def _begin_group(self, state: _ThreadState, wait: bool) -> bool:
        guard = self._guard(state, True)
        if self.memory:
            wait = True  # only this process's threads share it, each for one transaction
        if guard is not None:
            if wait:
                self._acquire(guard)
            elif not guard.acquire(False):
                return False
        try:
            if wait:
                state.conn.execute("BEGIN IMMEDIATE")
            elif not self._begin_at_once(state.conn):
                if guard is not None:
                    guard.release()
                return False
        except BaseException:
            if guard is not None:
                guard.release()
            raise
        return True

    def _begin_at_once(self, conn: sqlite3.Connection) -> bool:
        """``BEGIN IMMEDIATE`` without SQLite's busy wait: False when another connection
        that does not take the writers' flock (e.g. the sqlite3 shell) holds the lock."""
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            code = getattr(exc, "sqlite_errorcode", None)
            busy = code & 0xFF == sqlite3.SQLITE_BUSY if code is not None else "locked" in str(exc)
            if not busy:
                raise
            return False
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
        return True

    def _init_schema(self) -> None:
        """Create the schema, or migrate it to this mock's version (`mockserver.store.migrations`)."""
        with self.transaction() as tx:
            has_meta = tx.row("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'meta'")
            current = tx.get_meta(VERSION_KEY) if has_meta else None
            migrate(tx, current, MIGRATIONS, where=f"database {self.path}")

    # -- journal --------------------------------------------------------------------------
    def record_requests(self, entries: Iterable[Row]) -> list[int]:
        """Append journal entries in one transaction; see `Store.record_requests`."""
        rows = [journal_row(entry) for entry in entries]
        sql = insert_sql("journal")
        with self.transaction() as tx:
            return [tx.insert(sql, row) for row in rows]

    def prune_requests(self, *, before: str | None = None, keep: int | None = None) -> int:
        """Delete old journal entries in short transactions; see `Store.prune_requests`."""
        cutoff: int | None = None
        if keep is not None:
            with self.snapshot() as tx:
                cutoff = tx.value(KEEP_SQL, (max(0, int(keep)),))
        return delete_in_chunks(self._delete, prune_conditions(cutoff, before), PRUNE_CHUNK)

    def _delete(self, sql: str, params: Sequence[object]) -> int:
        with self.transaction() as tx:
            return int(tx.execute(sql, params).rowcount)

    # -- lifecycle ------------------------------------------------------------------------
    def reset(self) -> None:
        """Empty every table (journal and clock offset included)."""
        with self.transaction() as tx:
            for table in TABLES:
                tx.execute(f"DELETE FROM {table}")
            tx.execute("DELETE FROM sqlite_sequence")
            tx.set_meta(VERSION_KEY, SCHEMA_VERSION)

    def close(self) -> None:
        """Close every connection this store opened (an open group of this thread commits)."""
        if not self._closed and self.in_group:
            self.commit_group()
        self._closed = True
        if self._checkpointer is not None:
            self._checkpointer.stop()
        with self._connections_lock:
            connections, self._connections = self._connections, []
            writers, self._writers = self._writers, []
        for conn in connections:
            conn.close()
        for writer in writers:
            writer.close()

    def __repr__(self) -> str:
        return f"SqliteStore({self.path!r})"
