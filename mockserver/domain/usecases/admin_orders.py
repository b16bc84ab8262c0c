"""Admin use case on orders: read the orders the mock holds, with what each did to loyalty.

Certification grades a POS by the state it leaves behind (which orders ended Paid, Void or
Refunded, who earned on them, which codes they redeemed or released), so each order comes
with its ledger entries and its redemptions, released ones included.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from loyapro_mock.mockserver.domain.customers import customer_public, normalise_mobile
from loyapro_mock.mockserver.domain.records import Row, StoreTx
from loyapro_mock.mockserver.domain.usecases.admin_rewards import redemption_record
from loyapro_mock.mockserver.domain.usecases.loyapro import LoyaPro

__all__ = ["DEFAULT_ORDER_LIMIT", "MAX_ORDER_LIMIT", "list_orders", "order_record"]

DEFAULT_ORDER_LIMIT = 1000
MAX_ORDER_LIMIT = 10000


def _customer(tx: StoreTx, customer_id: int | None) -> dict[str, Any] | None:
    customer = tx.get_customer(customer_id) if customer_id is not None else None
    if customer is None:
        return None
    return {"id": customer["id"], **(customer_public(customer) or {})}


def _ledger_entry(entry: Row) -> dict[str, Any]:
    return {
        k: entry[k]
        for k in ("id", "customer_id", "program", "kind", "amount", "reward_code", "note", "created_at")
    }


def order_record(tx: StoreTx, order: Row) -> dict[str, Any]:
    """One order as ``GET /__admin/orders`` shows it: its state, ledger and redemptions.

    The ledger entries are those booked on the order's id: what it earned, what its void
    or refund reversed (a return order's reversal is booked on the original order), what
    was redeemed on it or released from it.
    """
    reference, order_id = order["business_reference"], order["id"]
    return {
        "business_reference": reference,
        "id": order_id,
        "pos_name": order["pos_name"],
        "status": order["status"],
        "foodics_status": order["foodics_status"],
        "customer": _customer(tx, order["customer_id"]),
        "total_price": order["total_price"],
        "original_order_id": order["original_order_id"],
        "loyalty_state": order["loyalty_state"],
        "reversed_fraction": order["reversed_fraction"],
        "created_at": order["created_at"],
        "updated_at": order["updated_at"],
        "ledger": [_ledger_entry(e) for e in tx.entries(reference, order_id=order_id)],
        "redemptions": [
            redemption_record(r) for r in tx.list_redemptions(business_reference=reference, order_id=order_id)
        ],
    }


def list_orders(
    loyapro: LoyaPro,
    *,
    business_reference: str | int | None = None,
    pos_name: str | None = None,
    order_ids: Sequence[str] | None = None,
    customer: str | int | None = None,
    dial_code: str | int | None = None,
    since: str | None = None,
    limit: int = DEFAULT_ORDER_LIMIT,
) -> dict[str, Any]:
    """``{"orders": [...]}``: the orders the mock holds, least recently updated first.

    Filters combine: the business, the POS that sent them, their ids, the customer (a
    mobile in any spelling with its dial code, 966 by default; in any business unless one is
    given), ``since`` (an instant as `mockserver.domain.clock.iso` writes them: orders
    created or updated at or after it), and at most ``limit`` orders. An unknown business,
    or a customer the mock does not know (or a number that cannot be a mobile), holds no
    order.
    """
    reference = None if business_reference is None else str(business_reference)
    with loyapro.store.snapshot() as tx:
        customer_ids = None
        if customer is not None:
            try:
                mobile = normalise_mobile(customer, dial_code)
            except ValueError:
                return {"orders": []}
            customer_ids = [
                c["id"]
                for c in tx.customers_by_mobile(*mobile)
                if reference is None or c["business_reference"] == reference
            ]
        rows = tx.list_orders(
            business_reference=reference,
            pos_name=pos_name,
            order_ids=None if order_ids is None else list(order_ids),
            customer_ids=customer_ids,
            since=since,
            limit=max(1, min(limit, MAX_ORDER_LIMIT)),
        )
        return {"orders": [order_record(tx, row) for row in rows]}
