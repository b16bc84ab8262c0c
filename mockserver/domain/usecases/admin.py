"""Admin and demo-state operations of `mockserver.domain.usecases.loyapro.LoyaltyService`.

Kept apart from the webhook paths: issuing and cancelling reward codes, customer views and
upserts, the catalog, subscriptions, and turning a cashback wallet into a code. Each call
is one store transaction (or a read snapshot for views).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from loyapro_mock.mockserver.domain import accounts, reward_codes
from loyapro_mock.mockserver.domain.clock import iso, parse_iso
from loyapro_mock.mockserver.domain.customers import customer_public, match_customer, normalise_mobile
from loyapro_mock.mockserver.domain.errors import DomainError, invalid
from loyapro_mock.mockserver.domain.orders import number
from loyapro_mock.mockserver.domain.programs import ProgramsConfig
from loyapro_mock.mockserver.domain.records import Row, StoreTx
from loyapro_mock.mockserver.store.protocol import Store

__all__ = ["ISSUE_OPTIONS", "AdminOperations"]

#: Keyword options `AdminOperations.issue_reward` accepts.
ISSUE_OPTIONS = frozenset(
    {
        "code",
        "discount_amount",
        "max_discount_amount",
        "allowed_products",
        "branch_ids",
        "expires_in_seconds",
        "expires_at",
        "session",
        "program",
        "discount_includes_modifiers",
        "is_discount_taxable",
        "dial_code",
        "name",
    }
)
_DEFAULT_DISCOUNT = {"products": 100.0, "percentage": 20.0, "fixed_amount": 10.0}
CustomerRef = str | int | Mapping[str, Any]


def _entry_view(entry: Row) -> dict[str, Any]:
    return {
        k: entry[k]
        for k in ("id", "program", "kind", "amount", "order_id", "reward_code", "note", "created_at")
    }


class AdminOperations:
    """Mixin of `LoyaltyService`: everything besides the three webhooks."""

    store: Store
    programs: ProgramsConfig

    def now(self) -> datetime:  # provided by LoyaltyService
        raise NotImplementedError

    def _iso_now(self) -> str:
        return iso(self.now())

    @staticmethod
    def _known_business(tx: StoreTx, reference: Any) -> Row:
        business = tx.get_business(str(reference)) if reference is not None else None
        if business is None:
            known = ", ".join(b["reference"] for b in tx.list_businesses()) or "none"
            raise DomainError(
                422, "unknown_business", f"business {reference} is not known to the mock (known: {known})"
            )
        return business

    @staticmethod
    def _customer(
        tx: StoreTx,
        reference: str,
        customer: CustomerRef,
        dial_code: Any,
        *,
        name: str | None,
        now: str,
        enroll: bool = True,
    ) -> Row:
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

    def _terms(
        self, tx: StoreTx, reference: str, kind: str, opts: Mapping[str, Any], now: datetime
    ) -> reward_codes.RewardTerms:
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

    def issue_reward(
        self, business_reference: Any, kind: str, customer: CustomerRef, **opts: Any
    ) -> dict[str, Any]:
        """Issue a code of ``kind`` for a customer (enrolled if new); see `ISSUE_OPTIONS`.

        ``program="cashback"`` pays a fixed-amount code out of the customer's wallet.
        """
        for key in opts:
            if key not in ISSUE_OPTIONS:
                raise invalid(f"/{key}", "is not a reward option", "additionalProperties")
        if kind not in reward_codes.KINDS:
            raise invalid("/kind", f"must be one of {', '.join(reward_codes.KINDS)}", "enum")
        now = self.now()
        with self.store.transaction() as tx:
            reference = self._known_business(tx, business_reference)["reference"]
            holder = self._customer(
                tx, reference, customer, opts.get("dial_code"), name=opts.get("name"), now=iso(now)
            )
            if opts.get("program") == "cashback":
                if kind != "fixed_amount":
                    raise invalid("/kind", "cashback is paid out as a fixed_amount code", "enum")
                reward = accounts.issue_cashback_code(
                    tx,
                    self.programs.for_business(reference),
                    reference,
                    holder["id"],
                    now,
                    amount=number(opts.get("discount_amount")),
                    code=opts.get("code"),
                    session=None if opts.get("session") is None else str(opts["session"]),
                )
            else:
                terms = self._terms(tx, reference, kind, opts, now)
                reward = reward_codes.issue(
                    tx,
                    business_reference=reference,
                    customer_id=holder["id"],
                    terms=terms,
                    now=now,
                    code=opts.get("code"),
                )
            return reward_codes.reward_view(tx, reward, now)

    def issue_reward_request(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """`issue_reward` from the admin API's ``IssueRewardRequest`` body."""
        if not isinstance(body, Mapping):
            raise invalid("", "the body must be a JSON object", "type")
        keys = (
            "code",
            "discount_amount",
            "max_discount_amount",
            "allowed_products",
            "branch_ids",
            "expires_in_seconds",
            "session",
        )
        opts = {k: body[k] for k in keys if body.get(k) is not None}
        customer = {
            "customer_mobile_number": body.get("customer_mobile_number"),
            "mobile_country_code": body.get("mobile_country_code"),
        }
        return self.issue_reward(body.get("business_reference"), str(body.get("kind")), customer, **opts)

    def cancel_reward(self, code: str) -> dict[str, Any]:
        """Cancel an issued code."""
        now = self.now()
        with self.store.transaction() as tx:
            return reward_codes.reward_view(tx, reward_codes.cancel(tx, code, now), now)

    def convert_cashback(
        self,
        business_reference: str | int,
        mobile: str | int,
        *,
        dial_code: str | int = 966,
        amount: float | None = None,
    ) -> dict[str, Any]:
        """Turn (part of) a customer's cashback wallet into a fixed-amount code."""
        return self.issue_reward(
            business_reference,
            "fixed_amount",
            mobile,
            dial_code=dial_code,
            program="cashback",
            **({} if amount is None else {"discount_amount": amount}),
        )

    def upsert_customer(
        self,
        business_reference: str | int,
        mobile: str | int,
        dial_code: str | int = 966,
        name: str | None = None,
        *,
        source: str = "admin",
    ) -> dict[str, Any]:
        """Create a customer, or rename an existing one; returns its public view + id."""
        now = self._iso_now()
        with self.store.transaction() as tx:
            reference = self._known_business(tx, business_reference)["reference"]
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
        self, mobile: str | int, dial_code: str | int = 966, business_reference: str | int | None = None
    ) -> dict[str, Any]:
        """Balances per program, ledger, rewards and subscriptions of one customer."""
        try:
            dial, national = normalise_mobile(mobile, dial_code)
        except ValueError as exc:
            raise invalid("/mobile", str(exc), "customer.mobile") from exc
        now = self.now()
        with self.store.snapshot() as tx:
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

    def add_product(self, business_reference: str | int, product: Mapping[str, Any]) -> None:
        """Add or update a catalog product (``id`` required; ``sku``, ``name``, ``price``...)."""
        if not product.get("id"):
            raise invalid("/id", "a product needs an id")
        with self.store.transaction() as tx:
            reference = self._known_business(tx, business_reference)["reference"]
            tx.put_product(reference, {**product, "id": str(product["id"])})

    def list_products(self, business_reference: str | int) -> list[dict[str, Any]]:
        """The catalog of a business."""
        with self.store.snapshot() as tx:
            return tx.list_products(str(business_reference))

    def subscribe(
        self,
        business_reference: str | int,
        mobile: str | int,
        plan: str,
        *,
        dial_code: str | int = 966,
        days: float = 30,
    ) -> dict[str, Any]:
        """Start a subscription plan for a customer; grants the current period's code."""
        now = self.now()
        with self.store.transaction() as tx:
            reference = self._known_business(tx, business_reference)["reference"]
            config = self.programs.for_business(reference)
            if config.subscriptions.plan(plan) is None:
                names = ", ".join(p.name for p in config.subscriptions.plans) or "none"
                raise invalid("/plan", f"unknown plan {plan!r} (plans: {names})", "enum")
            if number(days) is None or days <= 0:
                raise invalid("/days", "must be a number > 0", "exclusiveMinimum")
            holder = self._customer(tx, reference, mobile, dial_code, name=None, now=iso(now))
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
