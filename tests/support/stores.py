"""Every store backend, so that a store test runs against each (see the ``store`` fixture)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from loyapro_mock.mockserver.store.sqlite.store import SqliteStore

#: name -> factory(tmp_path) of every store backend.
BACKENDS: dict[str, Callable[[Path], SqliteStore]] = {
    "sqlite-memory": lambda tmp: SqliteStore(":memory:"),
    "sqlite-file": lambda tmp: SqliteStore(tmp / "state.db"),
}
