"""SQL text both backends run, built once: inserts and the filters of the listings.

Placeholders are ``?`` (SQLite's); the PostgreSQL backend turns them into ``%s``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from loyapro_mock.mockserver.store.sql.tables import COLUMNS

__all__ = ["insert_sql", "select_sql", "where_equal"]


@functools.lru_cache(maxsize=128)
def insert_sql(table: str, rows: int = 1, *, verb: str = "INSERT", suffix: str = "") -> str:
    """``{verb} INTO table (COLUMNS) VALUES (?, ...), ...{suffix}``: ``rows`` rows of the
    table's `COLUMNS`."""
    columns = COLUMNS[table]
    row = f"({', '.join('?' for _ in columns)})"
    return f"{verb} INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * rows)}{suffix}"


def where_equal(pairs: Iterable[tuple[str, Any]], clauses: list[str], params: list[Any]) -> None:
    """Add ``column = ?`` to ``clauses`` (and the value to ``params``) for each pair whose
    value is not None."""
    for column, value in pairs:
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)


def select_sql(columns: str, table: str, clauses: list[str], tail: str) -> str:
    """``SELECT columns FROM table [WHERE clause AND ...] tail``."""
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return f"SELECT {columns} FROM {table}{where} {tail}"
