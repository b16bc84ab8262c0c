"""A client for the mock's admin API (``/__admin/*``), as certification uses it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import requests

PAGE = 10000


class MockAdminError(RuntimeError):
    """The mock's admin API answered with an error or could not be reached."""


class MockAdmin:
    """Calls ``/__admin/health``, ``/requests``, ``/rewards``, ``/customers``, ``/orders`` and
    ``/reset`` of a running mock."""

    def __init__(self, base_url: str, timeout: float = 15.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers["Accept"] = "application/json"

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        url = f"{self.base_url}{path}"
        try:
            response = self.http.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise MockAdminError(f"cannot reach the mock at {self.base_url}: {exc}") from exc
        if response.status_code >= 400:
            raise MockAdminError(f"{method} {path} answered {response.status_code}: {response.text[:500]}")
        return response.json()

    def health(self) -> dict[str, Any]:
        """``GET /__admin/health``: status, versions, the mock's clock."""
        data: dict[str, Any] = self._call("GET", "/__admin/health")
        return data

    def reset(self) -> dict[str, Any]:
        """``POST /__admin/reset``: forget all state (the demo state is loaded again)."""
        data: dict[str, Any] = self._call("POST", "/__admin/reset")
        return data

    def issue_reward(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /__admin/rewards``: issue a reward code; returns the reward."""
        data: dict[str, Any] = self._call("POST", "/__admin/rewards", json=body)
        return data

    def add_products(self, business_reference: int | str, products: list[dict[str, Any]]) -> dict[str, Any]:
        """``POST /__admin/products``: give the mock the POS's products (Product API items),
        as LoyaPro reads them to build product rewards; returns ``{added, total}``."""
        fields = ("id", "sku", "name", "name_localized", "price", "category", "is_active")
        body = [{key: product[key] for key in fields if key in product} for product in products]
        data: dict[str, Any] = self._call(
            "POST", "/__admin/products", json={"business_reference": business_reference, "products": body}
        )
        return data

    def add_fault(self, rule: dict[str, Any]) -> dict[str, Any]:
        """``POST /__admin/faults``: add a fault rule (tried after those held); returns it as held."""
        data: dict[str, Any] = self._call("POST", "/__admin/faults", json=rule)
        return data

    def faults(self) -> dict[str, Any]:
        """``GET /__admin/faults``: the rules held (with their counters) and the last injections."""
        data: dict[str, Any] = self._call("GET", "/__admin/faults")
        return data

    def register_session(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /__admin/sessions``: let the mock's inspector follow a certification session;
        returns the session with its checklist's progress."""
        data: dict[str, Any] = self._call("POST", "/__admin/sessions", json=body)
        return data

    def customer(
        self, mobile: str, dial_code: int | str = 966, *, business: int | str | None = None
    ) -> dict[str, Any]:
        """``GET /__admin/customers/{mobile}``: balances, ledger and reward codes (in one
        business when ``business`` is given)."""
        params = {"dial_code": str(dial_code)}
        if business is not None:
            params["business"] = str(business)
        data: dict[str, Any] = self._call(
            "GET", f"/__admin/customers/{quote(str(mobile), safe='')}", params=params
        )
        return data

    def reward(self, code: str) -> dict[str, Any]:
        """``GET /__admin/rewards/{code}``: the code's state and every redemption of it."""
        data: dict[str, Any] = self._call("GET", f"/__admin/rewards/{quote(code, safe='')}")
        return data

    def orders(
        self,
        *,
        business: int | str | None = None,
        pos: str | None = None,
        ids: Sequence[str] | None = None,
        customer: str | None = None,
        dial_code: int | str | None = None,
        since: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """``GET /__admin/orders``: the orders the mock holds (with their ledger entries and
        redemptions), least recently updated first, filtered (``ids``: at most 25)."""
        params = [
            (key, str(value))
            for key, value in (
                ("business", business),
                ("pos", pos),
                ("customer", customer),
                ("dial_code", dial_code),
                ("since", since),
                ("limit", limit),
            )
            if value is not None
        ]
        params += [("id", str(order_id)) for order_id in ids or ()]
        orders: list[dict[str, Any]] = self._call("GET", "/__admin/orders", params=params).get("orders", [])
        return orders

    def journal(
        self, *, since_id: int = 0, pos: str | None = None, operation: str | None = None
    ) -> list[dict[str, Any]]:
        """Every journal entry from id ``since_id`` on (oldest first), paging as needed."""
        filters = {key: value for key, value in (("pos", pos), ("operation", operation)) if value}
        entries: list[dict[str, Any]] = []
        next_id = max(since_id, 0)
        while True:
            params = {**filters, "since": str(next_id), "limit": str(PAGE)}
            page = self._call("GET", "/__admin/requests", params=params).get("requests", [])
            page = [entry for entry in page if int(entry.get("id", 0)) >= next_id]
            entries.extend(page)
            if len(page) < PAGE:
                return entries
            next_id = int(page[-1]["id"]) + 1

    def journal_reaches(self, entry_id: int) -> bool:
        """Whether the journal holds an entry with id ``entry_id`` or later."""
        params = {"since": str(max(entry_id, 0)), "limit": "1"}
        return bool(self._call("GET", "/__admin/requests", params=params).get("requests"))

    def last_journal_id(self) -> int:
        """The id of the newest journal entry (0 for an empty journal)."""
        entries = self.journal()
        return max((int(entry.get("id", 0)) for entry in entries), default=0)
