"""What LoyaPro ended up holding after a session: the evidence the outcome checks grade.

After the cashier's steps the harness reads the mock's state through its admin API: the
session customer (balances, ledger, codes), every order the session's POS sent during the
session as the mock holds it (status, customer, the ledger entries booked on it, the codes
redeemed on it), and each session reward code with its redemptions. A state that cannot be
read is kept as an ``error``: the outcome checks then fail, they never pass on a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from loyapro_mock.contracts.findings import Evidence
from loyapro_mock.contracts.mock_admin import MockAdmin, MockAdminError
from loyapro_mock.contracts.session import CertSession

__all__ = ["BALANCE_PROGRAMS", "IDS_PER_CALL", "MockState", "amounts", "read_state", "state_evidence"]

#: The programs whose balance orders move (the customer view's ``balances``).
BALANCE_PROGRAMS = ("points", "stamps", "cashback")
#: Order ids read per admin call (the admin API's maximum).
IDS_PER_CALL = 25


def state_evidence(ref: str, summary: str = "") -> Evidence:
    """Evidence pointing at what the mock holds (``"order 9edb65d0"``, ``"code FIX-7Q2M9K"``)."""
    return Evidence(kind="mock_state", ref=ref, summary=summary)


@dataclass(frozen=True)
class MockState:
    """The mock's state for one session, as its admin API showed it after the session."""

    customer: dict[str, Any] = field(default_factory=dict)  # GET /__admin/customers/{mobile}
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> GET /__admin/orders item
    rewards: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> GET /__admin/rewards/{code}
    orders_query: str = ""  # the query of the admin call that read the orders, to reproduce it
    error: str = ""  # why the state could not be read (empty when it was)

    @property
    def customer_id(self) -> int | None:
        """The mock's id of the session customer (None when unknown)."""
        customer = self.customer.get("customer")
        value = customer.get("id") if isinstance(customer, dict) else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def balances(self) -> dict[str, float]:
        """The session customer's balance per program (0 for a program not shown)."""
        shown = self.customer.get("balances")
        shown = shown if isinstance(shown, dict) else {}
        return {program: _number(shown.get(program)) for program in BALANCE_PROGRAMS}

    def ledger(self) -> list[dict[str, Any]]:
        """The session customer's ledger entries (every order, also outside the session)."""
        entries = self.customer.get("ledger")
        return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []

    def order(self, order_id: str | None) -> dict[str, Any] | None:
        """The order as the mock holds it, or None when it holds no such session order."""
        return self.orders.get(order_id) if order_id is not None else None

    def sales(self) -> list[dict[str, Any]]:
        """The session's orders that end Paid and are not return orders."""
        return [
            order
            for order in self.orders.values()
            if order.get("status") == "Paid" and not order.get("original_order_id")
        ]

    def returns_of(self, order_id: str) -> list[dict[str, Any]]:
        """The session's return orders the mock links to ``order_id``."""
        return [order for order in self.orders.values() if order.get("original_order_id") == order_id]

    def reward(self, code: str) -> dict[str, Any]:
        """The code as the mock holds it (``{}`` when it could not be read)."""
        found = self.rewards.get(code, {}).get("reward")
        return found if isinstance(found, dict) else {}

    def redemptions(self, code: str) -> list[dict[str, Any]]:
        """Every redemption of a session code, oldest first."""
        found = self.rewards.get(code, {}).get("redemptions")
        return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def amounts(
    order: dict[str, Any], *, customer_id: int | None = None, kinds: Iterable[str] | None = None
) -> dict[str, float]:
    """Per balance program, the sum of the order's ledger entries (of ``customer_id``, or of
    every customer; of the given kinds, or all), rounded to 5 decimals. Programs without
    entries are left out."""
    wanted = None if kinds is None else set(kinds)
    total: dict[str, float] = {}
    ledger = order.get("ledger")
    for entry in ledger if isinstance(ledger, list) else []:
        if not isinstance(entry, dict) or (
            customer_id is not None and entry.get("customer_id") != customer_id
        ):
            continue
        program = entry.get("program")
        if program not in BALANCE_PROGRAMS or (wanted is not None and entry.get("kind") not in wanted):
            continue
        total[str(program)] = round(total.get(str(program), 0.0) + _number(entry.get("amount")), 5)
    return total


def _read_orders(admin: MockAdmin, session: CertSession, wanted: list[str]) -> dict[str, dict[str, Any]]:
    """The wanted orders as the mock holds them in the session's business, by id."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), IDS_PER_CALL):
        chunk = wanted[start : start + IDS_PER_CALL]
        for order in admin.orders(business=session.business_reference, ids=chunk, limit=len(chunk)):
            if isinstance(order, dict) and str(order.get("id")) in chunk:
                found[str(order["id"])] = order
    return found


def read_state(
    session: CertSession, *, order_ids: Iterable[str], admin: MockAdmin | None = None
) -> MockState:
    """Read the session's state from the mock (never raises: a failure becomes ``error``).

    ``order_ids`` are the orders the session's POS sent (from the session's journal); they
    are read from the session's business, however long ago the mock last changed them.
    """
    admin = admin or MockAdmin(session.mock_url)
    wanted = list(dict.fromkeys(str(order_id) for order_id in order_ids))
    query = urlencode([("business", session.business_reference), *(("id", i) for i in wanted[:IDS_PER_CALL])])
    customer = session.customer
    try:
        view = admin.customer(customer.mobile, customer.dial_code, business=session.business_reference)
        orders = _read_orders(admin, session, wanted)
        rewards = {reward.code: admin.reward(reward.code) for reward in session.rewards}
    except (MockAdminError, ValueError, TypeError, KeyError) as exc:
        return MockState(orders_query=query, error=f"{type(exc).__name__}: {exc}")
    state = MockState(
        customer=view if isinstance(view, dict) else {}, orders=orders, rewards=rewards, orders_query=query
    )
    if state.customer_id is None:
        return MockState(orders_query=query, error="the session customer's view names no customer id")
    return state
