"""One PostgreSQL transaction: the `mockserver.domain.records.StoreTx` methods as SQL.

The same statements as `mockserver.store.sqlite.tx`, in PostgreSQL's dialect: ``%s``
placeholders, ``ON CONFLICT`` for SQLite's ``OR REPLACE`` / ``OR IGNORE``, ``RETURNING``
for new ids, and one round trip where SQLite would take two.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
import psycopg

from loyapro_mock.mockserver.domain.records import Row
from loyapro_mock.mockserver.store.sqlite.schema import COLUMNS, JSON_COLUMNS

__all__ = ["PostgresTx", "decode_row", "encode_record"]

#: The primary key of each table written by the generic insert helpers.
_KEYS = {
    "products": ("business_reference", "id"),
    "orders": ("business_reference", "id"),
    "rewards": ("code",),
}
#: Rows per multi-row INSERT when seeding many rewards.
_CHUNK = 500


def encode_record(table: str, record: Row) -> list[Any]:
    """The values of ``record`` for the columns of ``table``; JSON columns as text."""
    values = [record.get(c) for c in COLUMNS[table]]
    for i, column in enumerate(COLUMNS[table]):
        if column in JSON_COLUMNS and values[i] is not None:
            values[i] = orjson.dumps(values[i]).decode()
        elif column in _BOOLS and values[i] is not None:
            values[i] = bool(values[i])
    return values


_BOOLS = frozenset({"is_active", "is_percent", "discount_includes_modifiers", "is_discount_taxable"})


def decode_row(row: dict[str, Any] | None) -> Row | None:
    """A row as a plain dict, its JSON columns decoded."""
    if row is None:
        return None
    for key in JSON_COLUMNS.intersection(row):
        value = row[key]
        if value is not None:
            row[key] = orjson.loads(value)
    return row


@functools.cache
def _insert_sql(table: str, replace: bool, returning: bool = False) -> str:
    columns = COLUMNS[table]
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('%s' for _ in columns)})"
    if replace:
        keys = _KEYS[table]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
        sql += f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    if returning:
        sql += " RETURNING id"
    return sql


@functools.lru_cache(maxsize=64)
def _insert_rows_sql(table: str, rows: int, suffix: str = "") -> str:
    columns = COLUMNS[table]
    row = f"({', '.join('%s' for _ in columns)})"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * rows)}{suffix}"


class PostgresTx:
    """`StoreTx` over one open PostgreSQL transaction (made by `PostgresStore`)."""

    def __init__(self, conn: psycopg.Connection[Any], *, writable: bool) -> None:
        self._conn = conn
        self.writable = writable
        # Balances read or moved in this transaction: an order reads each one several times.
        self._balances: dict[tuple[int, str], float] = {}
        self._customers: dict[int, Row] = {}
        self._businesses: dict[str, Row | None] = {}

    # -- SQL helpers ----------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        """Run a statement that changes state (refused in a read snapshot)."""
        if not self.writable:
            raise RuntimeError("this is a read snapshot; open Store.transaction() to write")
        return self._conn.execute(sql, params)

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an ``INSERT ... RETURNING id`` and return the new id."""
        found = self.execute(sql, params).fetchone()
        assert found is not None
        return int(found["id"])

    def row(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query as a dict, or None."""
        return decode_row(self._conn.execute(sql, params).fetchone())

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row of a query as dicts."""
        return [decode_row(r) or {} for r in self._conn.execute(sql, params).fetchall()]

    def _put(self, table: str, record: Row, *, replace: bool = False, returning: bool = False) -> int:
        values = encode_record(table, record)
        if returning:
            return self.insert(_insert_sql(table, replace, True), values)
        self.execute(_insert_sql(table, replace), values)
        return 0

    # -- businesses, branches, catalog -------------------------------------------------
    def get_business(self, reference: str) -> Row | None:
        # An order reads its business twice (the check, then the programs): once is enough.
        if reference not in self._businesses:
            self._businesses[reference] = self.row(
                "SELECT * FROM businesses WHERE reference = %s", (reference,)
            )
        known = self._businesses[reference]
        return None if known is None else dict(known)

    def put_business(self, reference: str, name: str, pos_name: str, created_at: str) -> None:
        self.execute(
            "INSERT INTO businesses (reference, name, pos_name, created_at) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (reference) DO UPDATE SET name = excluded.name,"
            " pos_name = excluded.pos_name",
            (reference, name, pos_name, created_at),
        )
        self._businesses.pop(reference, None)

    def list_businesses(self) -> list[Row]:
        return self.rows("SELECT * FROM businesses ORDER BY reference")

    def put_branch(self, business_reference: str, branch_id: str, name: str, reference: str | None) -> None:
        self.execute(
            "INSERT INTO branches (id, business_reference, name, reference) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET business_reference = excluded.business_reference,"
            " name = excluded.name, reference = excluded.reference",
            (branch_id, business_reference, name, reference),
        )

    def list_branches(self, business_reference: str) -> list[Row]:
        return self.rows(
            "SELECT * FROM branches WHERE business_reference = %s ORDER BY id",
            (business_reference,),
        )

    def put_product(self, business_reference: str, product: Row) -> None:
        record = {"is_active": True, **product, "business_reference": business_reference}
        self._put("products", record, replace=True)

    def get_product(self, business_reference: str, product_id: str) -> Row | None:
        return self.row(
            "SELECT * FROM products WHERE business_reference = %s AND id = %s",
            (business_reference, product_id),
        )

    def list_products(self, business_reference: str) -> list[Row]:
        return self.rows(
            "SELECT * FROM products WHERE business_reference = %s ORDER BY id",
            (business_reference,),
        )

    # -- customers ----------------------------------------------------------------------
    def find_customer(self, business_reference: str, dial_code: int, mobile: str) -> Row | None:
        return self.row(
            "SELECT * FROM customers WHERE business_reference = %s AND dial_code = %s AND mobile = %s",
            (business_reference, dial_code, mobile),
        )

    def get_customer(self, customer_id: int) -> Row | None:
        # A redeem reads the code's owner twice (the check, then the answer): once is enough.
        known = self._customers.get(customer_id)
        if known is None:
            known = self.row("SELECT * FROM customers WHERE id = %s", (customer_id,))
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
        found = self.execute(
            "INSERT INTO customers (business_reference, dial_code, mobile, name, source,"
            " created_at) VALUES (%s, %s, %s, %s, %s, %s) RETURNING *",
            (business_reference, dial_code, mobile, name, source, created_at),
        ).fetchone()
        assert found is not None
        customer: Row = dict(found)
        self._customers[customer["id"]] = customer
        return dict(customer)

    def rename_customer(self, customer_id: int, name: str | None) -> None:
        self.execute("UPDATE customers SET name = %s WHERE id = %s", (name, customer_id))
        self._customers.pop(customer_id, None)

    def customers_by_mobile(self, dial_code: int, mobile: str) -> list[Row]:
        return self.rows(
            "SELECT * FROM customers WHERE dial_code = %s AND mobile = %s ORDER BY id",
            (dial_code, mobile),
        )

    def list_customers(self, business_reference: str) -> list[Row]:
        return self.rows(
            "SELECT * FROM customers WHERE business_reference = %s ORDER BY id",
            (business_reference,),
        )

    # -- orders -------------------------------------------------------------------------
    def get_order(self, business_reference: str, order_id: str) -> Row | None:
        return self.row(
            "SELECT * FROM orders WHERE business_reference = %s AND id = %s",
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
        sql = "SELECT * FROM orders WHERE true"
        params: list[Any] = []
        for column, value in (("business_reference", business_reference), ("pos_name", pos_name)):
            if value is not None:
                sql += f" AND {column} = %s"
                params.append(value)
        for column, values in (("id", order_ids), ("customer_id", customer_ids)):
            if values is not None:
                if not values:
                    return []
                sql += f" AND {column} = ANY(%s)"
                params.append(list(values))
        if since is not None:
            sql += " AND updated_at >= %s"
            params.append(since)
        sql += " ORDER BY updated_at, business_reference, id"
        if limit is not None:
            sql += " LIMIT %s"
            params.append(limit)
        return self.rows(sql, params)

    # -- loyalty ledger -----------------------------------------------------------------
    def add_entry(self, entry: Row) -> int:
        entry_id = self._put("ledger", entry, returning=True)
        self._move_balances([entry])
        return entry_id

    def add_entries(self, entries: Sequence[Row]) -> None:
        if not entries:
            return
        columns = COLUMNS["ledger"]
        self.execute(
            _insert_rows_sql("ledger", len(entries)), [entry.get(c) for entry in entries for c in columns]
        )
        self._move_balances(entries)

    def _move_balances(self, entries: Sequence[Row]) -> None:
        """Move the running balances (one row per customer and program) by the entries, in
        their transaction, and keep the new sums (rounded: amounts carry at most 5 decimals)."""
        moves: dict[tuple[int, str], float] = {}
        for entry in entries:
            key = (entry["customer_id"], entry["program"])
            moves[key] = moves.get(key, 0.0) + float(entry["amount"])
        values = ", ".join("(%s, %s, %s)" for _ in moves)
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

    def entries(
        self,
        business_reference: str,
        *,
        customer_id: int | None = None,
        order_id: str | None = None,
        program: str | None = None,
    ) -> list[Row]:
        sql = "SELECT * FROM ledger WHERE business_reference = %s"
        params: list[Any] = [business_reference]
        for column, value in (("customer_id", customer_id), ("order_id", order_id), ("program", program)):
            if value is not None:
                sql += f" AND {column} = %s"
                params.append(value)
        return self.rows(sql + " ORDER BY id", params)

    def balance(self, customer_id: int, program: str) -> float:
        key = (customer_id, program)
        known = self._balances.get(key)
        if known is None:
            found = self._conn.execute(
                "SELECT amount FROM balances WHERE customer_id = %s AND program = %s",
                key,
            ).fetchone()
            known = self._balances[key] = float(found["amount"]) if found else 0.0
        return known

    # -- rewards ------------------------------------------------------------------------
    def add_reward(self, reward: Row) -> bool:
        return self.add_rewards([reward]) == 1

    def add_rewards(self, rewards: Iterable[Row]) -> int:
        if not self.writable:
            raise RuntimeError("this is a read snapshot; open Store.transaction() to write")
        values = [encode_record("rewards", reward) for reward in rewards]
        inserted = 0
        for start in range(0, len(values), _CHUNK):
            chunk = values[start : start + _CHUNK]
            cursor = self.execute(
                _insert_rows_sql("rewards", len(chunk), " ON CONFLICT (code) DO NOTHING"),
                [value for row in chunk for value in row],
            )
            inserted += max(cursor.rowcount, 0)
        return inserted

    def get_reward(self, code: str) -> Row | None:
        return self.row("SELECT * FROM rewards WHERE code = %s", (code,))

    def transition_reward(self, code: str, from_status: str, to_status: str, at: str) -> bool:
        cursor = self.execute(
            "UPDATE rewards SET status = %s, updated_at = %s WHERE code = %s AND status = %s",
            (to_status, at, code, from_status),
        )
        return cursor.rowcount == 1

    def list_rewards(
        self, *, business_reference: str | None = None, customer_id: int | None = None
    ) -> list[Row]:
        sql = "SELECT * FROM rewards WHERE true"
        params: list[Any] = []
        if business_reference is not None:
            sql += " AND business_reference = %s"
            params.append(business_reference)
        if customer_id is not None:
            sql += " AND customer_id = %s"
            params.append(customer_id)
        return self.rows(sql + " ORDER BY created_at, code", params)

    # -- redemptions --------------------------------------------------------------------
    def add_redemption(self, redemption: Row) -> Row:
        found = self.execute(
            _insert_sql("redemptions", False) + " RETURNING *", encode_record("redemptions", redemption)
        ).fetchone()
        row = decode_row(found)
        assert row is not None
        return row

    def active_redemption(self, code: str) -> Row | None:
        return self.row("SELECT * FROM redemptions WHERE code = %s AND status = 'redeemed'", (code,))

    def order_redemptions(self, business_reference: str, order_id: str) -> list[Row]:
        return self.rows(
            "SELECT * FROM redemptions WHERE business_reference = %s AND order_id = %s"
            " AND status = 'redeemed' ORDER BY id",
            (business_reference, order_id),
        )

    def release_redemption(self, redemption_id: int, at: str) -> bool:
        cursor = self.execute(
            "UPDATE redemptions SET status = 'released', released_at = %s"
            " WHERE id = %s AND status = 'redeemed'",
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
        sql = "SELECT * FROM redemptions WHERE true"
        params: list[Any] = []
        for column, value in (
            ("code", code),
            ("business_reference", business_reference),
            ("order_id", order_id),
        ):
            if value is not None:
                sql += f" AND {column} = %s"
                params.append(value)
        return self.rows(sql + " ORDER BY id", params)

    # -- subscriptions ------------------------------------------------------------------
    def add_subscription(self, subscription: Row) -> int:
        return self._put("subscriptions", subscription, returning=True)

    def subscriptions(self, customer_id: int) -> list[Row]:
        return self.rows("SELECT * FROM subscriptions WHERE customer_id = %s ORDER BY id", (customer_id,))

    # -- meta ---------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.row("SELECT value FROM meta WHERE key = %s", (key,))
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO meta (key, value) VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
