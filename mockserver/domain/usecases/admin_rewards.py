"""Admin use cases on reward codes: issue one (of any kind, or out of a cashback wallet),
cancel one, read one's state with its redemptions, list redemptions. Each call is one
transaction (a snapshot for reads)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from loyapro_mock.mockserver.domain import accounts, reward_codes
from loyapro_mock.mockserver.domain.clock import iso, parse_iso
from loyapro_mock.mockserver.domain.errors import DomainError, invalid
from loyapro_mock.mockserver.domain.orders import number
from loyapro_mock.mockserver.domain.records import Row, StoreTx
from loyapro_mock.mockserver.domain.usecases.admin_customers import CustomerRef, admin_customer
from loyapro_mock.mockserver.domain.usecases.bodies import body_object
from loyapro_mock.mockserver.domain.usecases.loyapro import LoyaPro, known_business

__all__ = [
    "ISSUE_OPTIONS",
    "REQUEST_OPTIONS",
    "cancel_reward",
    "convert_cashback",
    "issue_reward",
    "issue_reward_request",
    "redemption_record",
    "redemptions",
    "reward_state",
]

#: The options of the admin API's ``IssueRewardRequest`` body that `issue_reward` takes.
REQUEST_OPTIONS = (
    "code",
    "discount_amount",
    "max_discount_amount",
    "allowed_products",
    "branch_ids",
    "expires_in_seconds",
    "session",
)
#: Keyword options `issue_reward` accepts.
ISSUE_OPTIONS = frozenset(REQUEST_OPTIONS) | {
    "expires_at",
    "program",
    "discount_includes_modifiers",
    "is_discount_taxable",
    "dial_code",
    "name",
}
_DEFAULT_DISCOUNT = {"products": 100.0, "percentage": 20.0, "fixed_amount": 10.0}


def issue_reward(
    loyapro: LoyaPro, business_reference: Any, kind: str, customer: CustomerRef, **opts: Any
) -> dict[str, Any]:
    """Issue a code of ``kind`` for a customer (enrolled if new); see `ISSUE_OPTIONS`.

    ``program="cashback"`` pays a fixed-amount code out of the customer's wallet.
    """
    for key in opts:
        if key not in ISSUE_OPTIONS:
            raise invalid(f"/{key}", "is not a reward option", "additionalProperties")
    if kind not in reward_codes.KINDS:
        raise invalid("/kind", f"must be one of {', '.join(reward_codes.KINDS)}", "enum")
    now = loyapro.now()
    with loyapro.store.transaction() as tx:
        reference = known_business(tx, business_reference)["reference"]
        holder = admin_customer(
            tx, reference, customer, opts.get("dial_code"), name=opts.get("name"), now=iso(now)
        )
        if opts.get("program") == "cashback":
            if kind != "fixed_amount":
                raise invalid("/kind", "cashback is paid out as a fixed_amount code", "enum")
            reward = accounts.issue_cashback_code(
                tx,
                loyapro.programs.for_business(reference),
                reference,
                holder["id"],
                now,
                amount=number(opts.get("discount_amount")),
                code=opts.get("code"),
                session=None if opts.get("session") is None else str(opts["session"]),
            )
        else:
            terms = _terms(tx, reference, kind, opts, now)
            reward = reward_codes.issue(
                tx,
                business_reference=reference,
                customer_id=holder["id"],
                terms=terms,
                now=now,
                code=opts.get("code"),
            )
        return reward_codes.reward_view(tx, reward, now)


def issue_reward_request(loyapro: LoyaPro, body: Mapping[str, Any]) -> dict[str, Any]:
    """`issue_reward` from the admin API's ``IssueRewardRequest`` body."""
    body = body_object(body)
    opts = {k: body[k] for k in REQUEST_OPTIONS if body.get(k) is not None}
    customer = {
        "customer_mobile_number": body.get("customer_mobile_number"),
        "mobile_country_code": body.get("mobile_country_code"),
    }
    return issue_reward(loyapro, body.get("business_reference"), str(body.get("kind")), customer, **opts)


def cancel_reward(loyapro: LoyaPro, code: str) -> dict[str, Any]:
    """Cancel an issued code."""
    now = loyapro.now()
    with loyapro.store.transaction() as tx:
        return reward_codes.reward_view(tx, reward_codes.cancel(tx, code, now), now)


