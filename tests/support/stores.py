"""Every store backend, so that a store test runs against each (see the ``store`` fixture).

A backend is opened on a location (``:memory:``, a file, a PostgreSQL database URL); the
"shared" ones can be opened several times on one location, as several processes or
instances do (``shared_backend`` fixture).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from loyapro_mock.mockserver.store.postgres import PostgresStore
from loyapro_mock.mockserver.store.protocol import Store
from loyapro_mock.mockserver.store.sqlite.store import SqliteStore

__all__ = ["BACKENDS", "SHARED", "Backend", "SharedStores"]


@dataclass(frozen=True)
class Backend:
    """How the tests make a store of one backend."""

    name: str
    #: "memory", "file" (a path in the test's tmp folder) or "postgres" (a fresh database).
    kind: str
    open: Callable[[str], Store]


BACKENDS: dict[str, Backend] = {
    "sqlite-memory": Backend("sqlite-memory", "memory", lambda location: SqliteStore(":memory:")),
    "sqlite-file": Backend("sqlite-file", "file", lambda location: SqliteStore(location)),
    "postgres": Backend("postgres", "postgres", lambda location: PostgresStore(location)),
}

#: The backends several stores (processes, instances) can share.
SHARED = ("sqlite-file", "postgres")


class SharedStores:
    """Opens stores on one shared location (``location``: a SQLite file or a PostgreSQL URL)."""

    def __init__(self, backend: Backend, location: str) -> None:
        self.backend = backend
        self.location = location
        self.opened: list[Store] = []

    def __call__(self) -> Store:
        self.opened.append(self.backend.open(self.location))
        return self.opened[-1]
