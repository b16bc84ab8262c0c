"""One SQLite transaction: `mockserver.store.sql.tx.SqlTx` on a ``sqlite3`` connection.

SQLite's dialect: ``INSERT OR REPLACE`` / ``OR IGNORE``, new ids from ``lastrowid`` (a plain
INSERT and a read by rowid are cheaper here than ``RETURNING``, which SQLite runs as a
slower, buffered statement), rows as ``sqlite3.Row``.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from loyapro_mock.mockserver.domain.records import Row
from loyapro_mock.mockserver.store.sql.rows import encode_record, mapped_columns
from loyapro_mock.mockserver.store.sql.statements import insert_sql
from loyapro_mock.mockserver.store.sql.tx import READ_ONLY, SqlTx

__all__ = ["SqliteTx", "decode_row"]


def decode_row(row: sqlite3.Row | None) -> Row | None:
    """A SQLite row as a plain dict (JSON and boolean columns decoded)."""
    if row is None:
        return None
    keys = tuple(row.keys())
    out = dict(zip(keys, row, strict=True))
    for key, is_json in mapped_columns(keys):
        value = out[key]
        if value is not None:
            out[key] = orjson.loads(value) if is_json else bool(value)
    return out


@functools.cache
def _insert_sql(table: str, replace: bool) -> str:
    return insert_sql(table, verb="INSERT OR REPLACE" if replace else "INSERT")


class SqliteTx(SqlTx):
    """`StoreTx` over one open SQLite transaction (made by `SqliteStore`)."""

    _conn: sqlite3.Connection
    _insert_sql = staticmethod(_insert_sql)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run a statement that changes state (refused in a read snapshot)."""
        if not self.writable:
            raise RuntimeError(READ_ONLY)
        return self._conn.execute(sql, params)

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an INSERT and return the new rowid."""
        rowid = self.execute(sql, params).lastrowid
        assert rowid is not None
        return rowid

    def row(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query as a dict, or None."""
        return decode_row(self._conn.execute(sql, params).fetchone())

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row of a query as dicts."""
        return [decode_row(r) or {} for r in self._conn.execute(sql, params).fetchall()]

    def value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of a query's first row, or None without a row."""
        found = self._conn.execute(sql, params).fetchone()
        return None if found is None else found[0]

    def _insert_row(self, table: str, record: Row) -> Row:
        rowid = self.insert(_insert_sql(table, False), encode_record(table, record))
        row = self.row(f"SELECT * FROM {table} WHERE id = ?", (rowid,))
        assert row is not None
        return row

    def _in(self, column: str, values: Sequence[Any], params: list[Any]) -> str:
        params.extend(values)
        return f"{column} IN ({', '.join('?' for _ in values)})"

    def _add_to_balances(self, moves: dict[tuple[int, str], float]) -> None:
        values = ", ".join("(?, ?, ?)" for _ in moves)
        params = [
            item for (customer, program), amount in moves.items() for item in (customer, program, amount)
        ]
        self.execute(
            f"INSERT INTO balances (customer_id, program, amount) VALUES {values}"
            " ON CONFLICT (customer_id, program)"
            " DO UPDATE SET amount = round(amount + excluded.amount, 6)",
            params,
        )
        # Read the new sums back by the key's prefix: cheaper than the upsert's RETURNING.
        for customer in {customer for customer, _ in moves}:
            for program, amount in self._conn.execute(
                "SELECT program, amount FROM balances WHERE customer_id = ?", (customer,)
            ).fetchall():
                self._balances[(customer, program)] = float(amount)

    def add_rewards(self, rewards: Iterable[Row]) -> int:
        if not self.writable:
            raise RuntimeError(READ_ONLY)
        before = self._conn.total_changes
        self._conn.executemany(
            insert_sql("rewards", verb="INSERT OR IGNORE"), (encode_record("rewards", r) for r in rewards)
        )
        return self._conn.total_changes - before
