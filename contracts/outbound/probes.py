"""Round trips against the POS: push a customer and find it again; walk the product pages.

The probes only record what the POS answered (:class:`PosCall`); the outbound checks
decide what that means. The pushed customer is unique to the run (random mobile and a
random tag in both names) so earlier data in the POS cannot answer for it.
"""

from __future__ import annotations

import random
import string
from typing import Any

import requests

from loyapro_mock.contracts.outbound.evidence import OutboundEvidence, PosCall, curl_command

# The probe walks pages of this size, so that a small catalogue still spans several pages.
SMALL_PAGE = 5
LARGE_PAGE = 100
MAX_PAGES = 200
_ARABIC_LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمنهوي"


class PosClient:
    """A small HTTP client for the POS that records every call it makes."""

    def __init__(self, base_url: str, token: str | None, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, query: dict[str, str] | None = None, body: Any = None) -> PosCall:
        """Make one call; a transport error is recorded, never raised."""
        query = dict(query or {})
        url = f"{self.base_url}{path}"
        prepared = requests.Request(method, url, params=query).prepare()
        curl = curl_command(method, str(prepared.url), body, self.token)
        try:
            response = self.session.request(method, url, params=query, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            return PosCall(method, path, query, body, None, None, f"{type(exc).__name__}: {exc}", curl)
        try:
            payload: Any = response.json()
        except ValueError:
            payload = response.text[:2000]
        return PosCall(method, path, query, body, response.status_code, payload, "", curl)


def probe_customer(seed: int | None = None) -> dict[str, Any]:
    """A customer nobody else has: random mobile, a random tag in the Latin and Arabic names."""
    rng = random.Random(seed)
    tag = "".join(rng.choice(string.ascii_lowercase) for _ in range(6))
    arabic_tag = "".join(rng.choice(_ARABIC_LETTERS) for _ in range(5))
    mobile = "5" + "".join(rng.choice(string.digits) for _ in range(8))
    return {
        "name": f"Lulwa Alharbi {tag.capitalize()}",
        "name_localized": f"لولوة الحربي {arabic_tag}",
        "dial_code": 966,
        "mobile": mobile,
        "_tag": tag,
        "_arabic_tag": arabic_tag,
    }


def run_customer_round_trips(client: PosClient, evidence: OutboundEvidence, seed: int | None = None) -> None:
    """Push a customer, find it by mobile and by partial Latin / Arabic name, push it again."""
    customer = probe_customer(seed)
    push = {key: value for key, value in customer.items() if not key.startswith("_")}
    evidence.customer = push
    # partial and in another case than pushed: "RBI QXVM" must find "Lulwa Alharbi Qxvmek"
    latin_query = f"RBI {customer['_tag'][:4].upper()}"
    arabic_query = f"حربي {customer['_arabic_tag'][:3]}"
    evidence.queries = {"latin": latin_query, "arabic": arabic_query}

    evidence.calls["push"] = [client.call("POST", "/customers", body=push)]
    evidence.calls["find_by_mobile"] = [
        client.call("GET", "/customers", {"mobile": push["mobile"]}),
        client.call("GET", "/customers", {"mobile": f"+966{push['mobile']}"}),
        client.call("GET", "/customers", {"mobile": f"0{push['mobile']}"}),
    ]
    evidence.calls["find_by_latin_name"] = [client.call("GET", "/customers", {"name": latin_query})]
    evidence.calls["find_by_arabic_name"] = [client.call("GET", "/customers", {"name": arabic_query})]
    evidence.calls["push_again"] = [
        client.call("POST", "/customers", body=push),
        client.call("GET", "/customers", {"mobile": push["mobile"]}),
    ]


def walk_products(client: PosClient, per_page: int) -> list[PosCall]:
    """Fetch pages 1, 2, ... until ``meta.last_page`` (or an error, or :data:`MAX_PAGES`)."""
    calls: list[PosCall] = []
    page = 1
    while page <= MAX_PAGES:
        call = client.call("GET", "/products", {"page": str(page), "per_page": str(per_page)})
        calls.append(call)
        if not call.json_ok:
            break
        meta = call.response.get("meta")
        last_page = meta.get("last_page") if isinstance(meta, dict) else None
        if not isinstance(last_page, int) or page >= last_page:
            break
        page += 1
    return calls


def run_product_round_trips(client: PosClient, evidence: OutboundEvidence) -> None:
    """Walk the product list twice with small pages and once with large pages."""
    evidence.calls["products_small"] = walk_products(client, SMALL_PAGE)
    evidence.calls["products_small_again"] = walk_products(client, SMALL_PAGE)
    evidence.calls["products_large"] = walk_products(client, LARGE_PAGE)


def page_items(calls: list[PosCall]) -> list[dict[str, Any]]:
    """Every product the pages of a walk listed, in order."""
    items: list[dict[str, Any]] = []
    for call in calls:
        if call.json_ok and isinstance(call.response.get("data"), list):
            items.extend(item for item in call.response["data"] if isinstance(item, dict))
    return items


def found_customers(call: PosCall) -> list[dict[str, Any]]:
    """The customers a search answered with (empty when it did not answer 2xx JSON)."""
    if call.json_ok and isinstance(call.response.get("data"), list):
        return [item for item in call.response["data"] if isinstance(item, dict)]
    return []
