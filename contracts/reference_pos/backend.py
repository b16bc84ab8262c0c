"""The reference POS's state: a product catalogue and the customers LoyaPro pushed.

Plain Python, no HTTP: :mod:`contracts.reference_pos.app` serves it. Each behaviour a POS
can get wrong is one method, so that a faulty POS is a subclass overriding one method.
"""

from __future__ import annotations

import hmac
import math
import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Arabic short vowels and other marks, superscript alef and tatweel: not part of a search.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ALEF_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100

_MOBILE_QUERY = re.compile(r"^\+?[0-9]{4,20}$")
_INTEGER = re.compile(r"[0-9]{1,9}")


def normalise_mobile(mobile: str, dial_code: int | str = 966) -> str:
    """A mobile number as digits without international prefix, dial code or trunk zero.

    ``"+966557937530"``, ``"00966557937530"``, ``"0557937530"`` and ``"557937530"`` are
    all ``"557937530"`` for dial code 966. Only one trunk zero goes: ``"000000"`` is
    ``"000"``, never empty, so every mobile the contract allows stays findable.
    """
    digits = re.sub(r"\D", "", str(mobile))
    if digits.startswith("00"):
        digits = digits[2:]
    dial = re.sub(r"\D", "", str(dial_code))
    if dial and digits.startswith(dial) and len(digits) - len(dial) >= 6:
        digits = digits[len(dial) :]
    return digits[1:] if digits.startswith("0") else digits


def fold_name(text: str) -> str:
    """A name folded for search: case-insensitive Latin, Arabic without marks or alef forms."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _ARABIC_MARKS.sub("", folded).translate(_ALEF_FORMS)
    return " ".join(folded.split())


def default_catalogue() -> list[dict[str, Any]]:
    """The reference POS's products: a small café menu with Arabic names (23 products)."""
    categories = {
        "hot": {"id": "cat-hot", "name": "hot drinks", "name_localized": "مشروبات ساخنة"},
        "cold": {"id": "cat-cold", "name": "cold drinks", "name_localized": "مشروبات باردة"},
        "pastry": {"id": "cat-pastry", "name": "pastries", "name_localized": "معجنات"},
    }
    menu = [
        ("hot", "blue north", "بلو نورث", 24.0),
        ("hot", "latte", "لاتيه", 18.0),
        ("hot", "cappuccino", "كابتشينو", 17.0),
        ("hot", "spanish latte", "سبانش لاتيه", 20.0),
        ("hot", "flat white", "فلات وايت", 16.0),
        ("hot", "espresso", "إسبريسو", 9.0),
        ("hot", "americano", "أمريكانو", 12.0),
        ("hot", "saudi coffee", "قهوة سعودية", 14.0),
        ("hot", "turkish coffee", "قهوة تركية", 10.0),
        ("hot", "red tea", "شاي أحمر", 8.0),
        ("cold", "iced latte", "آيس لاتيه", 19.0),
        ("cold", "iced spanish latte", "آيس سبانش لاتيه", 21.0),
        ("cold", "cold brew", "كولد برو", 18.0),
        ("cold", "lemon mint", "ليمون بالنعناع", 16.0),
        ("cold", "water", "ماء", 3.0),
        ("cold", "orange juice", "عصير برتقال", 15.0),
        ("pastry", "butter croissant", "كرواسون بالزبدة", 9.0),
        ("pastry", "cheese croissant", "كرواسون بالجبن", 12.0),
        ("pastry", "date cake", "كيكة التمر", 16.0),
        ("pastry", "chocolate cookie", "كوكيز بالشوكولاتة", 8.0),
        ("pastry", "brownie", "براوني", 12.0),
        ("pastry", "zaatar manakish", "مناقيش زعتر", 11.0),
        ("pastry", "cheese sambousek", "سمبوسك جبن", 10.0),
    ]
    return [
        {
            "id": f"prd-{index:04d}",
            "sku": f"sk-{index:04d}",
            "name": name,
            "name_localized": arabic,
            "price": price,
            "category": dict(categories[category]),
            "is_active": True,
        }
        for index, (category, name, arabic, price) in enumerate(menu, start=1)
    ]


