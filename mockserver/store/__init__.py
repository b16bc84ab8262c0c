"""The store layer: the `Store` protocol, `StoreError`, the backends and group commit.

`open_store` opens the backend a ``--db`` value names; nothing outside this package names a
backend's class. A value the mock cannot use is refused by `check_db` (at start, with the
reason) instead of being reinterpreted. Backends: SQLite (a file or ``:memory:``,
`mockserver.store.sqlite`) and PostgreSQL (a ``postgresql://`` URL, `mockserver.store.postgres`).
"""

from __future__ import annotations

import os
import re

from loyapro_mock.mockserver.store.protocol import Store, StoreError

__all__ = ["Store", "StoreError", "check_db", "describe_db", "is_postgres", "open_store"]

_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")
#: The URL schemes of PostgreSQL (libpq's two spellings).
POSTGRES_SCHEMES = ("postgresql", "postgres")


def check_db(db: str | os.PathLike[str]) -> None:
    """Raise ValueError when ``db`` names a database the mock cannot open.

    Accepted: ``:memory:`` and a file path (SQLite), and a ``postgresql://`` (or
    ``postgres://``) URL (PostgreSQL; whether it answers is checked when it is opened). Any
    other URL (``scheme://...``) is refused with the reason, so that a typo'd or unsupported
    backend is never taken for a file name.
    """
    match = _URL.match(str(db))
    if match is not None and match["scheme"].lower() not in POSTGRES_SCHEMES:
        raise ValueError(
            f"db {describe_db(db)!r}: a {match['scheme']}:// URL is not a database this mock can use; "
            "give a file path (SQLite, e.g. ./loyapro-mock.db), :memory:, or a "
            "postgresql://user:password@host:5432/dbname URL (PostgreSQL)"
        )


def is_postgres(db: str | os.PathLike[str]) -> bool:
    """True when ``db`` is a PostgreSQL URL."""
    match = _URL.match(str(db))
    return match is not None and match["scheme"].lower() in POSTGRES_SCHEMES


def describe_db(db: str | os.PathLike[str]) -> str:
    """``db`` as it may be shown in a message or a log: a URL without its password."""
    from loyapro_mock.mockserver.store.postgres.store import redact

    return redact(str(db)) if _URL.match(str(db)) else str(db)


def open_store(db: str | os.PathLike[str], *, checkpoint_interval: float | None = None) -> Store:
    """Open the store ``db`` names (see `check_db`); raises ValueError or `StoreError`.

    A PostgreSQL URL is connected to at once: an unreachable server, a refused password or
    a missing database raise `StoreError` with the server's reason. ``checkpoint_interval``
    moves a SQLite file's WAL checkpoints to a background thread every that many seconds
    (the server sets it; tools leave it to the backend).
    """
    check_db(db)
    if is_postgres(db):
        from loyapro_mock.mockserver.store.postgres import PostgresStore

        return PostgresStore(str(db))
    from loyapro_mock.mockserver.store.sqlite import SqliteStore

    return SqliteStore(db, checkpoint_interval=checkpoint_interval)
