"""Reward codes: issue, look up, redeem exactly once, release, expire, cancel.

States: ``issued`` -> ``redeemed`` -> back to ``issued`` when the redeeming order is voided
(the redemption becomes ``released``); ``issued`` -> ``expired`` (by the mock's clock;
derived on read, persisted by `expire_due`); ``issued`` -> ``cancelled``.

Every function takes an open `StoreTx`: the caller owns the transaction, so a redeem is one
transaction whose decisive step is the conditional update ``issued -> redeemed``
(`StoreTx.transition_reward`). A retry for the same code and order returns the same
redemption; the code for another order is a 409.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from loyapro_mock.mockserver.domain.clock import iso, parse_iso
from loyapro_mock.mockserver.domain.customers import customer_public
from loyapro_mock.mockserver.domain.errors import DomainError
from loyapro_mock.mockserver.domain.records import Row, StoreTx

__all__ = [
    "KINDS",
    "RedeemRequest",
    "RewardTerms",
    "cancel",
    "effective_status",
    "expire_due",
    "issue",
    "lookup",
    "new_code",
    "redeem",
    "redemption_view",
    "release_for_order",
    "reward_view",
]

KINDS = ("products", "percentage", "fixed_amount")
_PREFIX = {"products": "PRD", "percentage": "PCT", "fixed_amount": "FIX"}
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_TOLERANCE = 0.01


def new_code(kind: str) -> str:
    """A fresh random code such as ``FIX-7Q2M9K``."""
    return f"{_PREFIX.get(kind, 'RWD')}-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


@dataclass(frozen=True, slots=True)
class RewardTerms:
    """What a reward allows. For percentage and products kinds, ``discount_amount`` is the
    percentage (a products reward is 100% off the chosen product by default)."""

    kind: str
    discount_amount: float
    max_discount_amount: float | None = None
    allowed_products: list[dict[str, Any]] | None = None  # [{id, sku, name}]; None = any
    branch_ids: list[str] | None = None  # None = every branch
    expires_at: str | None = None
    discount_includes_modifiers: bool = False
    is_discount_taxable: bool = False
    program: str | None = None
    source_order_id: str | None = None
    session: str | None = None


def issue(
    tx: StoreTx,
    *,
    business_reference: str,
    customer_id: int | None,
    terms: RewardTerms,
    now: datetime,
    code: str | None = None,
) -> Row:
    """Store a new ``issued`` reward and return its row (a taken ``code`` is a 422)."""
    at = iso(now)
    record: Row = {
        "business_reference": business_reference,
        "customer_id": customer_id,
        "kind": terms.kind,
        "status": "issued",
        "discount_amount": terms.discount_amount,
        "is_percent": terms.kind != "fixed_amount",
        "max_discount_amount": terms.max_discount_amount,
        "allowed_products": terms.allowed_products,
        "branch_ids": terms.branch_ids,
        "discount_includes_modifiers": terms.discount_includes_modifiers,
        "is_discount_taxable": terms.is_discount_taxable,
        "expires_at": terms.expires_at,
        "program": terms.program,
        "source_order_id": terms.source_order_id,
        "session": terms.session,
        "created_at": at,
        "updated_at": at,
    }
    if code is not None:
        code = str(code)
        if not code or len(code) > 64:
            raise DomainError(422, "validation_failed", "a reward code has 1 to 64 characters")
        if not tx.add_reward({**record, "code": code}):
            raise DomainError(
                422,
                "validation_failed",
                f"the code {code} is already taken; choose another code or omit it to get a generated one",
            )
        return {**record, "code": code}
    while True:
        candidate = new_code(terms.kind)
        if tx.add_reward({**record, "code": candidate}):
            return {**record, "code": candidate}


def effective_status(reward: Row, now: datetime) -> str:
    """The status the reward has now: an ``issued`` code past ``expires_at`` is expired."""
    expires = reward.get("expires_at")
    if reward["status"] == "issued" and expires and parse_iso(expires) <= now:
        return "expired"
    return str(reward["status"])


def reward_view(tx: StoreTx, reward: Row, now: datetime) -> dict[str, Any]:
    """The reward as ``/reward`` returns it (the spec's ``Reward``)."""
    view: dict[str, Any] = {
        "code": reward["code"],
        "kind": reward["kind"],
        "status": effective_status(reward, now),
        "type": 2 if reward["kind"] == "products" else 1,
        "discount_amount": reward["discount_amount"],
        "is_percent": reward["is_percent"],
        "max_discount_amount": reward["max_discount_amount"],
        "allowed_products": reward["allowed_products"],
        "discount_includes_modifiers": reward["discount_includes_modifiers"],
        "is_discount_taxable": reward["is_discount_taxable"],
        "expires_at": reward["expires_at"],
        "program": reward["program"],
        "business_reference": reward["business_reference"],
        "branch_ids": reward["branch_ids"],
    }
    customer = tx.get_customer(reward["customer_id"]) if reward["customer_id"] else None
    if customer is not None:
        view["customer"] = customer_public(customer)
    return view


def _mobile(dial: Any, mobile: Any) -> str:
    return f"+{dial} {mobile}"


def _check_applicable(
    tx: StoreTx, reward: Row, business_reference: str, customer: tuple[int, str], branch_id: str | None
) -> None:
    code = reward["code"]
    if reward["business_reference"] != business_reference:
        raise DomainError(
            422,
            "reward_not_valid_for_business",
            f"code {code} belongs to business {reward['business_reference']}, "
            f"not {business_reference}; send business_reference "
            f"{reward['business_reference']}",
        )
    owner = tx.get_customer(reward["customer_id"]) if reward["customer_id"] else None
    if owner is not None and (owner["dial_code"], owner["mobile"]) != customer:
        raise DomainError(
            422,
            "reward_not_valid_for_customer",
            f"code {code} was issued to the customer "
            f"{_mobile(owner['dial_code'], owner['mobile'])}, not "
            f"{_mobile(*customer)}; send the mobile of the customer who holds it",
        )
    branches = reward["branch_ids"]
    if branch_id is not None and branches is not None and branch_id not in branches:
        raise DomainError(
            422,
            "reward_not_valid_for_branch",
            f"code {code} is valid only at branch(es) {', '.join(branches)}, not at {branch_id}",
        )


def _check_usable(reward: Row, now: datetime) -> None:
    code, status = reward["code"], effective_status(reward, now)
    if status == "redeemed":
        raise DomainError(
            409, "reward_already_redeemed", f"code {code} was already redeemed; a code can be redeemed once"
        )
    if status == "cancelled":
        raise DomainError(410, "reward_cancelled", f"code {code} was cancelled")
    if status == "expired":
        raise DomainError(410, "reward_expired", f"code {code} expired at {reward['expires_at']}")


def _get(tx: StoreTx, code: str) -> Row:
    reward = tx.get_reward(code)
    if reward is None:
        raise DomainError(
            404,
            "reward_not_found",
            f"no reward has the code {code!r}; check the code the customer gave (codes are case-sensitive)",
        )
    return reward


def lookup(
    tx: StoreTx,
    code: str,
    *,
    business_reference: str,
    customer: tuple[int, str],
    branch_id: str | None,
    now: datetime,
) -> Row:
    """The reward if this customer can use it here now; raises `DomainError` otherwise.

    Never changes state.
    """
    reward = _get(tx, code)
    _check_applicable(tx, reward, business_reference, customer, branch_id)
    _check_usable(reward, now)
    return reward


@dataclass(frozen=True, slots=True)
class RedeemRequest:
    """A redeem, with the customer's mobile already normalised."""

    code: str
    business_reference: str
    order_id: str
    branch_id: str | None
    discount_amount: float
    customer: tuple[int, str]
    date: str | None = None
    user_id: str | None = None
    product_id: str | None = None


def _exceeds(amount: float, limit: float, why: str) -> DomainError:
    return DomainError(
        422,
        "discount_exceeds_reward",
        f"discount_amount {amount:g} is more than the reward allows ({why}); send at most {limit:g}",
    )


def _check_limits(tx: StoreTx, reward: Row, req: RedeemRequest) -> str | None:
    """Refuse a discount above what the reward allows; return the chosen product id."""
    amount, kind, value = req.discount_amount, reward["kind"], reward["discount_amount"]
    cap = reward["max_discount_amount"]
    if kind == "fixed_amount":
        if amount > value + _TOLERANCE:
            raise _exceeds(amount, value, f"a fixed amount of {value:g}")
        return None
    if kind == "percentage":
        limits = [(cap, f"{value:g}% capped at {cap:g}")] if cap is not None else []
        order = tx.get_order(req.business_reference, req.order_id)
        if order is not None and order["lines_total"]:
            share = round(order["lines_total"] * value / 100, 5)
            limits.append((share, f"{value:g}% of the order's {order['lines_total']:g}"))
        for limit, why in sorted(limits, key=lambda item: item[0]):
            if amount > limit + _TOLERANCE:
                raise _exceeds(amount, limit, why)
        return None
    chosen = req.product_id
    allowed = reward["allowed_products"]
    if allowed is not None:
        names = ", ".join(f"{p['id']} ({p.get('name') or p.get('sku') or '?'})" for p in allowed)
        match = [p for p in allowed if chosen is not None and chosen in (p["id"], p.get("sku"))]
        if chosen is None and len(allowed) == 1:
            match = allowed
        if not match:
            what = "no product_id was sent" if chosen is None else f"{chosen} is not one of them"
            raise DomainError(
                422,
                "product_not_allowed",
                f"code {reward['code']} allows only: {names}; {what}; send "
                "product_id of the product the customer chose",
            )
        chosen = str(match[0]["id"])
    if cap is not None:
        if amount > cap + _TOLERANCE:
            raise _exceeds(amount, cap, f"at most {cap:g} off the product")
    elif chosen is not None and not reward["discount_includes_modifiers"]:
        product = tx.get_product(req.business_reference, chosen)
        if product is not None and product["price"] is not None:
            limit = round(product["price"] * value / 100, 5)
            if amount > limit + _TOLERANCE:
                raise _exceeds(amount, limit, f"{value:g}% of {chosen}'s price {product['price']:g}")
    return chosen


def redeem(tx: StoreTx, req: RedeemRequest, now: datetime) -> tuple[Row, Row, bool]:
    """Redeem a code on an order: ``(redemption, reward, replay)``; raises `DomainError`."""
    reward = _get(tx, req.code)
    _check_applicable(tx, reward, req.business_reference, req.customer, req.branch_id)
    active = tx.active_redemption(req.code)
    if active is not None:
        if (active["order_id"], active["business_reference"]) == (req.order_id, req.business_reference):
            return active, reward, True
        raise DomainError(
            409,
            "reward_already_redeemed",
            f"code {req.code} was already redeemed on order {active['order_id']}"
            f" at {active['redeemed_at']}; a code is redeemed once (voiding "
            "that order releases it)",
            extra={"order_id": active["order_id"]},
        )
    _check_usable(reward, now)
    product_id = _check_limits(tx, reward, req)
    at = iso(now)
    if not tx.transition_reward(req.code, "issued", "redeemed", at):
        raise DomainError(
            409, "reward_already_redeemed", f"code {req.code} was redeemed by a concurrent request"
        )
    redemption = tx.add_redemption(
        {
            "code": req.code,
            "business_reference": req.business_reference,
            "order_id": req.order_id,
            "branch_id": req.branch_id,
            "discount_amount": req.discount_amount,
            "product_id": product_id,
            "user_id": req.user_id,
            "date": req.date,
            "status": "redeemed",
            "redeemed_at": at,
            "released_at": None,
        }
    )
    if reward["customer_id"] is not None:
        tx.add_entry(
            {
                "customer_id": reward["customer_id"],
                "business_reference": req.business_reference,
                "program": "rewards",
                "kind": "redeem",
                "amount": req.discount_amount,
                "order_id": req.order_id,
                "reward_code": req.code,
                "note": f"{reward['kind']} reward redeemed",
                "created_at": at,
            }
        )
    return redemption, {**reward, "status": "redeemed", "updated_at": at}, False


def redemption_view(redemption: Row, reward: dict[str, Any] | None, *, replay: bool) -> dict[str, Any]:
    """The redemption as ``/redeem`` returns it (the spec's ``Redemption``)."""
    view: dict[str, Any] = {
        "redemption_id": str(redemption["id"]),
        "reward_code": redemption["code"],
        "order_id": redemption["order_id"],
        "branch_id": redemption["branch_id"],
        "discount_amount": redemption["discount_amount"],
        "product_id": redemption["product_id"],
        "status": redemption["status"],
        "redeemed_at": redemption["redeemed_at"],
        "replay": replay,
    }
    if reward is not None:
        view["reward"] = reward
    return view


def release_for_order(tx: StoreTx, business_reference: str, order_id: str, now: datetime) -> list[Row]:
    """Release every active redemption made on an order; codes go back to ``issued``."""
    at, released = iso(now), []
    for redemption in tx.order_redemptions(business_reference, order_id):
        if not tx.release_redemption(redemption["id"], at):
            continue
        tx.transition_reward(redemption["code"], "redeemed", "issued", at)
        reward = tx.get_reward(redemption["code"])
        if reward is not None and reward["customer_id"] is not None:
            tx.add_entry(
                {
                    "customer_id": reward["customer_id"],
                    "business_reference": business_reference,
                    "program": "rewards",
                    "kind": "release",
                    "amount": -redemption["discount_amount"],
                    "order_id": order_id,
                    "reward_code": redemption["code"],
                    "note": "order voided: reward released",
                    "created_at": at,
                }
            )
        released.append({**redemption, "status": "released", "released_at": at})
    return released


def expire_due(tx: StoreTx, now: datetime) -> list[str]:
    """Persist ``expired`` for every issued code past its expiry; return their codes."""
    at, expired = iso(now), []
    for reward in tx.list_rewards():
        if (
            effective_status(reward, now) == "expired"
            and reward["status"] == "issued"
            and tx.transition_reward(reward["code"], "issued", "expired", at)
        ):
            expired.append(reward["code"])
    return expired


def cancel(tx: StoreTx, code: str, now: datetime) -> Row:
    """Cancel an issued code (a cashback code's amount goes back to the wallet)."""
    reward = _get(tx, code)
    _check_usable(reward, now)
    at = iso(now)
    if not tx.transition_reward(code, "issued", "cancelled", at):
        raise DomainError(409, "reward_already_redeemed", f"code {code} is no longer issued")
    if reward["program"] == "cashback" and reward["customer_id"] is not None:
        tx.add_entry(
            {
                "customer_id": reward["customer_id"],
                "business_reference": reward["business_reference"],
                "program": "cashback",
                "kind": "refund",
                "amount": reward["discount_amount"],
                "order_id": None,
                "reward_code": code,
                "note": "cashback code cancelled",
                "created_at": at,
            }
        )
    return {**reward, "status": "cancelled", "updated_at": at}
