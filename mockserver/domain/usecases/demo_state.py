"""Demo state: the docs' business, customer and branch, a small catalog and reward codes,
and the magic reward codes (`MAGIC_CODES`) that always answer the same refusal.

`seed_demo` is idempotent: on a database that already holds the demo it only fills what is
missing, so a restart keeps whatever a POS did to the demo codes. Pass it as the `LoyaPro`'s
``seeder`` so ``POST /__admin/reset`` loads it again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from loyapro_mock.mockserver.domain import faults, reward_codes
from loyapro_mock.mockserver.domain.usecases.admin_catalog import add_product, register_business
from loyapro_mock.mockserver.domain.usecases.admin_customers import subscribe, upsert_customer
from loyapro_mock.mockserver.domain.usecases.admin_rewards import issue_reward
from loyapro_mock.mockserver.domain.usecases.loyapro import LoyaPro

__all__ = [
    "DEMO_BRANCH",
    "DEMO_BUSINESS",
    "DEMO_CATALOG",
    "DEMO_CODES",
    "DEMO_CUSTOMERS",
    "DEMO_POS",
    "MAGIC_CODES",
    "MAGIC_FAULT",
    "MAGIC_OTHER_BRANCH",
    "MAGIC_REDEEMED_ORDER",
    "DemoState",
    "demo_summary",
    "seed_demo",
]

DEMO_POS = "foodics"
DEMO_BUSINESS = {"reference": "440810", "name": "north coffee"}
DEMO_BRANCH = {
    "id": "97be5de5-ae01-4efe-8355-7c6aaf077be7",
    "name": "north coffee esplanade",
    "reference": "b06",
}
#: (dial code, mobile, name); the first one is the docs' customer.
DEMO_CUSTOMERS: tuple[tuple[int, str, str], ...] = (
    (966, "557937530", "faisal alsalamah"),
    (966, "501234567", "noura alqahtani"),
    (966, "555123456", "abdullah alharbi"),
    (966, "531112233", "sara alotaibi"),
)
DEMO_CATALOG: tuple[dict[str, Any], ...] = (
    {
        "id": "_7g3g8555",
        "sku": "prd_7g3g8555",
        "name": "blue north",
        "name_localized": "بلو نورث",
        "price": 24.0,
        "category": "hot drinks",
    },
    {
        "id": "_8a2k1m90",
        "sku": "prd_8a2k1m90",
        "name": "flat white",
        "name_localized": "فلات وايت",
        "price": 18.0,
        "category": "hot drinks",
    },
    {
        "id": "_5d7q3c21",
        "sku": "prd_5d7q3c21",
        "name": "spanish latte",
        "name_localized": "سبانش لاتيه",
        "price": 21.0,
        "category": "cold drinks",
    },
    {
        "id": "_9x4b6n12",
        "sku": "prd_9x4b6n12",
        "name": "butter croissant",
        "name_localized": "كرواسون بالزبدة",
        "price": 12.0,
        "category": "bakery",
    },
    {
        "id": "_2r8t5v33",
        "sku": "prd_2r8t5v33",
        "name": "san sebastian cheesecake",
        "name_localized": "تشيز كيك سان سباستيان",
        "price": 26.0,
        "category": "desserts",
    },
)
#: One code of each kind, all held by the docs' customer.
DEMO_CODES = {"products": "PRD-4B8N2X", "percentage": "PCT-9T3W5H", "fixed_amount": "FIX-7Q2M9K"}
_CODE_TERMS: dict[str, dict[str, Any]] = {
    "products": {
        "discount_amount": 100,
        "allowed_products": ["_7g3g8555", "_8a2k1m90"],
        "max_discount_amount": 24,
    },
    "percentage": {"discount_amount": 20, "max_discount_amount": 15},
    "fixed_amount": {"discount_amount": 10},
}
_YEAR_SECONDS = 365 * 24 * 3600

#: Magic reward codes, like a payment sandbox's test cards: each always answers the same way,
#: whichever customer the POS sends (none has a holder but TEST-OTHER-CUSTOMER). All are
#: fixed-amount codes of 10 in the demo business. See docs/server.md.
MAGIC_CODES: dict[str, str] = {
    "TEST-EXPIRED": "410 reward_expired: expired on 2023-01-01",
    "TEST-REDEEMED": "409 reward_already_redeemed: redeemed on order TEST-REDEEMED-ORDER",
    "TEST-CANCELLED": "410 reward_cancelled",
    "TEST-OTHER-BRANCH": "422 reward_not_valid_for_branch: valid only at another branch",
    "TEST-OTHER-CUSTOMER": "422 reward_not_valid_for_customer: held by +966 501234567",
    "TEST-503-ONCE": "looks up fine; its first redeem answers 503 injected_unavailable, the retry succeeds",
}
#: The branch TEST-OTHER-BRANCH is valid at: not one of the demo business's.
MAGIC_OTHER_BRANCH = "d2c1a3f0-7b5e-4c8a-9f61-3e2b7c4d5a07"
MAGIC_REDEEMED_ORDER = "TEST-REDEEMED-ORDER"
#: The fault rule behind TEST-503-ONCE (`mockserver.domain.faults`), listed by GET /__admin/faults.
MAGIC_FAULT: dict[str, Any] = {
    "id": "demo-test-503-once",
    "operation": "redeem",
    "reward_code": "TEST-503-ONCE",
    "nth": 1,
    "action": "error",
    "status": 503,
}


@dataclass(frozen=True)
class DemoState:
    """What the demo holds, for the startup banner and the tests."""

    pos_name: str
    business_reference: str
    business_name: str
    branch_id: str
    customer_dial_code: int
    customer_mobile: str
    codes: dict[str, str] = field(default_factory=dict)
    product_ids: tuple[str, ...] = ()
    magic_codes: dict[str, str] = field(default_factory=dict)  # code -> what it always answers


def _subscribe_demo(loyapro: LoyaPro, reference: str) -> None:
    """Give the second demo customer the first subscription plan (once)."""
    plans = loyapro.programs.for_business(reference).subscriptions
    if not plans.enabled or not plans.plans:
        return
    dial, mobile, _ = DEMO_CUSTOMERS[1]
    with loyapro.store.snapshot() as tx:
        customer = tx.find_customer(reference, dial, mobile)
        subscribed = customer is not None and bool(tx.subscriptions(customer["id"]))
    if not subscribed:
        subscribe(loyapro, reference, mobile, plans.plans[0].name, dial_code=dial, days=30)


def seed_demo(loyapro: LoyaPro) -> DemoState:
    """Create (or complete) the demo state and describe it."""
    reference = DEMO_BUSINESS["reference"]
    register_business(loyapro, reference, DEMO_BUSINESS["name"], DEMO_POS, branches=[DEMO_BRANCH])
    for product in DEMO_CATALOG:
        add_product(loyapro, reference, product)
    for dial, mobile, name in DEMO_CUSTOMERS:
        upsert_customer(loyapro, reference, mobile, dial, name, source="seed")
    dial, mobile, _ = DEMO_CUSTOMERS[0]
    with loyapro.store.snapshot() as tx:
        missing = [kind for kind, code in DEMO_CODES.items() if tx.get_reward(code) is None]
    for kind in missing:
        issue_reward(
            loyapro,
            reference,
            kind,
            mobile,
            dial_code=dial,
            code=DEMO_CODES[kind],
            program="demo",
            expires_in_seconds=_YEAR_SECONDS,
            **_CODE_TERMS[kind],
        )
    _subscribe_demo(loyapro, reference)
    _seed_magic_codes(loyapro, reference)
    return DemoState(
        pos_name=DEMO_POS,
        business_reference=reference,
        business_name=DEMO_BUSINESS["name"],
        branch_id=DEMO_BRANCH["id"],
        customer_dial_code=dial,
        customer_mobile=mobile,
        codes=dict(DEMO_CODES),
        product_ids=tuple(p["id"] for p in DEMO_CATALOG),
        magic_codes=dict(MAGIC_CODES),
    )


def _seed_magic_codes(loyapro: LoyaPro, reference: str) -> None:
    """Issue the magic codes that are missing, each put in the state it always answers."""
    now = loyapro.now()
    dial, mobile, _ = DEMO_CUSTOMERS[0]
    with loyapro.store.transaction() as tx:
        faults.ensure_rule(tx, faults.parse_rule(MAGIC_FAULT), "demo")
        missing = [code for code in MAGIC_CODES if tx.get_reward(code) is None]
        other = tx.find_customer(reference, *DEMO_CUSTOMERS[1][:2])
        for code in missing:
            terms = reward_codes.RewardTerms(
                kind="fixed_amount",
                discount_amount=10.0,
                expires_at="2023-01-01T00:00:00.000Z" if code == "TEST-EXPIRED" else None,
                branch_ids=[MAGIC_OTHER_BRANCH] if code == "TEST-OTHER-BRANCH" else None,
                program="demo",
            )
            holder = other["id"] if code == "TEST-OTHER-CUSTOMER" and other is not None else None
            reward_codes.issue(
                tx, business_reference=reference, customer_id=holder, terms=terms, now=now, code=code
            )
            if code == "TEST-CANCELLED":
                reward_codes.cancel(tx, code, now)
            elif code == "TEST-REDEEMED":
                request = reward_codes.RedeemRequest(
                    code=code,
                    business_reference=reference,
                    order_id=MAGIC_REDEEMED_ORDER,
                    branch_id=DEMO_BRANCH["id"],
                    discount_amount=10.0,
                    customer=(dial, mobile),
                )
                reward_codes.redeem(tx, request, now)


def demo_summary(state: DemoState | None) -> dict[str, Any] | None:
    """The demo state as JSON-ready data (for ``POST /__admin/reset``)."""
    if state is None:
        return None
    data = asdict(state)
    data["product_ids"] = list(state.product_ids)
    return data
