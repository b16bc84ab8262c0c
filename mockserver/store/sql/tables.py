"""The tables of the store as every backend has them: names, written columns, keys and the
columns whose values are mapped (JSON text, booleans). The DDL is each backend's own."""

from __future__ import annotations

__all__ = ["BOOL_COLUMNS", "COLUMNS", "JSON_COLUMNS", "KEYS", "TABLES", "statements"]

#: Tables emptied by a reset, children first.
TABLES = (
    "journal",
    "subscriptions",
    "redemptions",
    "rewards",
    "balances",
    "ledger",
    "orders",
    "customers",
    "products",
    "branches",
    "businesses",
    "meta",
)

#: Columns written by the generic insert helpers, per table (ids are the database's).
COLUMNS: dict[str, tuple[str, ...]] = {
    "meta": ("key", "value"),
    "branches": ("id", "business_reference", "name", "reference"),
    "products": (
        "business_reference",
        "id",
        "sku",
        "name",
        "name_localized",
        "price",
        "category",
        "is_active",
    ),
    "customers": ("business_reference", "dial_code", "mobile", "name", "source", "created_at"),
    "orders": (
        "business_reference",
        "id",
        "pos_name",
        "foodics_status",
        "status",
        "state_key",
        "payload_hash",
        "customer_id",
        "total_price",
        "subtotal_price",
        "lines_total",
        "original_order_id",
        "loyalty_state",
        "reversed_fraction",
        "payload",
        "created_at",
        "updated_at",
    ),
    "ledger": (
        "customer_id",
        "business_reference",
        "program",
        "kind",
        "amount",
        "order_id",
        "reward_code",
        "note",
        "created_at",
    ),
    "rewards": (
        "code",
        "business_reference",
        "customer_id",
        "kind",
        "status",
        "discount_amount",
        "is_percent",
        "max_discount_amount",
        "allowed_products",
        "discount_includes_modifiers",
        "is_discount_taxable",
        "branch_ids",
        "expires_at",
        "program",
        "source_order_id",
        "session",
        "created_at",
        "updated_at",
    ),
    "redemptions": (
        "code",
        "business_reference",
        "order_id",
        "branch_id",
        "discount_amount",
        "product_id",
        "user_id",
        "date",
        "status",
        "redeemed_at",
        "released_at",
    ),
    "subscriptions": ("customer_id", "business_reference", "plan", "starts_at", "ends_at"),
    "journal": ("received_at", "pos", "operation", "verdict", "session", "entry"),
}

#: The primary key of each table a record replaces a row of (an upsert's conflict target).
KEYS: dict[str, tuple[str, ...]] = {
    "meta": ("key",),
    "branches": ("id",),
    "products": ("business_reference", "id"),
    "orders": ("business_reference", "id"),
    "rewards": ("code",),
}

#: Columns holding JSON text (lists, objects), written and read with orjson.
JSON_COLUMNS = frozenset({"allowed_products", "branch_ids", "payload", "entry"})
#: Columns holding booleans (SQLite's 0/1, PostgreSQL's ``boolean``).
BOOL_COLUMNS = frozenset({"is_active", "is_percent", "discount_includes_modifiers", "is_discount_taxable"})


def statements(script: str) -> tuple[str, ...]:
    """The statements of an SQL script (split on ``;``, none of them empty)."""
    return tuple(s.strip() for s in script.split(";") if s.strip())
