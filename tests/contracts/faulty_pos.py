"""Faulty variants of the reference POS's API: each has one realistic bug.

Each class names the outbound checks that must catch its bug (``CAUGHT_BY``); the tests
certify every variant and require exactly those checks to fail.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from loyapro_mock.contracts.reference_pos.backend import PosBackend, ProductPage, fold_name


class ArabicSearchFails(PosBackend):
    """Searches the Latin name only: a partial Arabic name finds nobody."""

    CAUGHT_BY = frozenset({"customers.findable_by_arabic_name"})

    def search_by_name(self, name: str) -> list[dict[str, Any]]:
        wanted = fold_name(name)
        return [dict(c) for c in self.customers.values() if wanted and wanted in fold_name(c["name"])]


class CaseSensitiveSearch(PosBackend):
    """Compares names as typed: "RBI" does not find "Alharbi"."""

    CAUGHT_BY = frozenset({"customers.findable_by_latin_name"})

    def search_by_name(self, name: str) -> list[dict[str, Any]]:
        return [
            dict(c)
            for c in self.customers.values()
            if name in c["name"] or name in (c.get("name_localized") or "")
        ]


class PaginationDropsLastPage(PosBackend):
    """Computes ``last_page`` with a floor division: the last, partial page is never listed."""

    CAUGHT_BY = frozenset({"products.pages_complete"})

    def page_of_products(self, page: int, per_page: int) -> ProductPage:
        result = super().page_of_products(page, per_page)
        result.last_page = max(1, math.floor(len(self.products) / per_page))
        return result


class UnknownQueryParameterCrashes(PosBackend):
    """Looks every query parameter up in a dict of known filters: an unknown one is a 500."""

    CAUGHT_BY = frozenset({"products.no_server_errors"})

    def unknown_query_parameters(self, names: set[str]) -> None:
        filters: dict[str, str] = {}
        for name in sorted(names):
            filters[name] = {"page": "page", "per_page": "per_page"}[name]


class PushDuplicates(PosBackend):
    """Inserts every pushed customer: the second push of the same customer is a duplicate."""

    CAUGHT_BY = frozenset({"customers.push_idempotent"})

    def upsert_customer(self, push: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        customer, _ = super().upsert_customer(push)
        key = f"{self.customer_key(int(push['dial_code']), str(push['mobile']))}:{uuid.uuid4()}"
        copy = {**customer, "id": str(uuid.uuid4())}
        self.customers[key] = copy
        return dict(copy), True


FAULTY_BACKENDS: tuple[type[PosBackend], ...] = (
    ArabicSearchFails,
    CaseSensitiveSearch,
    PaginationDropsLastPage,
    UnknownQueryParameterCrashes,
    PushDuplicates,
)
