"""SQLite schema of the store: its tables (`mockserver.store.sql.tables`) in SQLite's types.

Kept apart from `mockserver.store.sqlite.store` so the tables can be read in one place. JSON
columns hold lists/objects as text; boolean columns are 0/1 and come back as ``bool``.

Written once per request, so shaped for cheap commits: ids are plain ``INTEGER PRIMARY KEY``
(``AUTOINCREMENT`` would rewrite ``sqlite_sequence`` on every insert; ids restart only after
a reset empties the table), orders are clustered on their key (``WITHOUT ROWID``: no separate
index page), and ``balances`` holds each customer's running sum per program so reading a
balance does not grow with the ledger.
"""

from __future__ import annotations

from loyapro_mock.mockserver.store.migrations import Migration, latest
from loyapro_mock.mockserver.store.sql.tables import statements

__all__ = ["MIGRATIONS", "SCHEMA", "SCHEMA_VERSION"]

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


#: The schema's versions (`mockserver.store.migrations`); a new step is appended, never edited.
MIGRATIONS = (
    Migration(1, "every table but balances", statements(SCHEMA)),
    Migration(2, "balances: each customer's running sum per program, from the ledger", statements(BALANCES)),
)
SCHEMA_VERSION = str(latest(MIGRATIONS))
