"""The SQLite backend of `mockserver.store.Store`.

A file database runs in WAL mode; every write transaction starts with ``BEGIN IMMEDIATE``
so concurrent writers (threads or processes on the same file) queue on SQLite's lock,
waiting up to ``timeout`` seconds (busy_timeout). Each thread gets its own connection.
``":memory:"`` uses one shared connection guarded by a lock (tests, throwaway state).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from mockserver.clock import iso, parse_iso
from mockserver.sqlite_schema import SCHEMA, SCHEMA_VERSION, TABLES
from mockserver.sqlite_tx import SqliteTx
from mockserver.store import Row

__all__ = ["SqliteStore"]


@dataclass
class _ThreadState:
    conn: sqlite3.Connection
    tx: SqliteTx | None = None


def _json_default(value: Any) -> Any:
    as_dict = getattr(value, "as_dict", None)
    if callable(as_dict):
        return as_dict()
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", "replace")
    return str(value)


class SqliteStore:
    """`Store` on SQLite: ``SqliteStore("state.db")`` or ``SqliteStore(":memory:")``."""

    def __init__(self, path: str | os.PathLike[str] = ":memory:", *, timeout: float = 30.0):
        self.path = str(path)
        self.memory = self.path in (":memory:", "")
        self._timeout = timeout
        self._lock = threading.RLock() if self.memory else None
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._shared = self._connect() if self.memory else None
        self._closed = False
        self._init_schema()

    # -- connections and transactions ----------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
        if not self.memory:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    def _state(self) -> _ThreadState:
        if self._closed:
            raise RuntimeError("the store is closed")
        state: _ThreadState | None = getattr(self._local, "state", None)
        if state is None:
            state = _ThreadState(self._shared if self._shared is not None else self._connect())
            self._local.state = state
        return state

    @contextmanager
    def _open(self, write: bool) -> Iterator[SqliteTx]:
        state = self._state()
        if state.tx is not None:  # join the transaction this thread already holds
            if write and not state.tx.writable:
                raise RuntimeError("cannot start a write transaction inside a read snapshot")
            yield state.tx
            return
        if self._lock is not None:
            self._lock.acquire()
        try:
            conn = state.conn
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            state.tx = SqliteTx(conn, writable=write)
            try:
                yield state.tx
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
            finally:
                state.tx = None
        finally:
            if self._lock is not None:
                self._lock.release()

    def transaction(self) -> AbstractContextManager[SqliteTx]:
        """A write transaction (``BEGIN IMMEDIATE``): commit on exit, rollback on error."""
        return self._open(write=True)

    def snapshot(self) -> AbstractContextManager[SqliteTx]:
        """A read-only transaction: a consistent view, no writes."""
        return self._open(write=False)

    def _init_schema(self) -> None:
        with self.transaction() as tx:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    tx.execute(statement)
            if tx.get_meta("schema_version") is None:
                tx.set_meta("schema_version", SCHEMA_VERSION)

    # -- journal --------------------------------------------------------------------------
    def record_request(self, entry: Row) -> int:
        """Append a journal entry; see `Store.record_request`."""
        data = {k: v for k, v in entry.items() if k != "id"}
        received = data.get("received_at")
        try:
            data["received_at"] = iso(parse_iso(received)) if received else None
        except (TypeError, ValueError):
            data["received_at"] = None
        data["received_at"] = data["received_at"] or iso(datetime.now(UTC))
        blob = orjson.dumps(data, default=_json_default, option=orjson.OPT_NON_STR_KEYS)
        with self.transaction() as tx:
            return tx.insert(
                "INSERT INTO journal (received_at, pos, operation, verdict, session, entry)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (data["received_at"], data.get("pos"), data.get("operation"),
                 data.get("verdict"), data.get("session"), blob.decode()),
            )

    def list_requests(
        self,
        pos: str | None = None,
        operation: str | None = None,
        verdict: str | None = None,
        since: str | None = None,
        session: str | None = None,
        limit: int = 1000,
    ) -> list[Row]:
        """Journal entries, oldest first; see `Store.list_requests`."""
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("pos", pos), ("operation", operation), ("verdict", verdict),
                              ("session", session)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            text = str(since).strip()
            if text.isdigit():
                where.append("id >= ?")
                params.append(int(text))
            else:
                where.append("received_at >= ?")
                params.append(iso(parse_iso(text)))
        sql = "SELECT id, entry FROM journal"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id LIMIT ?"
        params.append(max(1, int(limit)))
        with self.snapshot() as tx:
            rows = tx.rows(sql, params)
        out: list[Row] = []
        for row in rows:
            entry = row["entry"]
            out.append({"id": row["id"], **entry})
        return out

    # -- lifecycle ------------------------------------------------------------------------
    def reset(self) -> None:
        """Empty every table (journal and clock offset included)."""
        with self.transaction() as tx:
            for table in TABLES:
                tx.execute(f"DELETE FROM {table}")
            tx.execute("DELETE FROM sqlite_sequence")
            tx.set_meta("schema_version", SCHEMA_VERSION)

    def close(self) -> None:
        """Close every connection this store opened."""
        self._closed = True
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqliteStore({self.path!r})"

