"""Who a webhook call is for, and which sale an order is: what the session checks compare.

A call names a customer (an order's ``customer``, a lookup's or redeem's
``customer_mobile_number``) and a business (``business.reference`` /
``business_reference``); :func:`customer_of` and :func:`business_of` read them the way the
mock matches them. A *sale* is a paid order as a receipt shows it (customer, lines, total);
:func:`repeated_sales` finds the same sale sent under different order ids, close together:
the mark of a retry that regenerated the order's identifiers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from loyapro_mock.contracts.inbound.evidence import InboundEvidence, JournalEntry
from loyapro_mock.contracts.inbound.support import PAID, RETURNED, VOID_STATUSES, fmt, lines, number, obj
from loyapro_mock.contracts.session import SessionCustomer
from loyapro_mock.mockserver.domain.customers import normalise_mobile

__all__ = [
    "REPEAT_WINDOW",
    "Sale",
    "business_of",
    "changed_identifiers",
    "customer_of",
    "earned",
    "earns",
    "received_at",
    "repeated_sales",
    "session_mobile",
]

#: Two identical sales further apart than this are taken as two real sales.
REPEAT_WINDOW = timedelta(minutes=10)


def _international(value: Any, dial_code: Any) -> str:
    """``+966 557937530`` for any spelling of a mobile; the value as sent when it is not one."""
    try:
        dial, mobile = normalise_mobile(
            value if isinstance(value, str | int) and not isinstance(value, bool) else str(value),
            dial_code if isinstance(dial_code, str | int) and not isinstance(dial_code, bool) else None,
        )
    except ValueError:
        return f"{value!r} (not a mobile number)"
    return f"+{dial} {mobile}"


def session_mobile(customer: SessionCustomer) -> str:
    """A session customer's mobile, spelled as :func:`customer_of` spells mobiles."""
    return _international(customer.mobile, customer.dial_code)


def customer_of(entry: JournalEntry) -> str | None:
    """The customer a call names, as ``+966 557937530`` (None when it names none)."""
    if entry.operation == "order":
        customer = entry.order.get("customer")
        if not isinstance(customer, dict):
            return None
        phone = customer.get("phone") or customer.get("mobile")
        return None if phone in (None, "") else _international(phone, customer.get("dial_code"))
    if entry.operation in ("reward", "redeem"):
        mobile = entry.field("customer_mobile_number")
        return None if mobile in (None, "") else _international(mobile, entry.field("mobile_country_code"))
    return None


def business_of(entry: JournalEntry) -> str | None:
    """The business reference a webhook call names (None when it names none)."""
    if entry.operation == "order":
        value = obj(entry.field("business")).get("reference")
    else:
        value = entry.field("business_reference")
    return None if value is None or isinstance(value, dict | list) else str(value)


def _movements(entry: JournalEntry) -> list[str]:
    """``["points 36", "stamps 1"]``: what the mock's answer to an order call says it awarded."""
    moved = obj(obj(entry.response).get("loyalty")).get("earned") if entry.accepted else None
    return [
        f"{item.get('program')} {fmt(number(item.get('amount')))}"
        for item in (moved if isinstance(moved, list) else [])
        if isinstance(item, dict)
    ]


def earns(entry: JournalEntry) -> bool:
    """The mock awarded loyalty for this order call."""
    return bool(_movements(entry))


def earned(entry: JournalEntry) -> str:
    """What the mock awarded for an order call: ``points 36, stamps 1`` or why nothing."""
    if not entry.accepted:
        return f"nothing (refused, HTTP {entry.status})"
    reason = obj(obj(entry.response).get("loyalty")).get("reason")
    return ", ".join(_movements(entry)) or f"nothing ({reason or 'no loyalty in the answer'})"


