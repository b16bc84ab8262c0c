"""The store layer: the `Store` protocol, `StoreError`, the backends and group commit.

`open_store` opens the backend a ``--db`` value names; nothing outside this package names a
backend's class. A value the mock cannot use is refused by `check_db` (at start, with the
reason) instead of being reinterpreted.
"""

from __future__ import annotations

import os
import re

from loyapro_mock.mockserver.store.protocol import Store, StoreError

__all__ = ["Store", "StoreError", "check_db", "open_store"]

_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")


def check_db(db: str | os.PathLike[str]) -> None:
    """Raise ValueError when ``db`` names a database the mock cannot open.

    Accepted: ``:memory:`` and a file path (SQLite). A URL (``scheme://...``) is refused with
    the reason, so that a typo'd or unsupported backend is never taken for a file name.
    """
    match = _URL.match(str(db))
    if match is not None:
        raise ValueError(
            f"db {str(db)!r}: this mock stores its state in SQLite only; give a file path "
            f"(e.g. ./loyapro-mock.db) or :memory:, not a {match['scheme']}:// URL"
        )


def open_store(db: str | os.PathLike[str], *, checkpoint_interval: float | None = None) -> Store:
    """Open the store ``db`` names (see `check_db`); raises ValueError or `StoreError`.

    ``checkpoint_interval`` moves a file database's WAL checkpoints to a background thread
    every that many seconds (the server sets it; tools leave it to the backend).
    """
    check_db(db)
    from loyapro_mock.mockserver.store.sqlite import SqliteStore

    return SqliteStore(db, checkpoint_interval=checkpoint_interval)