def convert_cashback(
    loyapro: LoyaPro,
    business_reference: str | int,
    mobile: str | int,
    *,
    dial_code: str | int = 966,
    amount: float | None = None,
) -> dict[str, Any]:
    """Turn (part of) a customer's cashback wallet into a fixed-amount code."""
    return issue_reward(
        loyapro,
        business_reference,
        "fixed_amount",
        mobile,
        dial_code=dial_code,
        program="cashback",
        **({} if amount is None else {"discount_amount": amount}),
    )


def redemption_record(redemption: Row) -> dict[str, Any]:
    """A redemption as the admin API shows it: the ``/redeem`` answer's fields (without
    ``replay``) and, once its order was voided, when it was released."""
    record = reward_codes.redemption_view(redemption, None, replay=False)
    del record["replay"]
    return {**record, "released_at": redemption["released_at"]}


def reward_state(loyapro: LoyaPro, code: str) -> dict[str, Any]:
    """``{"reward": ..., "redemptions": [...]}``: a code's state now (``issued``,
    ``redeemed``, ``expired``, ``cancelled``; a released code is ``issued`` again) and every
    redemption of it, released ones included, oldest first. 404 for an unknown code."""
    now = loyapro.now()
    with loyapro.store.snapshot() as tx:
        reward = tx.get_reward(code)
        if reward is None:
            raise DomainError(
                404,
                "reward_not_found",
                f"no reward has the code {code!r} (codes are case-sensitive); "
                "POST /__admin/rewards issues one",
            )
        return {
            "reward": reward_codes.reward_view(tx, reward, now),
            "redemptions": [redemption_record(r) for r in tx.list_redemptions(code)],
        }


def redemptions(loyapro: LoyaPro, code: str | None = None) -> list[dict[str, Any]]:
    """Every redemption (of one code, or all), oldest first."""
    with loyapro.store.snapshot() as tx:
        return [reward_codes.redemption_view(r, None, replay=False) for r in tx.list_redemptions(code)]


def _terms(
    tx: StoreTx, reference: str, kind: str, opts: Mapping[str, Any], now: datetime
) -> reward_codes.RewardTerms:
    """The terms of a code to issue, from the options of `issue_reward` (checked here)."""
    raw = opts.get("discount_amount", _DEFAULT_DISCOUNT[kind])
    amount = number(raw)
    if amount is None or amount < 0:
        raise invalid("/discount_amount", "must be a number >= 0", "type")
    if kind != "fixed_amount" and amount > 100:
        raise invalid(
            "/discount_amount",
            f"a {kind} reward's discount_amount is a percentage: at most 100",
            "maximum",
        )
    cap = opts.get("max_discount_amount")
    if cap is not None and (number(cap) is None or cap < 0):
        raise invalid("/max_discount_amount", "must be a number >= 0 or null", "type")
    products = opts.get("allowed_products")
    allowed = None
    for key in ("allowed_products", "branch_ids"):
        if opts.get(key) is not None and not isinstance(opts[key], list | tuple):
            raise invalid(f"/{key}", "must be a list or null", "type")
    if products is not None:
        ids = [str(p["id"]) if isinstance(p, Mapping) else str(p) for p in products]
        allowed = accounts.allowed_products(tx, reference, ids)
        for i, product in enumerate(allowed or []):
            if product["name"] is None:
                raise invalid(
                    f"/allowed_products/{i}",
                    f"product {product['id']} is not in the catalog of business {reference}",
                    "enum",
                )
    expires_at = opts.get("expires_at")
    try:
        if isinstance(expires_at, datetime):
            expires_at = iso(expires_at)
        elif expires_at is not None:
            expires_at = iso(parse_iso(str(expires_at)))
    except ValueError as exc:
        raise invalid("/expires_at", "must be an ISO-8601 instant", "format") from exc
    seconds = opts.get("expires_in_seconds")
    if seconds is not None:
        if number(seconds) is None or seconds < 0 or seconds > 200 * 365 * 86400:
            raise invalid(
                "/expires_in_seconds", "must be a number of seconds between 0 and 200 years", "maximum"
            )
        expires_at = iso(now + timedelta(seconds=float(seconds)))
    branches = opts.get("branch_ids")
    return reward_codes.RewardTerms(
        kind=kind,
        discount_amount=amount,
        max_discount_amount=cap,
        allowed_products=allowed,
        expires_at=expires_at,
        branch_ids=[str(b) for b in branches] if branches is not None else None,
        discount_includes_modifiers=bool(opts.get("discount_includes_modifiers", kind == "products")),
        is_discount_taxable=bool(opts.get("is_discount_taxable", False)),
        program=str(opts.get("program") or "admin"),
        session=None if opts.get("session") is None else str(opts["session"]),
    )
