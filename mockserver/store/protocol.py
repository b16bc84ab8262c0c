"""The storage interface of the mock server: the domain's `Transactions`, plus the request
journal, group commit and close; and `StoreError`, the one error a backend raises.

A backend implements `Store` (and the `StoreTx` records of `mockserver.domain.records`) and
translates its database's own errors into `StoreError`, which the HTTP layer answers with
503 ``store_unavailable``: nothing above the store knows which database is underneath.

Backends: `mockserver.store.sqlite.SqliteStore` (a file or ``":memory:"``) and
`mockserver.store.postgres.PostgresStore` (a ``postgresql://`` URL), opened by
`mockserver.store.open_store` from a ``--db`` value. A backend is correct when every test in
``tests/domain/test_store_backends.py`` passes against it (the store fixture runs each test
on every backend).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from loyapro_mock.mockserver.domain.records import Row, Transactions

__all__ = ["Store", "StoreError"]


class StoreError(Exception):
    """The database failed (locked past its timeout, disk full, closed, corrupt, ...).

    Nothing of the transaction it was raised in was applied. The message says what failed;
    the backend's own exception is its ``__cause__``.
    """


class Store(Transactions, Protocol):
    """A backend: the domain's transactions (and reset), group commit, the request journal
    and close. Every method, and every `StoreTx` method inside a transaction, raises
    `StoreError` when the database fails."""

    def begin_group(self, *, wait: bool = True) -> bool:
        """Open a group commit on this thread: one write transaction for many.

        Until `commit_group`, each `transaction()` of this thread is part of the group and
        undone alone when it raises (a savepoint); each `snapshot()` reads the group's state.
        Nothing of the group is durable, or seen by other connections, before
        `commit_group` returns: a caller answers its clients after that, not before. Opening
        an open group again does nothing. Returns True once the group is open; with
        ``wait=False`` it returns False at once, opening nothing, when another writer holds
        the database (the caller tries again later instead of blocking).
        """

    def commit_group(self) -> None:
        """Commit the open group (if any) in one commit. When it fails, the whole group is
        rolled back and the error raised: none of its transactions happened."""

    @property
    def in_group(self) -> bool:
        """True while a group commit is open on this thread."""

    def record_request(self, entry: Row) -> int:
        """Append a journal entry and return its id.

        ``entry`` follows the spec's ``JournalEntry`` (``received_at, pos, operation,
        method, path, status, verdict, duration_ms, request, response, violations,
        session``); ``id`` is assigned, ``received_at`` defaults to now (UTC).
        """

    def record_requests(self, entries: Iterable[Row]) -> list[int]:
        """Append several journal entries in one transaction; their ids, in order.

        The server batches its journal this way, off the request path.
        """

    def list_requests(
        self,
        pos: str | None = None,
        operation: str | None = None,
        verdict: str | None = None,
        since: str | None = None,
        session: str | None = None,
        limit: int = 1000,
    ) -> list[Row]:
        """Journal entries, oldest first, each with its ``id``.

        ``since`` is an ISO-8601 instant (entries received at or after it) or a journal id
        as digits (entries with that id or later). A malformed ``since`` raises ValueError.
        """

    def prune_requests(self, *, before: str | None = None, keep: int | None = None) -> int:
        """Delete old journal entries; how many were deleted.

        ``before`` (an ISO-8601 instant) deletes the entries received before it; ``keep``
        deletes all but the newest ``keep`` entries. Runs in short transactions of at most a
        few thousand rows, so the writers it shares the database with wait for it at most
        milliseconds at a time (`mockserver.store.retention` calls it from a thread).
        """

    def close(self) -> None:
        """Release connections. The store is unusable afterwards."""