@dataclass
class ProductPage:
    """One page of the product list as the Product API returns it."""

    data: list[dict[str, Any]]
    current_page: int
    last_page: int
    per_page: int
    total: int

    def as_dict(self) -> dict[str, Any]:
        """The response body (``data`` + ``meta``)."""
        return {
            "data": self.data,
            "meta": {
                "current_page": self.current_page,
                "last_page": self.last_page,
                "per_page": self.per_page,
                "total": self.total,
            },
        }


@dataclass
class PosBackend:
    """A correct POS: paginated products, idempotent customer upsert, mobile and name search."""

    products: list[dict[str, Any]] = field(default_factory=default_catalogue)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def accepts(self, operation: str, authorization: str, token: str) -> bool:
        """True when ``authorization`` (the header as sent) is ``Bearer <token>``; any route."""
        del operation
        scheme, _, given = authorization.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())

    def paging(self, query: Mapping[str, str]) -> tuple[int, int] | str:
        """``(page, per_page)`` from the query, or what is wrong with them (never clamped)."""
        values = {}
        for name, default, maximum in (("page", 1, 10**9), ("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)):
            raw = query.get(name)
            if raw is None:
                values[name] = default
            elif _INTEGER.fullmatch(raw) and 1 <= int(raw) <= maximum:
                values[name] = int(raw)
            elif name == "page":
                return "'page' must be an integer of at least 1."
            else:
                return f"'per_page' must be an integer from 1 to {MAX_PER_PAGE}."
        return values["page"], values["per_page"]

    def search_problem(self, mobile: str | None, name: str | None) -> str | None:
        """What is wrong with a customer search's query (None: it can be run)."""
        if mobile is None and name is None:
            return "Give 'mobile' or 'name' to search customers."
        if mobile is not None and not _MOBILE_QUERY.fullmatch(mobile):
            return "'mobile' must be 4 to 20 digits, optionally after '+'."
        if name is not None and not 1 <= len(name) <= 100:
            return "'name' must be 1 to 100 characters."
        return None

    def page_of_products(self, page: int, per_page: int) -> ProductPage:
        """Page ``page`` (1-based) of ``per_page`` products; past the end the page is empty."""
        total = len(self.products)
        last_page = max(1, math.ceil(total / per_page))
        start = (page - 1) * per_page
        return ProductPage(
            data=[dict(item) for item in self.products[start : start + per_page]],
            current_page=page,
            last_page=last_page,
            per_page=per_page,
            total=total,
        )

    def customer_key(self, dial_code: int, mobile: str) -> str:
        """The identity of a customer: dial code and normalised mobile."""
        return f"{dial_code}:{normalise_mobile(mobile, dial_code)}"

    def upsert_customer(self, push: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Create or update the pushed customer; returns it and whether it was created."""
        key = self.customer_key(int(push["dial_code"]), str(push["mobile"]))
        existing = self.customers.get(key)
        fields = {
            "name": push["name"],
            "name_localized": push.get("name_localized"),
            "dial_code": int(push["dial_code"]),
            "mobile": normalise_mobile(str(push["mobile"]), push["dial_code"]),
            "email": push.get("email"),
        }
        if existing is not None:
            existing.update(fields)
            return dict(existing), False
        customer = {"id": str(uuid.uuid4()), **fields, "created_at": None}
        self.customers[key] = customer
        return dict(customer), True

    def search_by_mobile(self, mobile: str) -> list[dict[str, Any]]:
        """Customers whose mobile matches ``mobile`` given in any usual form."""
        found = []
        for customer in self.customers.values():
            wanted = normalise_mobile(mobile, customer["dial_code"])
            if wanted and wanted == customer["mobile"]:
                found.append(dict(customer))
        return found

    def search_by_name(self, name: str) -> list[dict[str, Any]]:
        """Customers whose Latin or Arabic name contains ``name`` (case-insensitive)."""
        wanted = fold_name(name)
        if not wanted:
            return []
        return [
            dict(customer)
            for customer in self.customers.values()
            if wanted in fold_name(customer["name"])
            or wanted in fold_name(customer.get("name_localized") or "")
        ]

    def unknown_query_parameters(self, names: set[str]) -> None:
        """Called with query parameters the Product API does not know; a correct POS ignores them."""
        del names
