"""Prepare a certification session on a running mock: customers and one reward code per kind."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from loyapro_mock.contracts.mock_admin import MockAdmin, MockAdminError
from loyapro_mock.contracts.session import CertSession, SessionCustomer, SessionReward

DOCS_BUSINESS_REFERENCE = 440810
DOCS_BRANCH_ID = "97be5de5-ae01-4efe-8355-7c6aaf077be7"

_NAMES = (
    ("Noura Alqahtani", "نورة القحطاني"),
    ("Abdullah Alotaibi", "عبدالله العتيبي"),
    ("Reem Alshehri", "ريم الشهري"),
    ("Khalid Alghamdi", "خالد الغامدي"),
    ("Sara Alharbi", "سارة الحربي"),
    ("Faisal Alsalamah", "فيصل السلامة"),
)

PERCENTAGE = 20.0
PERCENTAGE_CAP = 15.0
FIXED_AMOUNT = 10.0


def session_customer(rng: random.Random) -> SessionCustomer:
    """A customer with a fresh Saudi mobile (5 + 8 digits) and a Latin and Arabic name."""
    latin, arabic = rng.choice(_NAMES)
    mobile = "5" + "".join(rng.choice("0123456789") for _ in range(8))
    return SessionCustomer(name=latin, name_localized=arabic, dial_code=966, mobile=mobile)


def start_session(
    mock_url: str,
    *,
    pos_name: str = "foodics",
    business_reference: int | str = DOCS_BUSINESS_REFERENCE,
    branch_id: str = DOCS_BRANCH_ID,
    allowed_products: Sequence[str] = (),
    pos_version: str = "",
    seed: int | None = None,
    admin: MockAdmin | None = None,
) -> CertSession:
    """Create a session: note where the journal stands, make a customer, issue three codes."""
    admin = admin or MockAdmin(mock_url)
    health = admin.health()
    rng = random.Random(seed)
    session = CertSession(
        id=CertSession.new_id() if seed is None else f"cert-{rng.getrandbits(40):010x}",
        mock_url=mock_url.rstrip("/"),
        pos_name=pos_name,
        business_reference=business_reference,
        branch_id=branch_id,
        created_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        since_id=admin.last_journal_id() + 1,
        pos_version=pos_version,
        spec_version=str(health.get("spec_version", "")),
    )
    customer = session_customer(rng)
    session.customers.append(customer)
    for kind, options in (
        ("products", {"discount_amount": 100, "allowed_products": list(allowed_products) or None}),
        ("percentage", {"discount_amount": PERCENTAGE, "max_discount_amount": PERCENTAGE_CAP}),
        ("fixed_amount", {"discount_amount": FIXED_AMOUNT}),
    ):
        body: dict[str, Any] = {
            "kind": kind,
            "business_reference": business_reference,
            "customer_mobile_number": customer.mobile,
            "mobile_country_code": str(customer.dial_code),
            "branch_ids": None,
            "session": session.id,
            **options,
        }
        try:
            issued = admin.issue_reward(body)
        except MockAdminError as exc:
            if not allowed_products or "allowed_products" not in str(exc):
                raise
            # the mock does not know the POS's products: let the reward allow any product
            issued = admin.issue_reward({**body, "allowed_products": None})
            session.notes.append(
                "The mock does not know the POS's products "
                f"({', '.join(allowed_products)}), so the free-product reward allows any "
                "product; the product choice is graded without a list of allowed products."
            )
        allowed = issued.get("allowed_products") or []
        session.rewards.append(
            SessionReward(
                code=str(issued["code"]),
                kind=kind,
                customer_mobile=customer.mobile,
                discount_amount=float(issued.get("discount_amount") or 0),
                is_percent=bool(issued.get("is_percent")),
                max_discount_amount=issued.get("max_discount_amount"),
                allowed_products=tuple(str(item.get("id")) for item in allowed if isinstance(item, dict)),
            )
        )
    return session
