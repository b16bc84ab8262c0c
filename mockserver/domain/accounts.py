"""Loyalty accounts: posting what orders earn and reverse, and turning balances into codes.

Balances are the sum of a customer's ledger entries per program (`StoreTx.balance`). This
module writes those entries inside the caller's transaction:

- ``earn`` when a paid order earns (`post_earnings`), ``reverse`` when it is voided or
  returned (`post_reversal`: floored, never taking a balance below zero);
- ``convert`` when stamps reach the threshold (a products code) or the cashback wallet is
  turned into a fixed-amount code (`issue_cashback_code`);
- ``grant`` when an active subscription plan grants its entitlement for the current period
  (`grant_entitlements`, one products code per period).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from loyapro_mock.mockserver.domain import reward_codes
from loyapro_mock.mockserver.domain.clock import iso, parse_iso
from loyapro_mock.mockserver.domain.errors import DomainError
from loyapro_mock.mockserver.domain.orders import OrderFacts
from loyapro_mock.mockserver.domain.programs import (
    BALANCE_PROGRAMS,
    LoyaltyConfig,
    compute_earnings,
    floor_amount,
    reversal_amount,
)
from loyapro_mock.mockserver.domain.records import Row, StoreTx

__all__ = [
    "PERIOD_DAYS",
    "allowed_products",
    "balances",
    "grant_entitlements",
    "issue_cashback_code",
    "post_earnings",
    "post_reversal",
]

PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}
Movement = dict[str, Any]


def balances(tx: StoreTx, customer_id: int) -> dict[str, float]:
    """Current balance per program (points and stamps whole, cashback to 0.01)."""
    return {p: round(tx.balance(customer_id, p), 2) for p in BALANCE_PROGRAMS}


def allowed_products(
    tx: StoreTx, business_reference: str, ids: tuple[str, ...] | list[str] | None
) -> list[dict[str, Any]] | None:
    """``[{id, sku, name}]`` for product ids or skus, from the catalog when known."""
    if ids is None:
        return None
    catalog = tx.list_products(business_reference)
    out: list[dict[str, Any]] = []
    for wanted in ids:
        product = next((p for p in catalog if wanted in (p["id"], p["sku"])), None)
        out.append(
            {"id": product["id"], "sku": product["sku"], "name": product["name"]}
            if product
            else {"id": str(wanted), "sku": None, "name": None}
        )
    return out


def _expiry(now: datetime, days: float | None) -> str | None:
    return None if days is None else iso(now + timedelta(days=days))


def _entry(
    customer_id: int,
    business_reference: str,
    program: str,
    kind: str,
    amount: float,
    at: str,
    *,
    order_id: str | None = None,
    code: str | None = None,
    note: str | None = None,
) -> Row:
    return {
        "customer_id": customer_id,
        "business_reference": business_reference,
        "program": program,
        "kind": kind,
        "amount": amount,
        "order_id": order_id,
        "reward_code": code,
        "note": note,
        "created_at": at,
    }


def issue_cashback_code(
    tx: StoreTx,
    config: LoyaltyConfig,
    business_reference: str,
    customer_id: int,
    now: datetime,
    *,
    amount: float | None = None,
    code: str | None = None,
    session: str | None = None,
    order_id: str | None = None,
) -> Row:
    """Move ``amount`` (default: the whole wallet) from the cashback wallet into a new
    fixed-amount code; raises a 422 when the wallet holds less."""
    wallet = round(tx.balance(customer_id, "cashback"), 2)
    value = floor_amount("cashback", wallet if amount is None else amount)
    if value <= 0 or value > wallet + 1e-9:
        raise DomainError(
            422,
            "validation_failed",
            f"the cashback wallet holds {wallet:.2f}; ask for an amount above 0 and at most that",
        )
    terms = reward_codes.RewardTerms(
        kind="fixed_amount",
        discount_amount=value,
        program="cashback",
        expires_at=_expiry(now, config.cashback.code_expires_days),
        source_order_id=order_id,
        session=session,
    )
    reward = reward_codes.issue(
        tx, business_reference=business_reference, customer_id=customer_id, terms=terms, now=now, code=code
    )
    tx.add_entry(
        _entry(
            customer_id,
            business_reference,
            "cashback",
            "convert",
            -value,
            iso(now),
            order_id=order_id,
            code=reward["code"],
            note=f"wallet turned into fixed-amount code {reward['code']}",
        )
    )
    return reward


def _convert_stamps(
    tx: StoreTx,
    config: LoyaltyConfig,
    business_reference: str,
    customer_id: int,
    now: datetime,
    order_id: str,
) -> list[Row]:
    stamps, issued = config.stamps, []
    products = stamps.reward_products or stamps.qualifying_products
    while tx.balance(customer_id, "stamps") >= stamps.threshold:
        terms = reward_codes.RewardTerms(
            kind="products",
            discount_amount=100.0,
            max_discount_amount=stamps.reward_max_discount,
            allowed_products=allowed_products(tx, business_reference, products),
            discount_includes_modifiers=True,
            program="stamps",
            source_order_id=order_id,
            expires_at=_expiry(now, stamps.reward_expires_days),
        )
        reward = reward_codes.issue(
            tx, business_reference=business_reference, customer_id=customer_id, terms=terms, now=now
        )
        tx.add_entry(
            _entry(
                customer_id,
                business_reference,
                "stamps",
                "convert",
                -float(stamps.threshold),
                iso(now),
                order_id=order_id,
                code=reward["code"],
                note=f"{stamps.threshold} stamps turned into code {reward['code']}",
            )
        )
        issued.append(reward)
    return issued


def post_earnings(
    tx: StoreTx,
    config: LoyaltyConfig,
    business_reference: str,
    customer_id: int,
    facts: OrderFacts,
    now: datetime,
) -> tuple[list[Movement], list[Row]]:
    """Credit what a paid order earns; convert stamps / cashback that reach their thresholds.

    Returns ``(movements, rewards_issued)``; each movement's ``balance`` is the balance
    after any conversion.
    """
    at, order_id = iso(now), facts.order_id or ""
    earnings = compute_earnings(config, facts)
    tx.add_entries(
        [
            _entry(
                customer_id,
                business_reference,
                earning.program,
                "earn",
                earning.amount,
                at,
                order_id=order_id,
                note=earning.reason,
            )
            for earning in earnings
        ]
    )
    issued: list[Row] = []
    if config.stamps.enabled:
        issued += _convert_stamps(tx, config, business_reference, customer_id, now, order_id)
    threshold = config.cashback.issue_code_at
    if (
        config.cashback.enabled
        and threshold is not None
        and tx.balance(customer_id, "cashback") >= max(threshold, 0.01)
    ):
        issued.append(
            issue_cashback_code(tx, config, business_reference, customer_id, now, order_id=order_id)
        )
    now_balances = balances(tx, customer_id)
    movements = [
        {"program": e.program, "amount": e.amount, "balance": now_balances[e.program], "reason": e.reason}
        for e in earnings
    ]
    return movements, issued


def post_reversal(
    tx: StoreTx,
    business_reference: str,
    order_id: str,
    old_fraction: float,
    new_fraction: float,
    now: datetime,
    why: str,
) -> list[Movement]:
    """Take back what an order earned as its returned share grows from ``old_fraction`` to
    ``new_fraction`` (1 = everything). Floored, and never below a zero balance."""
    earned: dict[tuple[int, str], float] = {}
    for entry in tx.entries(business_reference, order_id=order_id):
        if entry["kind"] == "earn":
            key = (entry["customer_id"], entry["program"])
            earned[key] = earned.get(key, 0.0) + entry["amount"]
    movements: list[Movement] = []
    at = iso(now)
    for (customer_id, program), amount in earned.items():
        requested = reversal_amount(program, amount, old_fraction, new_fraction)
        if requested <= 0:
            continue
        balance = round(tx.balance(customer_id, program), 2)
        applied = min(requested, max(balance, 0.0))
        reason = f"{why}: {requested:g} of the {amount:g} earned"
        if applied < requested:
            reason += f" (only {applied:g} left in the balance; balances never go below zero)"
        if applied > 0:
            tx.add_entry(
                _entry(
                    customer_id,
                    business_reference,
                    program,
                    "reverse",
                    -applied,
                    at,
                    order_id=order_id,
                    note=reason,
                )
            )
        movements.append(
            {"program": program, "amount": applied, "balance": round(balance - applied, 2), "reason": reason}
        )
    return movements


def _period(start: datetime, period: str, now: datetime) -> tuple[datetime, datetime]:
    length = timedelta(days=PERIOD_DAYS[period])
    index = math.floor((now - start) / length)
    begins = start + index * length
    return begins, begins + length


def grant_entitlements(
    tx: StoreTx, config: LoyaltyConfig, business_reference: str, customer_id: int, now: datetime
) -> tuple[list[Movement], list[Row]]:
    """Issue the current period's entitlement code of every active subscription (once)."""
    if not config.subscriptions.enabled:
        return [], []
    subscriptions = tx.subscriptions(customer_id)
    if not subscriptions:
        return [], []
    granted = {
        e["note"]
        for e in tx.entries(business_reference, customer_id=customer_id, program="subscriptions")
        if e["kind"] == "grant"
    }
    movements: list[Movement] = []
    issued: list[Row] = []
    for sub in subscriptions:
        starts, ends = parse_iso(sub["starts_at"]), parse_iso(sub["ends_at"])
        plan = config.subscriptions.plan(sub["plan"])
        if plan is None or not starts <= now < ends:
            continue
        begins, period_end = _period(starts, plan.period, now)
        marker = f"{plan.name} entitlement for the {plan.period} from {iso(begins)}"
        if marker in granted:
            continue
        terms = reward_codes.RewardTerms(
            kind="products",
            discount_amount=100.0,
            program="subscriptions",
            max_discount_amount=plan.max_discount_amount,
            discount_includes_modifiers=True,
            allowed_products=allowed_products(tx, business_reference, plan.products),
            expires_at=iso(min(period_end, ends)),
        )
        reward = reward_codes.issue(
            tx, business_reference=business_reference, customer_id=customer_id, terms=terms, now=now
        )
        tx.add_entry(
            _entry(
                customer_id,
                business_reference,
                "subscriptions",
                "grant",
                1.0,
                iso(now),
                code=reward["code"],
                note=marker,
            )
        )
        movements.append({"program": "subscriptions", "amount": 1.0, "reason": marker})
        issued.append(reward)
    return movements, issued
