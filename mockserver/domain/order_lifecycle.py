"""What an order webhook does to the mock's state, status by status.

Called by the order use case inside one store transaction, after the business rules passed:

- the same order in the same state (status, customer, returned quantities) is a duplicate:
  nothing changes and the response says so;
- **Paid** with a known customer earns once (`accounts.post_earnings`); an active
  subscription grants its entitlement for the period;
- **Void** releases the rewards redeemed on the order (configurable) and reverses all it
  earned; **Refunded** reverses all of it, or the returned share when lines carry
  ``returned_quantity`` (a refund keeps redeemed rewards redeemed by default);
- a **return order** (``original_order`` set) reverses its share of the original order:
  return total / original total, accumulated over several returns and capped at 1.

``loyalty.reason`` says why nothing moved: ``already_processed``, ``no_customer``,
``not_paid``, ``nothing_to_reverse``, ``zero_spend``, ``unlinked_return``,
``unknown_status``; it is None when something was earned or reversed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from loyapro_mock.mockserver.domain import accounts, reward_codes
from loyapro_mock.mockserver.domain.clock import iso
from loyapro_mock.mockserver.domain.customers import customer_public, match_customer
from loyapro_mock.mockserver.domain.orders import OrderFacts
from loyapro_mock.mockserver.domain.programs import LoyaltyConfig
from loyapro_mock.mockserver.domain.records import Row, StoreTx

__all__ = ["apply_order"]


def _released_view(redemption: Row) -> dict[str, Any]:
    return {
        "redemption_id": str(redemption["id"]),
        "reward_code": redemption["code"],
        "order_id": redemption["order_id"],
        "discount_amount": redemption["discount_amount"],
        "status": "released",
        "released_at": redemption["released_at"],
    }


class _Outcome:
    """The loyalty part of the response, filled while the order is applied."""

    def __init__(self) -> None:
        self.earned: list[dict[str, Any]] = []
        self.reversed: list[dict[str, Any]] = []
        self.issued: list[Row] = []
        self.released: list[Row] = []
        self.reason: str | None = None


def _reverse(tx: StoreTx, record: Row, new_fraction: float, now: datetime, why: str, out: _Outcome) -> None:
    """Reverse an order's earnings up to ``new_fraction`` of them (1 = all)."""
    state, old = record["loyalty_state"], record["reversed_fraction"]
    if state == "reversed" or (state == "earned" and new_fraction <= old):
        out.reason = "already_processed"
        return
    if state != "earned":
        out.reason = "nothing_to_reverse"
        return
    out.reversed = accounts.post_reversal(
        tx, record["business_reference"], record["id"], old, new_fraction, now, why
    )
    record["reversed_fraction"] = min(new_fraction, 1.0)
    if new_fraction >= 1:
        record["loyalty_state"] = "reversed"
    if not out.reversed:
        out.reason = "nothing_to_reverse"


def _apply_return(
    tx: StoreTx,
    config: LoyaltyConfig,
    record: Row,
    facts: OrderFacts,
    original: Row | None,
    now: datetime,
    out: _Outcome,
) -> None:
    if original is None:
        out.reason = "unlinked_return"
    elif record["loyalty_state"] == "applied":
        out.reason = "already_processed"
    elif facts.status not in ("Paid", "Refunded"):
        out.reason = "not_paid"
    else:
        total = original["total_price"] or 0.0
        share = 1.0 if total <= 0 else min(1.0, facts.total_price / total)
        new_fraction = min(1.0, original["reversed_fraction"] + share)
        target = dict(original)
        _reverse(
            tx,
            target,
            new_fraction,
            now,
            f"return {facts.order_id} gave back {share:.0%} of order {original['id']}",
            out,
        )
        target["reversed_fraction"] = max(target["reversed_fraction"], new_fraction)
        target["updated_at"] = iso(now)
        tx.put_order(target)
        record["loyalty_state"] = "applied"
        if config.rewards.release_on_refund and new_fraction >= 1:
            out.released = reward_codes.release_for_order(
                tx, original["business_reference"], original["id"], now
            )


