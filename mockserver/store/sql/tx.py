"""`StoreTx` once for both backends: the `mockserver.domain.records.StoreTx` methods as SQL.

`SqlTx` writes every statement with ``?`` placeholders. A backend's subclass runs them
(`execute`, `insert`, `row`, `rows`, `value`; PostgreSQL turns ``?`` into ``%s``) and says
what its dialect says otherwise: the insert that replaces a row (`_insert_sql`), an insert
that answers the new row (`_insert_row`), an ``IN`` list (`_in`), moving the running
balances (`_add_to_balances`) and seeding rewards (`add_rewards`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from loyapro_mock.mockserver.domain.records import Row
from loyapro_mock.mockserver.store.sql.rows import encode_record
from loyapro_mock.mockserver.store.sql.statements import insert_sql, select_sql, where_equal
from loyapro_mock.mockserver.store.sql.tables import COLUMNS

__all__ = ["READ_ONLY", "SqlTx"]

#: What a write in a read snapshot raises (RuntimeError).
READ_ONLY = "this is a read snapshot; open Store.transaction() to write"


class SqlTx:
    """`StoreTx` over one open transaction of a backend's connection ``conn``."""

    def __init__(self, conn: Any, *, writable: bool) -> None:
        self._conn = conn
        self.writable = writable
        # Rows read or moved in this transaction: an order reads each one several times.
        self._balances: dict[tuple[int, str], float] = {}
        self._customers: dict[int, Row] = {}
        self._businesses: dict[str, Row | None] = {}

    # -- what a backend runs its way -------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run a statement that changes state (refused in a read snapshot); its cursor."""
        raise NotImplementedError

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an INSERT of one row and return the new row's id."""
        raise NotImplementedError

    def row(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query as a dict, or None."""
        raise NotImplementedError

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row of a query as dicts."""
        raise NotImplementedError

    def value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of a query's first row (as stored), or None without a row."""
        raise NotImplementedError

    @staticmethod
    def _insert_sql(table: str, replace: bool) -> str:
        """The INSERT of one record of ``table``; with ``replace``, replacing the row of its key."""
        raise NotImplementedError

    def _insert_row(self, table: str, record: Row) -> Row:
        """Insert ``record`` into ``table`` and return the new row (its id included)."""
        raise NotImplementedError

    def _in(self, column: str, values: Sequence[Any], params: list[Any]) -> str:
        """The condition ``column`` is one of ``values`` (not empty); its parameters go to ``params``."""
        raise NotImplementedError

    def _add_to_balances(self, moves: dict[tuple[int, str], float]) -> None:
        """Add each move to its running balance and keep the new sums in ``_balances``."""
        raise NotImplementedError

    def add_rewards(self, rewards: Iterable[Row]) -> int:
        raise NotImplementedError

    def _put(self, table: str, record: Row, *, replace: bool = False) -> None:
        self.execute(self._insert_sql(table, replace), encode_record(table, record))

    def _add(self, table: str, record: Row) -> int:
        return self.insert(self._insert_sql(table, False), encode_record(table, record))

    # -- businesses, branches, catalog -------------------------------------------------
    def get_business(self, reference: str) -> Row | None:
        # An order reads its business twice (the check, then the programs): once is enough.
        if reference not in self._businesses:
            self._businesses[reference] = self.row(
                "SELECT * FROM businesses WHERE reference = ?", (reference,)
            )
        known = self._businesses[reference]
        return None if known is None else dict(known)

    def put_business(self, reference: str, name: str, pos_name: str, created_at: str) -> None:
        self.execute(
            "INSERT INTO businesses (reference, name, pos_name, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (reference) DO UPDATE SET name = excluded.name,"
            " pos_name = excluded.pos_name",
            (reference, name, pos_name, created_at),
        )
        self._businesses.pop(reference, None)

    def list_businesses(self) -> list[Row]:
        return self.rows("SELECT * FROM businesses ORDER BY reference")

    def put_branch(self, business_reference: str, branch_id: str, name: str, reference: str | None) -> None:
        branch = {
            "id": branch_id,
            "business_reference": business_reference,
            "name": name,
            "reference": reference,
        }
        self._put("branches", branch, replace=True)

    def list_branches(self, business_reference: str) -> list[Row]:
        return self.rows(
            "SELECT * FROM branches WHERE business_reference = ? ORDER BY id", (business_reference,)
        )

    def put_product(self, business_reference: str, product: Row) -> None:
        record = {"is_active": True, **product, "business_reference": business_reference}
        self._put("products", record, replace=True)

    def get_product(self, business_reference: str, product_id: str) -> Row | None:
        return self.row(
            "SELECT * FROM products WHERE business_reference = ? AND id = ?", (business_reference, product_id)
        )

    def list_products(self, business_reference: str) -> list[Row]:
        return self.rows(
            "SELECT * FROM products WHERE business_reference = ? ORDER BY id", (business_reference,)
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
        customer = self._insert_row(
            "customers",
            {
                "business_reference": business_reference,
                "dial_code": dial_code,
                "mobile": mobile,
                "name": name,
                "source": source,
                "created_at": created_at,
            },
        )
        self._customers[customer["id"]] = customer
        return dict(customer)

    def rename_customer(self, customer_id: int, name: str | None) -> None:
        self.execute("UPDATE customers SET name = ? WHERE id = ?", (name, customer_id))
        self._customers.pop(customer_id, None)

    def customers_by_mobile(self, dial_code: int, mobile: str) -> list[Row]:
        return self.rows(
            "SELECT * FROM customers WHERE dial_code = ? AND mobile = ? ORDER BY id", (dial_code, mobile)
        )

    def list_customers(self, business_reference: str) -> list[Row]:
        return self.rows(
            "SELECT * FROM customers WHERE business_reference = ? ORDER BY id", (business_reference,)
        )

    # -- orders -------------------------------------------------------------------------
    def get_order(self, business_reference: str, order_id: str) -> Row | None:
        return self.row(
            "SELECT * FROM orders WHERE business_reference = ? AND id = ?", (business_reference, order_id)
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
        clauses: list[str] = []
        params: list[Any] = []
        where_equal((("business_reference", business_reference), ("pos_name", pos_name)), clauses, params)
        for column, values in (("id", order_ids), ("customer_id", customer_ids)):
            if values is not None:
                if not values:
                    return []
                clauses.append(self._in(column, values, params))
        if since is not None:
            clauses.append("updated_at >= ?")
            params.append(since)
        tail = "ORDER BY updated_at, business_reference, id"
        if limit is not None:
            tail += " LIMIT ?"
            params.append(limit)
        return self.rows(select_sql("*", "orders", clauses, tail), params)

    # -- loyalty ledger -----------------------------------------------------------------
    def add_entry(self, entry: Row) -> int:
        entry_id = self._add("ledger", entry)
        self._move_balances([entry])
        return entry_id

    def add_entries(self, entries: Sequence[Row]) -> None:
        if not entries:
            return
        columns = COLUMNS["ledger"]
        # One multi-row INSERT: executemany runs the statement once per row (slower).
        self.execute(insert_sql("ledger", len(entries)), [entry.get(c) for entry in entries for c in columns])
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
        self._add_to_balances(moves)

    def entries(
        self,
        business_reference: str,
        *,
        customer_id: int | None = None,
        order_id: str | None = None,
        program: str | None = None,
    ) -> list[Row]:
        clauses = ["business_reference = ?"]
        params: list[Any] = [business_reference]
        where_equal(
            (("customer_id", customer_id), ("order_id", order_id), ("program", program)), clauses, params
        )
        return self.rows(select_sql("*", "ledger", clauses, "ORDER BY id"), params)

    def balance(self, customer_id: int, program: str) -> float:
        key = (customer_id, program)
        known = self._balances.get(key)
        if known is None:
            found = self.value("SELECT amount FROM balances WHERE customer_id = ? AND program = ?", key)
            known = self._balances[key] = 0.0 if found is None else float(found)
        return known

    # -- rewards ------------------------------------------------------------------------
    def add_reward(self, reward: Row) -> bool:
        return self.add_rewards([reward]) == 1

    def get_reward(self, code: str) -> Row | None:
        return self.row("SELECT * FROM rewards WHERE code = ?", (code,))

    def transition_reward(self, code: str, from_status: str, to_status: str, at: str) -> bool:
        cursor = self.execute(
            "UPDATE rewards SET status = ?, updated_at = ? WHERE code = ? AND status = ?",
            (to_status, at, code, from_status),
        )
        return bool(cursor.rowcount == 1)

    def list_rewards(
        self, *, business_reference: str | None = None, customer_id: int | None = None
    ) -> list[Row]:
        clauses: list[str] = []
        params: list[Any] = []
        where_equal(
            (("business_reference", business_reference), ("customer_id", customer_id)), clauses, params
        )
        return self.rows(select_sql("*", "rewards", clauses, "ORDER BY created_at, code"), params)

    # -- redemptions --------------------------------------------------------------------
    def add_redemption(self, redemption: Row) -> Row:
        return self._insert_row("redemptions", redemption)

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
        return bool(cursor.rowcount == 1)

    def list_redemptions(
        self,
        code: str | None = None,
        *,
        business_reference: str | None = None,
        order_id: str | None = None,
    ) -> list[Row]:
        clauses: list[str] = []
        params: list[Any] = []
        pairs = (("code", code), ("business_reference", business_reference), ("order_id", order_id))
        where_equal(pairs, clauses, params)
        return self.rows(select_sql("*", "redemptions", clauses, "ORDER BY id"), params)

    # -- subscriptions ------------------------------------------------------------------
    def add_subscription(self, subscription: Row) -> int:
        return self._add("subscriptions", subscription)

    def subscriptions(self, customer_id: int) -> list[Row]:
        return self.rows("SELECT * FROM subscriptions WHERE customer_id = ? ORDER BY id", (customer_id,))

    # -- meta ---------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        found = self.value("SELECT value FROM meta WHERE key = ?", (key,))
        return None if found is None else str(found)

    def set_meta(self, key: str, value: str) -> None:
        self._put("meta", {"key": key, "value": value}, replace=True)
