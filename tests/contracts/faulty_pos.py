"""Faulty variants of the reference POS's API: each has one realistic bug.

Each class names the outbound checks that must catch its bug (``CAUGHT_BY``); the tests
certify every variant and require exactly those checks to fail, plus at most the checks of
generated data that may also meet the bug (``MAY_CATCH``).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from typing import Any

from loyapro_mock.contracts.reference_pos.backend import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    PosBackend,
    ProductPage,
    fold_name,
    normalise_mobile,
)


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

    # the page meta calls last is not the last one: asking past it lists the missing products
    CAUGHT_BY = frozenset({"products.pages_complete", "products.past_last_page_empty"})

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

    # a renamed push of the same customer is one more duplicate (and answers 201, not 200)
    CAUGHT_BY = frozenset({"customers.push_idempotent", "customers.push_updates_existing"})

    def upsert_customer(self, push: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        customer, _ = super().upsert_customer(push)
        key = f"{self.customer_key(int(push['dial_code']), str(push['mobile']))}:{uuid.uuid4()}"
        copy = {**customer, "id": str(uuid.uuid4())}
        self.customers[key] = copy
        return dict(copy), True


class SearchIgnoresFilter(PosBackend):
    """Lists every customer whatever the search asks for (the filter is never applied)."""

    CAUGHT_BY = frozenset(
        {"customers.search_by_mobile_excludes_others", "customers.search_by_name_excludes_others"}
    )

    def search_by_mobile(self, mobile: str) -> list[dict[str, Any]]:
        return [dict(c) for c in self.customers.values()]

    def search_by_name(self, name: str) -> list[dict[str, Any]]:
        return [dict(c) for c in self.customers.values()]


class MobileSearchMatchesSuffix(PosBackend):
    """Matches mobiles on their last digits (to tolerate prefixes): 15xxxxxxxx answers 5xxxxxxxx."""

    CAUGHT_BY = frozenset({"customers.search_by_mobile_excludes_others"})

    def search_by_mobile(self, mobile: str) -> list[dict[str, Any]]:
        wanted = normalise_mobile(mobile)
        return [dict(c) for c in self.customers.values() if wanted and c["mobile"].endswith(wanted)]


class NameSearchMatchesAnyWord(PosBackend):
    """Matches a customer when any word of the query is in a name: "RBI QXVM" finds every Alharbi."""

    CAUGHT_BY = frozenset({"customers.search_by_name_excludes_others"})

    def search_by_name(self, name: str) -> list[dict[str, Any]]:
        words = fold_name(name).split()
        return [
            dict(c)
            for c in self.customers.values()
            if any(w in fold_name(c["name"]) or w in fold_name(c.get("name_localized") or "") for w in words)
        ]


class UpsertIgnoresUpdates(PosBackend):
    """Answers 200 to the push of a known customer but keeps what it stored first."""

    CAUGHT_BY = frozenset({"customers.push_updates_existing"})

    def upsert_customer(self, push: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        existing = self.customers.get(self.customer_key(int(push["dial_code"]), str(push["mobile"])))
        if existing is not None:
            return dict(existing), False
        return super().upsert_customer(push)


class UpsertKeysOnMobileAsSent(PosBackend):
    """Keys customers on the mobile as pushed: "0557937530" is another customer than "557937530"."""

    CAUGHT_BY = frozenset({"customers.push_updates_existing"})

    def customer_key(self, dial_code: int, mobile: str) -> str:
        return f"{dial_code}:{mobile}"


class NoFilterListsEveryone(PosBackend):
    """A search without mobile or name lists every customer instead of asking for a filter."""

    CAUGHT_BY = frozenset({"customer_search.rejects_invalid_query"})

    def search_problem(self, mobile: str | None, name: str | None) -> str | None:
        if mobile is None and name is None:
            return None
        return super().search_problem(mobile, name)

    def search_by_name(self, name: str) -> list[dict[str, Any]]:
        if not name:
            return [dict(c) for c in self.customers.values()]
        return super().search_by_name(name)


class PerPageIgnored(PosBackend):
    """Validates per_page, then pages by its default size anyway."""

    CAUGHT_BY = frozenset({"products.page_size_honoured"})

    def page_of_products(self, page: int, per_page: int) -> ProductPage:
        return super().page_of_products(page, DEFAULT_PER_PAGE)


class PastEndRepeatsLastPage(PosBackend):
    """Clamps a page past the end to the last page, listing its products again."""

    CAUGHT_BY = frozenset({"products.past_last_page_empty"})

    def page_of_products(self, page: int, per_page: int) -> ProductPage:
        last_page = max(1, math.ceil(len(self.products) / per_page))
        result = super().page_of_products(min(page, last_page), per_page)
        result.current_page = page
        return result


class PagingClamped(PosBackend):
    """Clamps paging parameters into range (page 0 is 1, per_page 500 is 100) instead of refusing them."""

    CAUGHT_BY = frozenset({"products.rejects_invalid_paging"})

    def paging(self, query: Mapping[str, str]) -> tuple[int, int] | str:
        clamped = dict(query)
        for name, maximum in (("page", 10**9), ("per_page", MAX_PER_PAGE)):
            raw = clamped.get(name)
            if raw is not None and raw.lstrip("-").isdigit():
                clamped[name] = str(min(max(int(raw), 1), maximum))
        return super().paging(clamped)


class ProductsWithoutToken(PosBackend):
    """Leaves the Product API open: it answers without a token, or with any."""

    CAUGHT_BY = frozenset({"products.refuses_bad_credentials"})

    def accepts(self, operation: str, authorization: str, token: str) -> bool:
        return operation == "GET /products" or super().accepts(operation, authorization, token)


class PushAcceptsAnyBearer(PosBackend):
    """Checks only that the push carries a bearer token, not that it is the POS's own."""

    CAUGHT_BY = frozenset({"customer_push.refuses_bad_credentials"})

    def accepts(self, operation: str, authorization: str, token: str) -> bool:
        if operation == "POST /customers" and authorization.lower().startswith("bearer "):
            return True
        return super().accepts(operation, authorization, token)


