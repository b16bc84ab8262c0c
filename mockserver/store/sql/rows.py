"""Records to rows and back, as both backends map them: JSON columns as text (orjson),
boolean columns as booleans (SQLite keeps them as 0/1)."""

from __future__ import annotations

import functools
from typing import Any

import orjson

from loyapro_mock.mockserver.domain.records import Row
from loyapro_mock.mockserver.store.sql.tables import BOOL_COLUMNS, COLUMNS, JSON_COLUMNS

__all__ = ["encode_record", "mapped_columns"]


def _mapped(table: str) -> tuple[tuple[int, bool], ...]:
    return tuple(
        (i, c in JSON_COLUMNS) for i, c in enumerate(COLUMNS[table]) if c in JSON_COLUMNS or c in BOOL_COLUMNS
    )


_MAPPED = {table: _mapped(table) for table in COLUMNS}


def encode_record(table: str, record: Row) -> list[Any]:
    """The values of ``record`` for the columns of ``table`` (`COLUMNS` order): JSON
    columns as text (None stays None), boolean columns as ``bool`` (None is False)."""
    values = [record.get(c) for c in COLUMNS[table]]
    for i, is_json in _MAPPED[table]:
        value = values[i]
        if not is_json:
            values[i] = bool(value)
        elif value is not None:
            values[i] = orjson.dumps(value).decode()
    return values


@functools.lru_cache(maxsize=256)
def mapped_columns(keys: tuple[str, ...]) -> tuple[tuple[str, bool], ...]:
    """The JSON (True) and boolean (False) columns among a result's columns."""
    return tuple(
        (key, key in JSON_COLUMNS)
        for key in dict.fromkeys(keys)
        if key in JSON_COLUMNS or key in BOOL_COLUMNS
    )