def _apply_status(
    tx: StoreTx,
    config: LoyaltyConfig,
    record: Row,
    facts: OrderFacts,
    customer: Row | None,
    now: datetime,
    out: _Outcome,
) -> None:
    reference, order_id = record["business_reference"], record["id"]
    if facts.status == "Paid":
        if record["loyalty_state"] != "none":
            out.reason = "already_processed"
        elif customer is None:
            out.reason = "no_customer"
        else:
            out.earned, out.issued = accounts.post_earnings(tx, config, reference, customer["id"], facts, now)
            record["loyalty_state"] = "earned"
            out.reason = None if out.earned else "zero_spend"
        if customer is not None:
            granted, codes = accounts.grant_entitlements(tx, config, reference, customer["id"], now)
            out.earned += granted
            out.issued += codes
    elif facts.status == "Void":
        if config.rewards.release_on_void:
            out.released = reward_codes.release_for_order(tx, reference, order_id, now)
        _reverse(tx, record, 1.0, now, f"order {order_id} voided", out)
    elif facts.status == "Refunded":
        fraction = facts.returned_fraction if facts.returned_fraction > 0 else 1.0
        _reverse(tx, record, fraction, now, f"order {order_id} returned ({fraction:.0%} of its value)", out)
        if config.rewards.release_on_refund and fraction >= 1:
            out.released = reward_codes.release_for_order(tx, reference, order_id, now)
    elif facts.status == "Initiated":
        out.reason = "not_paid"
    else:
        out.reason = "unknown_status"


def apply_order(
    tx: StoreTx,
    config: LoyaltyConfig,
    *,
    pos_name: str,
    business_reference: str,
    facts: OrderFacts,
    payload: dict[str, Any],
    original: Row | None,
    now: datetime,
) -> dict[str, Any]:
    """Apply one order webhook; return the response body (without ``violations``)."""
    at = iso(now)
    order_id = facts.order_id or ""
    existing = tx.get_order(business_reference, order_id)
    customer, enrolled = None, False
    if facts.customer is not None:
        dial, mobile, name = facts.customer
        customer, enrolled = match_customer(
            tx, business_reference, dial, mobile, name, source="order", now=at
        )
    else:
        known_id = (existing or {}).get("customer_id") or (original or {}).get("customer_id")
        customer = tx.get_customer(known_id) if known_id else None
    status = facts.status or "Initiated"
    out = _Outcome()
    state_key = facts.state_key  # a property that formats: read it once
    duplicate = existing is not None and existing["state_key"] == state_key
    if duplicate:
        out.reason = "already_processed"
    else:
        record: Row = {
            "business_reference": business_reference,
            "id": order_id,
            "pos_name": pos_name,
            "foodics_status": facts.foodics_status,
            "status": status,
            "state_key": state_key,
            "payload_hash": facts.payload_hash,
            "customer_id": customer["id"] if customer else None,
            "total_price": facts.total_price,
            "subtotal_price": facts.subtotal_price,
            "lines_total": facts.lines_total,
            "original_order_id": facts.original_order_id,
            "loyalty_state": existing["loyalty_state"] if existing else "none",
            "reversed_fraction": existing["reversed_fraction"] if existing else 0.0,
            "payload": None,  # the journal keeps the body; a 7 KB copy per commit costs
            "created_at": existing["created_at"] if existing else at,
            "updated_at": at,
        }
        if facts.has_original_order:
            _apply_return(tx, config, record, facts, original, now, out)
        else:
            _apply_status(tx, config, record, facts, customer, now, out)
        tx.put_order(record)
    return {
        "order_id": order_id,
        "business_reference": business_reference,
        "status": status,
        "foodics_status": facts.foodics_status,
        "duplicate": duplicate,
        "customer": customer_public(customer, enrolled=enrolled),
        "loyalty": {"earned": out.earned, "reversed": out.reversed, "reason": out.reason},
        "rewards_issued": [reward_codes.reward_view(tx, r, now) for r in out.issued],
        "redemptions_released": [_released_view(r) for r in out.released],
    }