class SearchWithoutToken(PosBackend):
    """Leaves the customer search open: anyone can list customers by mobile."""

    CAUGHT_BY = frozenset({"customer_search.refuses_bad_credentials"})

    def accepts(self, operation: str, authorization: str, token: str) -> bool:
        return operation == "GET /customers" or super().accepts(operation, authorization, token)


class DialCodeAssumedSaudi(PosBackend):
    """Stores every pushed customer with dial code 966, whatever LoyaPro sent."""

    CAUGHT_BY = frozenset({"customers.stateful_push_then_search"})

    def upsert_customer(self, push: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        return super().upsert_customer({**push, "dial_code": 966})


class MobileSearchAsTyped(PosBackend):
    """Compares the mobile searched for as typed: "+966557937530" and "0557937530" find nobody."""

    CAUGHT_BY = frozenset({"customers.findable_by_mobile"})
    # when a generated push has a trunk 0 and the stateful run follows its link (not every run)
    MAY_CATCH = frozenset({"customers.stateful_push_then_search"})

    def search_by_mobile(self, mobile: str) -> list[dict[str, Any]]:
        return [dict(c) for c in self.customers.values() if c["mobile"] == mobile]


FAULTY_BACKENDS: tuple[type[PosBackend], ...] = (
    ArabicSearchFails,
    CaseSensitiveSearch,
    PaginationDropsLastPage,
    UnknownQueryParameterCrashes,
    PushDuplicates,
    SearchIgnoresFilter,
    MobileSearchMatchesSuffix,
    NameSearchMatchesAnyWord,
    UpsertIgnoresUpdates,
    UpsertKeysOnMobileAsSent,
    NoFilterListsEveryone,
    PerPageIgnored,
    PastEndRepeatsLastPage,
    PagingClamped,
    ProductsWithoutToken,
    PushAcceptsAnyBearer,
    SearchWithoutToken,
    DialCodeAssumedSaudi,
    MobileSearchAsTyped,
)
