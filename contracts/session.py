"""A certification session: who and what the cashier uses, and where its journal starts.

``certify start`` creates one on a running mock and saves it as ``session.json`` next to
the cashier checklist; ``certify report`` reads it back to know which journal entries,
customers and reward codes belong to the session, and which catalogue (the POS's products
and prices) the amounts the POS sends are graded against.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REWARD_KINDS = ("products", "percentage", "fixed_amount")
#: The VAT rate a price is converted with when the order line names none (Saudi VAT).
DEFAULT_VAT_RATE = 15.0


@dataclass(frozen=True)
class SessionCustomer:
    """A customer made for the session (the cashier attaches it to orders)."""

    name: str
    name_localized: str
    dial_code: int
    mobile: str

    @property
    def international(self) -> str:
        """``+966 5xxxxxxxx``: how the checklist shows the mobile."""
        return f"+{self.dial_code} {self.mobile}"


@dataclass(frozen=True)
class SessionReward:
    """A reward code issued for the session, with what the lookup will say about it."""

    code: str
    kind: str
    customer_mobile: str
    discount_amount: float
    is_percent: bool = False
    max_discount_amount: float | None = None
    allowed_products: tuple[str, ...] = ()


@dataclass(frozen=True)
class CatalogueProduct:
    """A product as the POS's Product API listed it when the session started.

    The Product API gives one ``price`` and does not say whether it includes VAT:
    ``tax_inclusive`` records what the session was told (prices after tax by default, as
    Saudi POSes list them). :meth:`price_in` converts it to an order's pricing mode.
    """

    id: str
    name: str
    price: float
    tax_inclusive: bool = True
    sku: str | None = None

    @classmethod
    def from_api(cls, item: Mapping[str, Any], *, tax_inclusive: bool = True) -> CatalogueProduct | None:
        """Read one Product API item; None when it has no id or no numeric price."""
        price = item.get("price")
        if not item.get("id") or isinstance(price, bool) or not isinstance(price, int | float):
            return None
        sku = item.get("sku")
        return cls(
            id=str(item["id"]),
            name=str(item.get("name") or ""),
            price=float(price),
            tax_inclusive=tax_inclusive,
            sku=str(sku) if sku not in (None, "") else None,
        )

    @property
    def listed_as(self) -> str:
        """``"tax-inclusive"`` or ``"tax-exclusive"``: how the catalogue lists the price."""
        return "tax-inclusive" if self.tax_inclusive else "tax-exclusive"

    def price_in(self, mode: str, vat_rate: float = DEFAULT_VAT_RATE) -> float:
        """The unit price an order line must carry in pricing ``mode`` (``"inclusive"`` or
        ``"exclusive"``, see ``mockserver.domain.rules.pricing_mode``) at ``vat_rate`` %."""
        factor = 1 + vat_rate / 100
        if mode == "inclusive":
            return self.price if self.tax_inclusive else self.price * factor
        return self.price / factor if self.tax_inclusive else self.price


@dataclass(frozen=True)
class ResiliencePlan:
    """The faults a session has the mock inject, scoped to a customer and codes of its own.

    ``customer`` is the resilience steps' customer (not the session's main one, so the
    other steps' traffic never meets a fault); ``code`` is a fixed-amount code whose first
    lookup is answered 429 with ``Retry-After: retry_after`` and whose first redeem is
    committed, then answered 5xx; ``refused_code`` is valid only at another branch, so its
    lookup is refused (422). ``rules`` names the fault rules, by role: ``lost_answer`` (the
    customer's first paid order is committed, then its answer lost), ``rate_limited`` and
    ``redeem_error``.
    """

    customer: SessionCustomer
    code: str
    refused_code: str
    retry_after: int
    rules: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ResiliencePlan:
        """Read a plan saved by `CertSession.as_dict`."""
        return cls(
            customer=SessionCustomer(**data["customer"]),
            code=str(data["code"]),
            refused_code=str(data["refused_code"]),
            retry_after=int(data["retry_after"]),
            rules={str(k): str(v) for k, v in dict(data.get("rules") or {}).items()},
        )


@dataclass
class CertSession:
    """Everything ``certify report`` needs to find and judge a session's traffic."""

    id: str
    mock_url: str
    pos_name: str
    business_reference: int | str
    branch_id: str
    created_at: str
    since: str = ""
    since_id: int = 0
    customers: list[SessionCustomer] = field(default_factory=list)
    rewards: list[SessionReward] = field(default_factory=list)
    pos_version: str = ""
    spec_version: str = ""
    notes: list[str] = field(default_factory=list)
    catalogue: list[CatalogueProduct] = field(default_factory=list)
    catalogue_source: str = ""  # where the catalogue came from ("the POS's Product API at ...")
    #: The mock's state marker when the session started (``GET /__admin/health`` ``state``):
    #: ``certify report`` compares it with the mock's to notice a reset, restart or clock move.
    mock_state: dict[str, Any] = field(default_factory=dict)
    #: The faults the session injects for its resilience steps (None: a session started
    #: without them, whose resilience requirements are then not exercised).
    resilience: ResiliencePlan | None = None

    @staticmethod
    def new_id() -> str:
        """A fresh, short, URL-safe session id (``cert-`` + 10 hex digits)."""
        return f"cert-{secrets.token_hex(5)}"

    def reward(self, kind: str) -> SessionReward:
        """The session's reward code of one kind."""
        for reward in self.rewards:
            if reward.kind == kind:
                return reward
        raise KeyError(f"the session has no {kind} reward")

    def product(self, product_id: object) -> CatalogueProduct | None:
        """The catalogue product with this id (or, failing that, this SKU); None if unknown."""
        key = str(product_id)
        by_sku = None
        for product in self.catalogue:
            if product.id == key:
                return product
            if by_sku is None and product.sku == key:
                by_sku = product
        return by_sku

    @property
    def customer(self) -> SessionCustomer:
        """The session's main customer (the one its rewards were issued to)."""
        return self.customers[0]

    def as_dict(self) -> dict[str, Any]:
        """The session as JSON-ready data."""
        data = asdict(self)
        for reward in data["rewards"]:
            reward["allowed_products"] = list(reward["allowed_products"])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CertSession:
        """Read a session saved by :meth:`as_dict`."""
        values = dict(data)
        values["customers"] = [SessionCustomer(**item) for item in data.get("customers", [])]
        values["rewards"] = [
            SessionReward(**{**item, "allowed_products": tuple(item.get("allowed_products") or ())})
            for item in data.get("rewards", [])
        ]
        values["catalogue"] = [CatalogueProduct(**item) for item in data.get("catalogue", [])]
        values["mock_state"] = dict(data.get("mock_state") or {})
        plan = data.get("resilience")
        values["resilience"] = ResiliencePlan.from_dict(plan) if isinstance(plan, Mapping) else None
        return cls(**values)

    def save(self, directory: Path) -> Path:
        """Write ``session.json`` into ``directory`` (created when missing)."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "session.json"
        path.write_text(json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n", "utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> CertSession:
        """Read ``session.json`` (``path`` may be the file or its directory)."""
        if path.is_dir():
            path = path / "session.json"
        return cls.from_dict(json.loads(path.read_text("utf-8")))
