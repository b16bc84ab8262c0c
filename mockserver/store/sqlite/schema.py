"""SQLite schema of the store, and the mapping between rows and dicts.

Kept apart from `mockserver.store.sqlite.store` so the tables can be read in one place. JSON
columns hold lists/objects; boolean columns are 0/1 and come back as ``bool``.

Written once per request, so shaped for cheap commits: ids are plain ``INTEGER PRIMARY KEY``
(``AUTOINCREMENT`` would rewrite ``sqlite_sequence`` on every insert; ids restart only after
a reset empties the table), orders are clustered on their key (``WITHOUT ROWID``: no separate
index page), and ``balances`` holds each customer's running sum per program so reading a
balance does not grow with the ledger.
"""

from __future__ import annotations

import functools
import sqlite3
from typing import Any

import orjson

from loyapro_mock.mockserver.store.migrations import Migration, latest

__all__ = [
    "BOOL_COLUMNS",
    "COLUMNS",
    "JSON_COLUMNS",
    "MIGRATIONS",
    "SCHEMA",
    "SCHEMA_VERSION",
    "TABLES",
    "decode_row",
    "encode_record",
    "encode_value",
]

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS businesses (
    reference TEXT PRIMARY KEY, name TEXT NOT NULL, pos_name TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS branches (
    id TEXT PRIMARY KEY, business_reference TEXT NOT NULL, name TEXT, reference TEXT);
CREATE TABLE IF NOT EXISTS products (
    business_reference TEXT NOT NULL, id TEXT NOT NULL, sku TEXT, name TEXT,
    name_localized TEXT, price REAL, category TEXT, is_active INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (business_reference, id));
CREATE TABLE IF NOT EXISTS customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, business_reference TEXT NOT NULL,
    dial_code INTEGER NOT NULL, mobile TEXT NOT NULL, name TEXT, source TEXT NOT NULL,
    created_at TEXT NOT NULL, UNIQUE (business_reference, dial_code, mobile));
CREATE INDEX IF NOT EXISTS customers_mobile ON customers (dial_code, mobile);
CREATE TABLE IF NOT EXISTS orders (
    business_reference TEXT NOT NULL, id TEXT NOT NULL, pos_name TEXT,
    foodics_status INTEGER, status TEXT, state_key TEXT, payload_hash TEXT,
    customer_id INTEGER, total_price REAL, subtotal_price REAL, lines_total REAL,
    original_order_id TEXT, loyalty_state TEXT NOT NULL,
    reversed_fraction REAL NOT NULL DEFAULT 0, payload TEXT, created_at TEXT,
    updated_at TEXT, PRIMARY KEY (business_reference, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger (
    id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL,
    business_reference TEXT NOT NULL, program TEXT NOT NULL, kind TEXT NOT NULL,
    amount REAL NOT NULL, order_id TEXT, reward_code TEXT, note TEXT,
    created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_customer ON ledger (customer_id, program);
CREATE INDEX IF NOT EXISTS ledger_order ON ledger (business_reference, order_id);
CREATE TABLE IF NOT EXISTS rewards (
    code TEXT PRIMARY KEY, business_reference TEXT NOT NULL, customer_id INTEGER,
    kind TEXT NOT NULL, status TEXT NOT NULL, discount_amount REAL NOT NULL,
    is_percent INTEGER NOT NULL, max_discount_amount REAL, allowed_products TEXT,
    discount_includes_modifiers INTEGER NOT NULL, is_discount_taxable INTEGER NOT NULL,
    branch_ids TEXT, expires_at TEXT, program TEXT, source_order_id TEXT, session TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS rewards_customer ON rewards (customer_id);
CREATE TABLE IF NOT EXISTS redemptions (
    id INTEGER PRIMARY KEY, code TEXT NOT NULL,
    business_reference TEXT NOT NULL, order_id TEXT NOT NULL, branch_id TEXT,
    discount_amount REAL NOT NULL, product_id TEXT, user_id TEXT, date TEXT,
    status TEXT NOT NULL, redeemed_at TEXT NOT NULL, released_at TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS redemptions_one_active
    ON redemptions (code) WHERE status = 'redeemed';
CREATE INDEX IF NOT EXISTS redemptions_order ON redemptions (business_reference, order_id);
CREATE TABLE IF NOT EXISTS subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id INTEGER NOT NULL,
    business_reference TEXT NOT NULL, plan TEXT NOT NULL, starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY, received_at TEXT NOT NULL, pos TEXT,
    operation TEXT, verdict TEXT, session TEXT, entry TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS journal_received ON journal (received_at);
"""

BALANCES = """
CREATE TABLE IF NOT EXISTS balances (
    customer_id INTEGER NOT NULL, program TEXT NOT NULL, amount REAL NOT NULL,
    PRIMARY KEY (customer_id, program)) WITHOUT ROWID;
INSERT OR REPLACE INTO balances (customer_id, program, amount)
    SELECT customer_id, program, round(SUM(amount), 6) FROM ledger GROUP BY customer_id, program;
"""


def _statements(script: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in script.split(";") if s.strip())


#: The schema's versions (`mockserver.store.migrations`); a new step is appended, never edited.
MIGRATIONS = (
    Migration(1, "every table but balances", _statements(SCHEMA)),
    Migration(2, "balances: each customer's running sum per program, from the ledger", _statements(BALANCES)),
)
SCHEMA_VERSION = str(latest(MIGRATIONS))

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

#: Columns written by the generic insert helpers, per table.
COLUMNS: dict[str, tuple[str, ...]] = {
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
}

JSON_COLUMNS = frozenset({"allowed_products", "branch_ids", "payload", "entry"})
BOOL_COLUMNS = frozenset({"is_active", "is_percent", "discount_includes_modifiers", "is_discount_taxable"})


def encode_value(column: str, value: Any) -> Any:
    """Turn a dict value into what SQLite stores for ``column``."""
    if column in JSON_COLUMNS:
        return None if value is None else orjson.dumps(value).decode()
    if column in BOOL_COLUMNS:
        return 1 if value else 0
    return value


def _special(table: str) -> tuple[tuple[int, str], ...]:
    return tuple((i, c) for i, c in enumerate(COLUMNS[table]) if c in JSON_COLUMNS or c in BOOL_COLUMNS)


_SPECIAL = {table: _special(table) for table in COLUMNS}


def encode_record(table: str, record: dict[str, Any]) -> list[Any]:
    """The values of ``record`` for the columns of ``table`` (`COLUMNS` order), encoded."""
    values = [record.get(c) for c in COLUMNS[table]]
    for i, column in _SPECIAL[table]:
        values[i] = encode_value(column, values[i])
    return values


def decode_row(row: sqlite3.Row | None) -> dict[str, Any] | None:
    """Turn a SQLite row into a plain dict (JSON and boolean columns decoded)."""
    if row is None:
        return None
    keys = tuple(row.keys())
    out = dict(zip(keys, row, strict=True))
    for key, is_json in _special_keys(keys):
        value = out[key]
        if value is not None:
            out[key] = orjson.loads(value) if is_json else bool(value)
    return out


@functools.lru_cache(maxsize=256)
def _special_keys(keys: tuple[str, ...]) -> tuple[tuple[str, bool], ...]:
    """The JSON (True) and boolean (False) columns among a result's columns."""
    return tuple(
        (key, key in JSON_COLUMNS)
        for key in dict.fromkeys(keys)
        if key in JSON_COLUMNS or key in BOOL_COLUMNS
    )
