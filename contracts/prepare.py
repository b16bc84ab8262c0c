"""Prepare a certification session on a running mock: customers, one reward code per kind,
and the POS's catalogue (read from its Product API) that amounts are graded against."""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from loyapro_mock.contracts.mock_admin import MockAdmin, MockAdminError
from loyapro_mock.contracts.session import (
    CatalogueProduct,
    CertSession,
    ResiliencePlan,
    SessionCustomer,
    SessionReward,
)

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
#: The Retry-After seconds of the 429 a session's resilience step gets.
RETRY_AFTER = 1
#: The 5xx the session's redeem gets once the redemption is committed.
REDEEM_ERROR_STATUS = 502


def session_customer(rng: random.Random) -> SessionCustomer:
    """A customer with a fresh Saudi mobile (5 + 8 digits) and a Latin and Arabic name."""
    latin, arabic = rng.choice(_NAMES)
    mobile = "5" + "".join(rng.choice("0123456789") for _ in range(8))
    return SessionCustomer(name=latin, name_localized=arabic, dial_code=966, mobile=mobile)


class PosCatalogueError(RuntimeError):
    """The POS's Product API could not be read: unreachable, refused the token, or broken.

    ``status`` is the HTTP status the POS answered (None when it could not be reached).
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _unreachable(error: str) -> str:
    """A transport error as a short reason (``connection refused``, ``timed out``...)."""
    lowered = error.lower()
    for needle, reason in (
        ("connection refused", "connection refused"),
        ("timed out", "no answer in time (timed out)"),
        ("name or service not known", "unknown host"),
        ("nodename nor servname", "unknown host"),
        ("failed to resolve", "unknown host"),
        ("getaddrinfo failed", "unknown host"),
    ):
        if needle in lowered:
            return reason
    return re.sub(r"\s+", " ", error)[:300]


def read_pos_catalogue(pos_url: str, token: str | None, per_page: int = 100) -> list[dict[str, Any]]:
    """Every product the POS's Product API lists (``GET /products``, all pages).

    Raises :class:`PosCatalogueError` when the POS cannot be reached, answers an error (401
    and 403 included), answers something that is not a page of products, or lists none: a
    session graded against a partial or empty catalogue would grade prices wrongly.
    """
    # the probes live with the outbound checks, which load schemathesis: import on use
    from loyapro_mock.contracts.outbound.probes import PosClient, page_items, walk_products

    base = pos_url.rstrip("/")
    calls = walk_products(PosClient(base, token), per_page)
    for call in calls:
        page = call.query.get("page", "1")
        request = f"{call.method} {call.path}" + (f" (page {page})" if page != "1" else "")
        if call.status is None:
            raise PosCatalogueError(f"cannot reach the POS at {base}: {_unreachable(call.error)}")
        if not 200 <= call.status < 300:
            raise PosCatalogueError(f"the POS answered {call.status} to {request}", call.status)
        if not call.json_ok or not isinstance(call.response.get("data"), list):
            raise PosCatalogueError(
                f"the POS answered {request} with something that is not a page of products "
                f"(a JSON object with a data list): {str(call.response)[:200]}",
                call.status,
            )
    items = page_items(calls)
    if not items:
        raise PosCatalogueError(
            f"the POS's Product API at {base}/products lists no products; LoyaPro needs them "
            "to build product rewards and the session to grade prices"
        )
    return items


def session_catalogue(
    items: Sequence[Mapping[str, Any]], *, tax_inclusive: bool = True
) -> tuple[list[CatalogueProduct], int]:
    """The Product API items as catalogue products, and how many were left out (no id or price)."""
    products = [CatalogueProduct.from_api(item, tax_inclusive=tax_inclusive) for item in items]
    kept = [product for product in products if product is not None]
    return kept, len(products) - len(kept)


def start_session(
    mock_url: str,
    *,
    pos_name: str = "foodics",
    business_reference: int | str = DOCS_BUSINESS_REFERENCE,
    branch_id: str = DOCS_BRANCH_ID,
    allowed_products: Sequence[str] = (),
    catalogue: Sequence[Mapping[str, Any]] = (),
    catalogue_source: str = "the POS's Product API",
    prices_include_tax: bool = True,
    pos_version: str = "",
    seed: int | None = None,
    admin: MockAdmin | None = None,
    resilience: bool = True,
) -> CertSession:
    """Create a session: note where the journal stands and the mock's state marker, make a
    customer, issue three codes; with ``resilience``, also make the resilience steps'
    customer and codes and install the fault rules scoped to them (`install_resilience`).

    ``catalogue`` holds the POS's products as its Product API lists them (``price``
    after tax unless ``prices_include_tax`` is False); the session keeps them, so that
    ``certify report`` grades line prices and product rewards against them. Without one,
    those amounts are not graded (and the report says so).
    """
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
        mock_state=dict(health.get("state") or {}),
    )
    if catalogue:
        session.catalogue, skipped = session_catalogue(catalogue, tax_inclusive=prices_include_tax)
        session.catalogue_source = catalogue_source
        if skipped:
            session.notes.append(
                f"{skipped} of the {len(catalogue)} products {catalogue_source} lists have no id or "
                "no numeric price; order lines of those products are reported as unknown."
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
    if resilience:
        session.resilience = install_resilience(session, admin, rng)
    return session


def install_resilience(session: CertSession, admin: MockAdmin, rng: random.Random) -> ResiliencePlan:
    """The resilience steps' customer and codes, and the fault rules scoped to them.

    The rules match only this customer's calls and these codes, in the session's POS and
    business, so the other steps (and other sessions) never meet them:

    * ``lost_answer``: the customer's first paid order is committed, then the connection is
      reset (the answer is lost);
    * ``rate_limited``: the first lookup of ``code`` is answered 429 with ``Retry-After``,
      applying nothing;
    * ``redeem_error``: the first redeem of ``code`` is committed, then answered 5xx.
    """
    customer = session.customer
    while customer.mobile == session.customer.mobile:
        customer = session_customer(rng)
    other_branch = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    codes = []
    for branches in (None, [other_branch]):
        issued = admin.issue_reward(
            {
                "kind": "fixed_amount",
                "discount_amount": FIXED_AMOUNT,
                "business_reference": session.business_reference,
                "customer_mobile_number": customer.mobile,
                "mobile_country_code": str(customer.dial_code),
                "branch_ids": branches,
                "session": session.id,
            }
        )
        codes.append(str(issued["code"]))
    code, refused_code = codes
    scope = {
        "pos": session.pos_name,
        "business": str(session.business_reference),
        "nth": 1,
    }
    rules = {
        "lost_answer": {
            **scope,
            "operation": "order",
            "order_status": "Paid",
            "customer_mobile": f"+{customer.dial_code}{customer.mobile}",
            "action": "commit_then_fail",
            "then": "reset",
        },
        "rate_limited": {
            **scope,
            "operation": "reward",
            "reward_code": code,
            "action": "error",
            "status": 429,
            "retry_after": RETRY_AFTER,
        },
        "redeem_error": {
            **scope,
            "operation": "redeem",
            "reward_code": code,
            "action": "commit_then_fail",
            "then": "error",
            "status": REDEEM_ERROR_STATUS,
        },
    }
    ids = {}
    for role, rule in rules.items():
        ids[role] = str(admin.add_fault({"id": f"{session.id}-{role.replace('_', '-')}", **rule})["id"])
    return ResiliencePlan(
        customer=customer, code=code, refused_code=refused_code, retry_after=RETRY_AFTER, rules=ids
    )
