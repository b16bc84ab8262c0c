"""Admin use cases on customers: create or rename one, view its balances, ledger, rewards
and subscriptions, start a subscription plan."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from loyapro_mock.mockserver.domain import accounts, reward_codes
from loyapro_mock.mockserver.domain.clock import iso, parse_iso
from loyapro_mock.mockserver.domain.customers import customer_public, match_customer, normalise_mobile
from loyapro_mock.mockserver.domain.errors import DomainError, invalid
from loyapro_mock.mockserver.domain.orders import number
from loyapro_mock.mockserver.domain.records import Row, StoreTx
from loyapro_mock.mockserver.domain.usecases.loyapro import LoyaPro, known_business

__all__ = ["CustomerRef", "admin_customer", "customer_view", "subscribe", "upsert_customer"]

#: A customer as admin calls name it: a mobile, or a mapping with ``customer_mobile_number``
#: (or ``mobile``), ``mobile_country_code`` and ``name``.
CustomerRef = str | int | Mapping[str, Any]


def _entry_view(entry: Row) -> dict[str, Any]:
    return {
        k: entry[k]
        for k in ("id", "program", "kind", "amount", "order_id", "reward_code", "note", "created_at")
    }


def admin_customer(
    tx: StoreTx,
    reference: str,
    customer: CustomerRef,
    dial_code: Any,
    *,
    name: str | None,
    now: str,
    enroll: bool = True,
) -> Row:
    """The customer an admin call names in business ``reference``, enrolled when new (with
    ``enroll``; else a 404 ``customer_not_found``)."""
    if isinstance(customer, Mapping):
        mobile = customer.get("customer_mobile_number") or customer.get("mobile")
        dial_code = customer.get("mobile_country_code") or dial_code
        given = customer.get("name")
        name = given if isinstance(given, str) and given else name
    else:
        mobile = customer
    try:
        if not isinstance(mobile, str | int) or isinstance(mobile, bool):
            raise ValueError("a mobile number is required, e.g. 557937530")
        dial, national = normalise_mobile(mobile, dial_code)
    except ValueError as exc:
        raise invalid("/customer_mobile_number", str(exc), "customer.mobile") from exc
    if enroll:
        return match_customer(tx, reference, dial, national, name, source="admin", now=now)[0]
    found = tx.find_customer(reference, dial, national)
    if found is None:
        raise DomainError(
            404, "customer_not_found", f"no customer +{dial} {national} in business {reference}"
        )
    return found


def upsert_customer(
    loyapro: LoyaPro,
    business_reference: str | int,
    mobile: str | int,
    dial_code: str | int = 966,
    name: str | None = None,
    *,
    source: str = "admin",
) -> dict[str, Any]:
    """Create a customer, or rename an existing one; returns its public view + id."""
    now = loyapro.iso_now()
    with loyapro.store.transaction() as tx:
        reference = known_business(tx, business_reference)["reference"]
        try:
            dial, national = normalise_mobile(mobile, dial_code)
        except ValueError as exc:
            raise invalid("/customer_mobile_number", str(exc), "customer.mobile") from exc
        row, created = match_customer(tx, reference, dial, national, name, source=source, now=now)
        if name and row.get("name") != name:
            tx.rename_customer(row["id"], name)
            row = {**row, "name": name}
    return {"id": row["id"], **(customer_public(row) or {}), "created": created}


def customer_view(
    loyapro: LoyaPro,
    mobile: str | int,
    dial_code: str | int = 966,
    business_reference: str | int | None = None,
) -> dict[str, Any]:
    """Balances per program, ledger, rewards and subscriptions of one customer."""
    try:
        dial, national = normalise_mobile(mobile, dial_code)
    except ValueError as exc:
        raise invalid("/mobile", str(exc), "customer.mobile") from exc
    now = loyapro.now()
    with loyapro.store.snapshot() as tx:
        found = [
            c
            for c in tx.customers_by_mobile(dial, national)
            if business_reference is None or c["business_reference"] == str(business_reference)
        ]
        if not found:
            where = f" in business {business_reference}" if business_reference else ""
            raise DomainError(
                404,
                "customer_not_found",
                f"no customer has the mobile +{dial} {national}{where}; "
                "customers are enrolled by their first order",
            )
        customer = found[0]
        reference = customer["business_reference"]
        return {
            "customer": {
                "id": customer["id"],
                **(customer_public(customer) or {}),
                "business_reference": reference,
                "source": customer["source"],
                "created_at": customer["created_at"],
            },
            "business_reference": reference,
            "balances": accounts.balances(tx, customer["id"]),
            "ledger": [_entry_view(e) for e in tx.entries(reference, customer_id=customer["id"])],
            "rewards": [
                reward_codes.reward_view(tx, r, now) for r in tx.list_rewards(customer_id=customer["id"])
            ],
            "subscriptions": [
                {
                    "plan": s["plan"],
                    "starts_at": s["starts_at"],
                    "ends_at": s["ends_at"],
                    "active": parse_iso(s["starts_at"]) <= now < parse_iso(s["ends_at"]),
                }
                for s in tx.subscriptions(customer["id"])
            ],
        }


def subscribe(
    loyapro: LoyaPro,
    business_reference: str | int,
    mobile: str | int,
    plan: str,
    *,
    dial_code: str | int = 966,
    days: float = 30,
) -> dict[str, Any]:
    """Start a subscription plan for a customer; grants the current period's code."""
    now = loyapro.now()
    with loyapro.store.transaction() as tx:
        reference = known_business(tx, business_reference)["reference"]
        config = loyapro.programs.for_business(reference)
        if config.subscriptions.plan(plan) is None:
            names = ", ".join(p.name for p in config.subscriptions.plans) or "none"
            raise invalid("/plan", f"unknown plan {plan!r} (plans: {names})", "enum")
        if number(days) is None or days <= 0:
            raise invalid("/days", "must be a number > 0", "exclusiveMinimum")
        holder = admin_customer(tx, reference, mobile, dial_code, name=None, now=iso(now))
        subscription = {
            "customer_id": holder["id"],
            "business_reference": reference,
            "plan": plan,
            "starts_at": iso(now),
            "ends_at": iso(now + timedelta(days=days)),
        }
        tx.add_subscription(subscription)
        _, issued = accounts.grant_entitlements(tx, config, reference, holder["id"], now)
        return {
            "subscription": {k: subscription[k] for k in ("plan", "starts_at", "ends_at")},
            "customer": customer_public(holder),
            "rewards_issued": [reward_codes.reward_view(tx, r, now) for r in issued],
        }
