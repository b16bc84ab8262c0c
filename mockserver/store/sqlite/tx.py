"""One SQLite transaction: the `mockserver.domain.records.StoreTx` methods as SQL."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from loyapro_mock.mockserver.domain.records import Row
from loyapro_mock.mockserver.store.sqlite.schema import COLUMNS, decode_row, encode_record

__all__ = ["SqliteTx"]


@functools.cache
def _insert_sql(table: str, replace: bool) -> str:
    columns = COLUMNS[table]
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    return f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"


@functools.lru_cache(maxsize=64)
def _insert_rows_sql(table: str, rows: int) -> str:
    columns = COLUMNS[table]
    row = f"({', '.join('?' for _ in columns)})"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * rows)}"


class SqliteTx:
    """`StoreTx` over one open SQLite transaction (made by `SqliteStore`)."""

    def __init__(self, conn: sqlite3.Connection, *, writable: bool) -> None:
        self._conn = conn
        self.writable = writable
        # Balances read or moved in this transaction: an order reads each one several times.
        self._balances: dict[tuple[int, str], float] = {}
        self._customers: dict[int, Row] = {}

    # -- SQL helpers ----------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run a statement that changes state (refused in a read snapshot)."""
        if not self.writable:
            raise RuntimeError("this is a read snapshot; open Store.transaction() to write")
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

    def _put(self, table: str, record: Row, *, replace: bool = False) -> int:
        return self.insert(_insert_sql(table, replace), encode_record(table, record))

    # -- businesses, branches, catalog -------------------------------------------------
    def get_business(self, reference: str) -> Row | None:
        return self.row("SELECT * FROM businesses WHERE reference = ?", (reference,))

    def put_business(self, reference: str, name: str, pos_name: str, created_at: str) -> None:
        self.execute(
            "INSERT INTO businesses (reference, name, pos_name, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (reference) DO UPDATE SET name = excluded.name,"
            " pos_name = excluded.pos_name",
            (reference, name, pos_name, created_at),
        )

    def list_businesses(self) -> list[Row]:
        return self.rows("SELECT * FROM businesses ORDER BY reference")

    def put_branch(self, business_reference: str, branch_id: str, name: str, reference: str | None) -> None:
        self.execute(
            "INSERT OR REPLACE INTO branches (id, business_reference, name, reference) VALUES (?, ?, ?, ?)",
            (branch_id, business_reference, name, reference),
        )

    def list_branches(self, business_reference: str) -> list[Row]:
        return self.rows(
            "SELECT * FROM branches WHERE business_reference = ? ORDER BY id",
            (business_reference,),
        )

    def put_product(self, business_reference: str, product: Row) -> None:
        record = {"is_active": True, **product, "business_reference": business_reference}
        self._put("products", record, replace=True)

    def get_product(self, business_reference: str, product_id: str) -> Row | None:
        return self.row(
            "SELECT * FROM products WHERE business_reference = ? AND id = ?",
            (business_reference, product_id),
        )

    def list_products(self, business_reference: str) -> list[Row]:
        return self.rows(
            "SELECT * FROM products WHERE business_reference = ? ORDER BY id",
            (business_reference,),
        )

    # -- customers ----------------------------------------------------------------------
    def find_customer(self, business_reference: str, dial_code: int, mobile: str) -> Row | None:
        return self.row(
            "SELECT * FROM customers WHERE business_reference = ? AND dial_code = ? AND mobile = ?",
            (business_reference, dial_code, mobile),
        )

    def get_customer(self, customer_id: int) -> Row | None:
        # A redeem reads the code's owner twice (the check, then the answer): once is enough.
        known = self._customers.get(customer_id)
        if known is None:
            known = self.row("SELECT * FROM customers WHERE id = ?", (customer_id,))
            if known is not None:
                self._customers[customer_id] = known
        return None if known is None else dict(known)

    def add_customer(
        self,
        business_reference: str,
        dial_code: int,
        mobile: str,
        name: str | None,
        source: str,
        created_at: str,
    ) -> Row:
        new_id = self.insert(
            "INSERT INTO customers (business_reference, dial_code, mobile, name, source,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (business_reference, dial_code, mobile, name, source, created_at),
        )
        customer = self.get_customer(new_id)
        assert customer is not None
        return customer

    def rename_customer(self, customer_id: int, name: str | None) -> None:
        self.execute("UPDATE customers SET name = ? WHERE id = ?", (name, customer_id))
        self._customers.pop(customer_id, None)

    def customers_by_mobile(self, dial_code: int, mobile: str) -> list[Row]:
        return self.rows(
            "SELECT * FROM customers WHERE dial_code = ? AND mobile = ? ORDER BY id",
            (dial_code, mobile),
        )

    def list_customers(self, business_reference: str) -> list[Row]:
        return self.rows(
            "SELECT * FROM customers WHERE business_reference = ? ORDER BY id",
            (business_reference,),
        )

    # -- orders -------------------------------------------------------------------------
    def get_order(self, business_reference: str, order_id: str) -> Row | None:
        return self.row(
            "SELECT * FROM orders WHERE business_reference = ? AND id = ?",
            (business_reference, order_id),
        )

    def put_order(self, order: Row) -> None:
        self._put("orders", order, replace=True)

    def list_orders(
        self,
        *,
        business_reference: str | None = None,
        pos_name: str | None = None,
        order_ids: Sequence[str] | None = None,
        customer_ids: Sequence[int] | None = None,
        since: str | None = None,
        limit: int | None = None,
    ) -> list[Row]:
        sql = "SELECT * FROM orders WHERE 1 = 1"
        params: list[Any] = []
        for column, value in (("business_reference", business_reference), ("pos_name", pos_name)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        for column, values in (("id", order_ids), ("customer_id", customer_ids)):
            if values is not None:
                if not values:
                    return []
                sql += f" AND {column} IN ({', '.join('?' for _ in values)})"
                params.extend(values)
        if since is not None:
            sql += " AND updated_at >= ?"
            params.append(since)
        sql += " ORDER BY updated_at, business_reference, id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self.rows(sql, params)

    # -- loyalty ledger -----------------------------------------------------------------
    def add_entry(self, entry: Row) -> int:
        entry_id = self._put("ledger", entry)
        self._move_balances([entry])
        return entry_id

    def add_entries(self, entries: Sequence[Row]) -> None:
        if not entries:
            return
        if not self.writable:
            raise RuntimeError("this is a read snapshot; open Store.transaction() to write")
        columns = COLUMNS["ledger"]
        # One multi-row INSERT: executemany runs the statement once per row (slower here).
        self._conn.execute(
            _insert_rows_sql("ledger", len(entries)), [entry.get(c) for entry in entries for c in columns]
        )
        self._move_balances(entries)

    def _move_balances(self, entries: Sequence[Row]) -> None:
        """Move the running balances (one row per customer and program) by the entries.

        They move in the entries' transaction, so reading a balance stays O(1) however long
        the ledger grows (rounded: amounts carry at most 5 decimals).
        """
        moves: dict[tuple[int, str], float] = {}
        for entry in entries:
            key = (entry["customer_id"], entry["program"])
            moves[key] = moves.get(key, 0.0) + float(entry["amount"])
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
        # Read the new sums back by the key's prefix: cheaper than the upsert's RETURNING
        # (which SQLite runs as a slower, buffered statement).
        for customer in {customer for customer, _ in moves}:
            for program, amount in self._conn.execute(
                "SELECT program, amount FROM balances WHERE customer_id = ?",
                (customer,),
            ).fetchall():
                self._balances[(customer, program)] = float(amount)

    def entries(
        self,
        business_reference: str,
        *,
        customer_id: int | None = None,
        order_id: str | None = None,
        program: str | None = None,
    ) -> list[Row]:
        sql = "SELECT * FROM ledger WHERE business_reference = ?"
        params: list[Any] = [business_reference]
        for column, value in (("customer_id", customer_id), ("order_id", order_id), ("program", program)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        return self.rows(sql + " ORDER BY id", params)

    def balance(self, customer_id: int, program: str) -> float:
        key = (customer_id, program)
        known = self._balances.get(key)
        if known is None:
            found = self._conn.execute(
                "SELECT amount FROM balances WHERE customer_id = ? AND program = ?",
                key,
            ).fetchone()
            known = self._balances[key] = float(found[0]) if found else 0.0
        return known

    # -- rewards ------------------------------------------------------------------------
    def add_reward(self, reward: Row) -> bool:
        return self.add_rewards([reward]) == 1

    def add_rewards(self, rewards: Iterable[Row]) -> int:
        columns = COLUMNS["rewards"]
        sql = (
            f"INSERT OR IGNORE INTO rewards ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        )
        if not self.writable:
            raise RuntimeError("this is a read snapshot; open Store.transaction() to write")
        before = self._conn.total_changes
        self._conn.executemany(sql, (encode_record("rewards", reward) for reward in rewards))
        return self._conn.total_changes - before

    def get_reward(self, code: str) -> Row | None:
        return self.row("SELECT * FROM rewards WHERE code = ?", (code,))

    def transition_reward(self, code: str, from_status: str, to_status: str, at: str) -> bool:
        cursor = self.execute(
            "UPDATE rewards SET status = ?, updated_at = ? WHERE code = ? AND status = ?",
            (to_status, at, code, from_status),
        )
        return cursor.rowcount == 1

    def list_rewards(
        self, *, business_reference: str | None = None, customer_id: int | None = None
    ) -> list[Row]:
        sql = "SELECT * FROM rewards WHERE 1 = 1"
        params: list[Any] = []
        if business_reference is not None:
            sql += " AND business_reference = ?"
            params.append(business_reference)
        if customer_id is not None:
            sql += " AND customer_id = ?"
            params.append(customer_id)
        return self.rows(sql + " ORDER BY created_at, code", params)

    # -- redemptions --------------------------------------------------------------------
    def add_redemption(self, redemption: Row) -> Row:
        # A plain INSERT and a read by rowid: cheaper than ``RETURNING *``.
        rowid = self.insert(_insert_sql("redemptions", False), encode_record("redemptions", redemption))
        row = self.row("SELECT * FROM redemptions WHERE id = ?", (rowid,))
        assert row is not None
        return row

    def active_redemption(self, code: str) -> Row | None:
        return self.row("SELECT * FROM redemptions WHERE code = ? AND status = 'redeemed'", (code,))

    def order_redemptions(self, business_reference: str, order_id: str) -> list[Row]:
        return self.rows(
            "SELECT * FROM redemptions WHERE business_reference = ? AND order_id = ?"
            " AND status = 'redeemed' ORDER BY id",
            (business_reference, order_id),
        )

    def release_redemption(self, redemption_id: int, at: str) -> bool:
        cursor = self.execute(
            "UPDATE redemptions SET status = 'released', released_at = ?"
            " WHERE id = ? AND status = 'redeemed'",
            (at, redemption_id),
        )
        return cursor.rowcount == 1

    def list_redemptions(
        self,
        code: str | None = None,
        *,
        business_reference: str | None = None,
        order_id: str | None = None,
    ) -> list[Row]:
        sql = "SELECT * FROM redemptions WHERE 1 = 1"
        params: list[Any] = []
        for column, value in (
            ("code", code),
            ("business_reference", business_reference),
            ("order_id", order_id),
        ):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        return self.rows(sql + " ORDER BY id", params)

    # -- subscriptions ------------------------------------------------------------------
    def add_subscription(self, subscription: Row) -> int:
        return self._put("subscriptions", subscription)

    def subscriptions(self, customer_id: int) -> list[Row]:
        return self.rows("SELECT * FROM subscriptions WHERE customer_id = ? ORDER BY id", (customer_id,))

    # -- meta ---------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.row("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        self.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
