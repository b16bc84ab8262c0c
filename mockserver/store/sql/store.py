"""What both SQL backends' `Store` do alike: hand out transactions on a per-thread state,
join the one a thread holds or its open group, and keep the journal.

`SqlStore` holds that; a backend's subclass says how it begins, commits, rolls back and
ends a transaction on its connection (its locking), how a group's transaction runs
(`_in_group`), and how its errors become `StoreError` (`_errors`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Generic, Self, TypeVar

from loyapro_mock.mockserver.domain.records import Row
from loyapro_mock.mockserver.store.sql.journal import journal_entries, journal_query
from loyapro_mock.mockserver.store.sql.tx import SqlTx

__all__ = ["SqlStore"]

TxT = TypeVar("TxT", bound=SqlTx)


class SqlStore(Generic[TxT]):
    """The transactions and journal of a SQL backend (see the module docstring)."""

    _local: threading.local
    _closed: bool

    # -- what a backend does its way -------------------------------------------------------
    def _errors(self) -> AbstractContextManager[None]:
        """Turns the database's errors into `StoreError`."""
        raise NotImplementedError

    def _state(self) -> Any:
        """This thread's state: ``conn``, ``tx`` (the transaction it holds) and ``group``."""
        raise NotImplementedError

    def _begin(self, state: Any, write: bool) -> Any:
        """Lock (for a write) and BEGIN; the connection. Releases what it took when it fails."""
        raise NotImplementedError

    def _tx(self, conn: Any, write: bool) -> TxT:
        raise NotImplementedError

    def _commit(self, conn: Any) -> None:
        """COMMIT; when it fails, roll back and raise (nothing of the transaction stays)."""
        raise NotImplementedError

    def _rollback(self, conn: Any) -> None:
        raise NotImplementedError

    def _end(self, state: Any, write: bool) -> None:
        """Release what `_begin` took (after COMMIT or ROLLBACK)."""
        raise NotImplementedError

    def _begin_group(self, state: Any, wait: bool) -> bool:
        """Lock and BEGIN the group's transaction; False (nothing taken) when ``wait`` is
        off and another writer holds the database."""
        raise NotImplementedError

    def _in_group(self, state: Any, write: bool) -> AbstractContextManager[TxT]:
        """One transaction of a group commit: a savepoint of the group's open transaction."""
        raise NotImplementedError

    def record_requests(self, entries: Iterable[Row]) -> list[int]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # -- transactions ------------------------------------------------------------------------
    @contextmanager
    def _open(self, write: bool) -> Iterator[TxT]:
        with self._errors():
            state = self._state()
            if state.tx is not None:  # join the transaction this thread already holds
                if write and not state.tx.writable:
                    raise RuntimeError("cannot start a write transaction inside a read snapshot")
                yield state.tx
                return
            if state.group:
                with self._in_group(state, write) as tx:
                    yield tx
                return
            conn = self._begin(state, write)
            try:
                state.tx = self._tx(conn, write)
                try:
                    yield state.tx
                except BaseException:
                    self._rollback(conn)
                    raise
                else:
                    self._commit(conn)
                finally:
                    state.tx = None
            finally:
                self._end(state, write)

    def transaction(self) -> AbstractContextManager[TxT]:
        """A write transaction (under the writers' lock): commit on exit, rollback on error."""
        return self._open(write=True)

    def snapshot(self) -> AbstractContextManager[TxT]:
        """A read-only transaction: a consistent view, no writes."""
        return self._open(write=False)

    # -- group commit ------------------------------------------------------------------------
    def begin_group(self, *, wait: bool = True) -> bool:
        """Open a group commit on this thread; see `Store.begin_group`."""
        with self._errors():
            state = self._state()
            if state.group:
                return True
            if state.tx is not None:
                raise RuntimeError("cannot open a group commit inside a transaction")
            if not self._begin_group(state, wait):
                return False
            state.group = True
            return True

    def commit_group(self) -> None:
        """Commit the open group; see `Store.commit_group`. Rolls back when COMMIT fails."""
        with self._errors():
            state = self._state()
            if not state.group:
                return
            state.group = False
            try:
                self._commit(state.conn)
            finally:
                self._end(state, True)

    @property
    def in_group(self) -> bool:
        """True while a group commit is open on this thread."""
        state = getattr(self._local, "state", None)
        return state is not None and bool(state.group)

    # -- journal -----------------------------------------------------------------------------
    def record_request(self, entry: Row) -> int:
        """Append a journal entry; see `Store.record_request`."""
        return self.record_requests([entry])[0]

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
        sql, params = journal_query(pos, operation, verdict, since, session, limit)
        with self.snapshot() as tx:
            return journal_entries(tx.rows(sql, params))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
