"""Versioned schema migrations, shared by every backend.

A database records the version of its schema in ``meta`` (key ``schema_version``). On
start a backend reads it and applies, in one transaction and in order, every migration of
a higher version (`pending`); a fresh database (no version) gets them all. A database whose
version is higher than any this mock knows was written by a newer mock: it is refused with
`StoreError` instead of being used with a schema the code does not understand.

A backend lists its migrations as `Migration` records: ``version`` (increasing integers),
a one-line ``summary`` and the SQL ``statements`` that take a database from the previous
version to this one. A statement may be a callable taking the transaction instead, for a
step that needs code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from loyapro_mock.mockserver.store.protocol import StoreError

__all__ = ["VERSION_KEY", "Migration", "latest", "migrate", "pending"]

#: The ``meta`` key holding the schema version of a database.
VERSION_KEY = "schema_version"


@dataclass(frozen=True)
class Migration:
    """One step of a schema: what takes a database of ``version - 1`` to ``version``."""

    version: int
    summary: str
    statements: tuple[str | Callable[[Any], None], ...]


def latest(migrations: Sequence[Migration]) -> int:
    """The version a database has once every migration ran."""
    return max(m.version for m in migrations)


def pending(current: str | None, migrations: Sequence[Migration], *, where: str) -> list[Migration]:
    """The migrations a database at version ``current`` (None: a fresh one) still needs.

    Raises `StoreError` when ``current`` is not a version number or is newer than the last
    migration (``where`` names the database in the message).
    """
    known = latest(migrations)
    if current is None:
        return sorted(migrations, key=lambda m: m.version)
    try:
        version = int(current)
    except ValueError:
        raise StoreError(f"{where}: its schema_version {current!r} is not a version number") from None
    if version > known:
        raise StoreError(
            f"{where}: its schema is version {version}, newer than this mock knows ({known}); "
            "it was written by a newer loyapro-mock: upgrade this one, or give another database"
        )
    return sorted((m for m in migrations if m.version > version), key=lambda m: m.version)


def migrate(tx: Any, current: str | None, migrations: Sequence[Migration], *, where: str) -> None:
    """Run, in the open write transaction ``tx``, the migrations a database at version
    ``current`` still needs (`pending`), and record the version it then has."""
    steps = pending(current, migrations, where=where)
    for step in steps:
        for statement in step.statements:
            if callable(statement):
                statement(tx)
            else:
                tx.execute(statement)
    if steps:
        tx.set_meta(VERSION_KEY, str(latest(migrations)))
