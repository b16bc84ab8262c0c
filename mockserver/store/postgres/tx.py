"""One PostgreSQL transaction: `mockserver.store.sql.tx.SqlTx` on a psycopg connection.

PostgreSQL's dialect: ``%s`` placeholders (`placeholders` turns the shared ``?`` into them),
``ON CONFLICT`` for SQLite's ``OR REPLACE`` / ``OR IGNORE``, ``RETURNING`` for new ids and
rows, ``= ANY(array)`` for ``IN`` lists, and one round trip where SQLite would take two.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
import psycopg

from loyapro_mock.mockserver.domain.records import Row
from loyapro_mock.mockserver.store.sql.rows import encode_record
from loyapro_mock.mockserver.store.sql.statements import insert_sql
from loyapro_mock.mockserver.store.sql.tables import COLUMNS, JSON_COLUMNS, KEYS
from loyapro_mock.mockserver.store.sql.tx import READ_ONLY, SqlTx

__all__ = ["PostgresTx", "decode_row", "placeholders"]

#: Rows per multi-row INSERT when seeding many rewards.
_CHUNK = 500


@functools.lru_cache(maxsize=1024)
def placeholders(sql: str) -> str:
    """``sql`` with psycopg's ``%s`` for each ``?`` (the shared statements hold no other ``?``)."""
    return sql.replace("?", "%s")


def decode_row(row: dict[str, Any] | None) -> Row | None:
    """A row as a plain dict, its JSON columns decoded (booleans are PostgreSQL's own)."""
    if row is None:
        return None
    for key in JSON_COLUMNS.intersection(row):
        value = row[key]
        if value is not None:
            row[key] = orjson.loads(value)
    return row


@functools.cache
def _insert_sql(table: str, replace: bool) -> str:
    if not replace:
        return insert_sql(table)
    keys = KEYS[table]
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[table] if c not in keys)
    return insert_sql(table, suffix=f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}")


class PostgresTx(SqlTx):
    """`StoreTx` over one open PostgreSQL transaction (made by `PostgresStore`)."""

    _conn: psycopg.Connection[Any]
    _insert_sql = staticmethod(_insert_sql)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        """Run a statement that changes state (refused in a read snapshot)."""
        if not self.writable:
            raise RuntimeError(READ_ONLY)
        return self._conn.execute(placeholders(sql), params)

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an INSERT of one row with ``RETURNING id`` and return the new id."""
        found = self.execute(sql + " RETURNING id", params).fetchone()
        assert found is not None
        return int(found["id"])

    def row(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query as a dict, or None."""
        return decode_row(self._conn.execute(placeholders(sql), params).fetchone())

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row of a query as dicts."""
        return [decode_row(r) or {} for r in self._conn.execute(placeholders(sql), params).fetchall()]

    def value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of a query's first row, or None without a row."""
        found = self._conn.execute(placeholders(sql), params).fetchone()
        return None if found is None else next(iter(found.values()))

    def _insert_row(self, table: str, record: Row) -> Row:
        found = self.execute(
            _insert_sql(table, False) + " RETURNING *", encode_record(table, record)
        ).fetchone()
        row = decode_row(found)
        assert row is not None
        return row

    def _in(self, column: str, values: Sequence[Any], params: list[Any]) -> str:
        params.append(list(values))
        return f"{column} = ANY(?)"

    def _add_to_balances(self, moves: dict[tuple[int, str], float]) -> None:
        values = ", ".join("(?, ?, ?)" for _ in moves)
        params = [
            item for (customer, program), amount in moves.items() for item in (customer, program, amount)
        ]
        for row in self.execute(
            f"INSERT INTO balances AS b (customer_id, program, amount) VALUES {values}"
            " ON CONFLICT (customer_id, program)"
            " DO UPDATE SET amount = round((b.amount + excluded.amount)::numeric, 6)::double precision"
            " RETURNING customer_id, program, amount",
            params,
        ).fetchall():
            self._balances[(row["customer_id"], row["program"])] = float(row["amount"])

    def add_rewards(self, rewards: Iterable[Row]) -> int:
        if not self.writable:
            raise RuntimeError(READ_ONLY)
        values = [encode_record("rewards", reward) for reward in rewards]
        inserted = 0
        for start in range(0, len(values), _CHUNK):
            chunk = values[start : start + _CHUNK]
            cursor = self.execute(
                insert_sql("rewards", len(chunk), suffix=" ON CONFLICT (code) DO NOTHING"),
                [value for row in chunk for value in row],
            )
            inserted += max(cursor.rowcount, 0)
        return inserted
