"""What the domain reads and writes, and the transactions it needs: the domain's side of storage.

The domain (`mockserver.domain`) works on `StoreTx` records inside transactions that a
`Transactions` object hands out; it never sees a database. The store layer
(`mockserver.store`) implements both: `mockserver.store.protocol.Store` is a `Transactions`
with a request journal, group commit and close on top.

Every state change of the mock (an order, a redeem, an issued reward, a reset) happens
inside **one** `Transactions.transaction()`; a backend must make those transactions
serializable against each other, also across processes sharing the same database (SQLite:
``BEGIN IMMEDIATE`` on a WAL file). Reads that must not change anything use
`Transactions.snapshot()`. Both context managers yield a `StoreTx`. Opening a transaction
or a snapshot while the same thread already holds one joins the outer one (no nesting, one
commit at the end).

Records are plain dicts ("rows") with the keys listed in each method's docstring. Money is a
float; times are ISO-8601 strings in UTC as made by `mockserver.domain.clock.iso`. Business
references are strings (``"440810"``). Mobiles are stored normalised: dial code as an int,
national number as a digit string (``966``, ``"557937530"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

__all__ = ["REWARD_STATUSES", "Row", "StoreTx", "Transactions"]

Row = dict[str, Any]

#: Every status a reward row can hold (``expired`` is also derived from the clock on read).
REWARD_STATUSES = ("issued", "redeemed", "expired", "cancelled")


class StoreTx(Protocol):
    """The data access of one transaction (or read snapshot)."""

    # -- businesses, branches, catalog -------------------------------------------------
    def get_business(self, reference: str) -> Row | None:
        """``{reference, name, pos_name, created_at}`` or None."""

    def put_business(self, reference: str, name: str, pos_name: str, created_at: str) -> None:
        """Create or update a business (keeps ``created_at`` of an existing one)."""

    def list_businesses(self) -> list[Row]:
        """Every business, ordered by reference."""

    def put_branch(self, business_reference: str, branch_id: str, name: str, reference: str | None) -> None:
        """Create or update a branch ``{id, business_reference, name, reference}``."""

    def list_branches(self, business_reference: str) -> list[Row]:
        """The branches of a business, ordered by id."""

    def put_product(self, business_reference: str, product: Row) -> None:
        """Create or update a catalog product.

        ``product`` keys: ``id`` (required), ``sku``, ``name``, ``name_localized``, ``price``,
        ``category``, ``is_active`` (default True).
        """

    def get_product(self, business_reference: str, product_id: str) -> Row | None:
        """A product by id, or None."""

    def list_products(self, business_reference: str) -> list[Row]:
        """The catalog of a business, ordered by id."""

    # -- customers ----------------------------------------------------------------------
    def find_customer(self, business_reference: str, dial_code: int, mobile: str) -> Row | None:
        """A customer by normalised mobile within a business.

        Row: ``{id, business_reference, dial_code, mobile, name, source, created_at}``.
        """

    def get_customer(self, customer_id: int) -> Row | None:
        """A customer by id, or None."""

    def add_customer(
        self,
        business_reference: str,
        dial_code: int,
        mobile: str,
        name: str | None,
        source: str,
        created_at: str,
    ) -> Row:
        """Insert a customer and return its row (with the new ``id``).

        (business_reference, dial_code, mobile) is unique; inserting a duplicate raises.
        """

    def rename_customer(self, customer_id: int, name: str | None) -> None:
        """Set a customer's name."""

    def customers_by_mobile(self, dial_code: int, mobile: str) -> list[Row]:
        """Every customer with this mobile, across businesses, oldest first."""

    def list_customers(self, business_reference: str) -> list[Row]:
        """The customers of a business, oldest first."""

    # -- orders -------------------------------------------------------------------------
    def get_order(self, business_reference: str, order_id: str) -> Row | None:
        """An order row or None.

        Row keys: ``business_reference, id, pos_name, foodics_status, status, state_key,
        payload_hash, customer_id, total_price, subtotal_price, lines_total,
        original_order_id, loyalty_state, reversed_fraction, payload (dict or None; the
        use cases leave it None: the journal keeps each request's body), created_at, updated_at``.
        """

    def put_order(self, order: Row) -> None:
        """Insert or replace an order row (keys as in `get_order`)."""

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
        """Orders, filtered, least recently updated first (then by business and id).

        ``order_ids`` and ``customer_ids`` keep the orders with those ids, of those
        customers (an empty sequence keeps none); ``since`` (an instant as
        `mockserver.domain.clock.iso` makes them) keeps the orders created or updated at or
        after it (``updated_at >= since``); ``limit`` keeps the first ones. Rows as in
        `get_order`.
        """

    # -- loyalty ledger -----------------------------------------------------------------
    def add_entry(self, entry: Row) -> int:
        """Append a ledger entry and return its id.

        Keys: ``customer_id, business_reference, program`` (points | stamps | cashback |
        subscriptions | rewards), ``kind`` (earn | reverse | convert | grant | refund |
        redeem | release), ``amount`` (signed; balances are the sum per program),
        ``order_id``, ``reward_code``, ``note``, ``created_at``.
        """

    def add_entries(self, entries: Sequence[Row]) -> None:
        """Append several ledger entries (keys as in `add_entry`) in one go."""

    def entries(
        self,
        business_reference: str,
        *,
        customer_id: int | None = None,
        order_id: str | None = None,
        program: str | None = None,
    ) -> list[Row]:
        """Ledger entries of a business, filtered, in insertion order."""

    def balance(self, customer_id: int, program: str) -> float:
        """Sum of the amounts of a customer's entries for one program (0 when none).

        Read once or more per order, so it must not grow with the ledger: the SQLite
        backend keeps the sum in a ``balances`` table that `add_entry` moves.
        """

    # -- rewards ------------------------------------------------------------------------
    def add_reward(self, reward: Row) -> bool:
        """Insert a reward; False (and nothing written) when the code already exists.

        Keys: ``code, business_reference, customer_id, kind, status, discount_amount,
        is_percent, max_discount_amount, allowed_products (list|None),
        discount_includes_modifiers, is_discount_taxable, branch_ids (list|None),
        expires_at, program, source_order_id, session, created_at, updated_at``.
        """

    def add_rewards(self, rewards: Iterable[Row]) -> int:
        """Insert many rewards at once (bulk seeding); codes already taken are skipped.

        Returns how many were inserted. Keys as in `add_reward`.
        """

    def get_reward(self, code: str) -> Row | None:
        """A reward by code (case-sensitive), or None."""

    def transition_reward(self, code: str, from_status: str, to_status: str, at: str) -> bool:
        """Conditional update: set ``to_status`` only if the reward is in ``from_status``.

        Returns True when exactly one row changed. This is the exactly-once primitive of
        the ledger: two transactions can never both move a code out of ``issued``.
        """

    def list_rewards(
        self, *, business_reference: str | None = None, customer_id: int | None = None
    ) -> list[Row]:
        """Rewards, filtered, oldest first."""

    # -- redemptions --------------------------------------------------------------------
    def add_redemption(self, redemption: Row) -> Row:
        """Insert a redemption and return it with its new ``id``.

        Keys: ``code, business_reference, order_id, branch_id, discount_amount, product_id,
        user_id, date, status`` (redeemed | released), ``redeemed_at``, ``released_at``.
        At most one redemption per code may have status ``redeemed`` (enforced).
        """

    def active_redemption(self, code: str) -> Row | None:
        """The redemption of a code with status ``redeemed``, or None."""

    def order_redemptions(self, business_reference: str, order_id: str) -> list[Row]:
        """Active (``redeemed``) redemptions made on an order."""

    def release_redemption(self, redemption_id: int, at: str) -> bool:
        """Conditional update ``redeemed`` -> ``released``; True when it changed."""

    def list_redemptions(
        self,
        code: str | None = None,
        *,
        business_reference: str | None = None,
        order_id: str | None = None,
    ) -> list[Row]:
        """Redemptions, oldest first: of one code, or made on one order, or all.

        Unlike `order_redemptions`, released ones are listed too. Filters combine.
        """

    # -- subscriptions ------------------------------------------------------------------
    def add_subscription(self, subscription: Row) -> int:
        """Insert ``{customer_id, business_reference, plan, starts_at, ends_at}``; return id."""

    def subscriptions(self, customer_id: int) -> list[Row]:
        """A customer's subscriptions, oldest first."""

    # -- meta ---------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A stored setting (e.g. the clock offset), or None."""

    def set_meta(self, key: str, value: str) -> None:
        """Store a setting."""


class Transactions(Protocol):
    """Hands out the transactions every use case runs in."""

    def transaction(self) -> AbstractContextManager[StoreTx]:
        """A write transaction; commits on exit, rolls back on an exception."""

    def snapshot(self) -> AbstractContextManager[StoreTx]:
        """A read-only view; writes through it are not allowed."""

    def reset(self) -> None:
        """Forget all state: every table, the journal and the clock offset."""