def received_at(entry: JournalEntry) -> datetime | None:
    """When the mock received the call (its clock, not the POS's)."""
    try:
        moment = datetime.fromisoformat(entry.received_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


#: The fields a POS numbers an order by, and how messages name them.
_IDENTIFIERS = (
    ("id", "order id"),
    ("number", "number"),
    ("reference", "reference"),
    ("check_number", "check number"),
)


@dataclass(frozen=True)
class Sale:
    """A paid order as its receipt shows it: the first paid call of an order id."""

    entry: JournalEntry
    customer: str
    lines: tuple[tuple[str, float], ...]  # (product id, quantity), sorted
    total: float
    at: datetime | None

    @property
    def key(self) -> tuple[str, tuple[tuple[str, float], ...], float]:
        """What makes two orders the same sale."""
        return self.customer, self.lines, round(self.total, 2)

    def describe(self) -> str:
        """``lines prd-1 x1, prd-2 x1, total 42``."""
        shown = ", ".join(f"{product} x{fmt(quantity)}" for product, quantity in self.lines)
        return f"lines {shown or '(none)'}, total {fmt(self.total)}"

    def identifiers(self) -> dict[str, Any]:
        """The order's id, number, reference and check number as sent, by their labels."""
        order = self.entry.order
        return {label: order.get(name) for name, label in _IDENTIFIERS}


def _sale(entry: JournalEntry) -> Sale | None:
    customer = customer_of(entry)
    total = number(entry.order.get("total_price"))
    if customer is None or total is None:
        return None
    sold = sorted(
        (str(obj(line.get("product")).get("id")), number(line.get("quantity")) or 0.0)
        for line in lines(entry.order)
    )
    return Sale(entry, customer, tuple(sold), total, received_at(entry))


def _paid_sales(evidence: InboundEvidence) -> list[Sale]:
    """One sale per order id paid in the session and not voided or returned afterwards.

    A return sent as a new order (``original_order``) is not a sale; an order voided,
    returned, or pointed at by a return no longer earns, so it cannot earn twice.
    """
    undone = {
        str(obj(entry.order.get("original_order")).get("id"))
        for entry in evidence.orders()
        if isinstance(entry.order.get("original_order"), dict)
    }
    by_id: dict[str, list[JournalEntry]] = defaultdict(list)
    for entry in evidence.orders():
        if entry.order_id is not None and entry.order.get("original_order") is None:
            by_id[entry.order_id].append(entry)
    sales = []
    for order_id, calls in by_id.items():
        statuses = {call.order_status for call in calls}
        if PAID not in statuses or order_id in undone or statuses & {RETURNED, *VOID_STATUSES}:
            continue
        sale = _sale(next(call for call in calls if call.order_status == PAID))
        if sale is not None:
            sales.append(sale)
    return sales


def repeated_sales(evidence: InboundEvidence, window: timedelta = REPEAT_WINDOW) -> list[list[Sale]]:
    """Groups of paid orders with different ids but the same customer, lines and total, each
    received within ``window`` of the previous one (oldest first in each group)."""
    by_key: dict[tuple[Any, ...], list[Sale]] = defaultdict(list)
    for sale in _paid_sales(evidence):
        by_key[sale.key].append(sale)
    groups: list[list[Sale]] = []
    for sales in by_key.values():
        sales.sort(key=lambda sale: sale.entry.id)
        current = [sales[0]]
        for sale in sales[1:]:
            previous = current[-1]
            apart = sale.at - previous.at if sale.at and previous.at else timedelta(0)
            if abs(apart) <= window:
                current.append(sale)
            else:
                if len(current) > 1:
                    groups.append(current)
                current = [sale]
        if len(current) > 1:
            groups.append(current)
    return sorted(groups, key=lambda group: group[0].entry.id)


def changed_identifiers(first: Sale, repeat: Sale) -> str:
    """``order id a -> b, number 1 -> 7``: which identifiers the repeat changed."""
    before, after = first.identifiers(), repeat.identifiers()
    changed = [
        f"{label} {before[label]} -> {after[label]}" for label in before if before[label] != after[label]
    ]
    return ", ".join(changed) or "no identifier"
