"""Round trips against the POS: push a customer and find it again; walk the product pages;
and their negatives: decoys a search must leave out, a renamed re-push, pages past the end,
forbidden paging and search parameters, calls with a missing or a wrong credential.

The probes only record what the POS answered (:class:`PosCall`); the outbound checks
decide what that means. Every customer the harness pushes is unique to the run (random
mobile and a random tag in both names, from ``seed``) so earlier data in the POS cannot
answer for it.
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
MAX_PER_PAGE = 100  # pos-partner.yaml: per_page maximum
# Paging parameters pos-partner.yaml forbids: each must be answered 4xx, never clamped.
INVALID_PAGING: tuple[dict[str, str], ...] = (
    {"page": "0"},
    {"page": "-1"},
    {"page": "abc"},
    {"per_page": "0"},
    {"per_page": "-1"},
    {"per_page": "abc"},
    {"per_page": str(MAX_PER_PAGE + 1)},
)
_ARABIC_LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمنهوي"


class PosClient:
    """A small HTTP client for the POS that records every call it makes.

    ``reveal_token`` shows the token in the recorded curl commands: for the wrong
    credentials the harness makes up, never for the POS's own token.
    """

    def __init__(
        self, base_url: str, token: str | None, timeout: float = 10.0, *, reveal_token: bool = False
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.reveal_token = reveal_token
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, query: dict[str, str] | None = None, body: Any = None) -> PosCall:
        """Make one call; a transport error is recorded, never raised."""
        query = dict(query or {})
        url = f"{self.base_url}{path}"
        prepared = requests.Request(method, url, params=query).prepare()
        curl = curl_command(method, str(prepared.url), body, self.token, reveal_token=self.reveal_token)
        try:
            response = self.session.request(method, url, params=query, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            return PosCall(method, path, query, body, None, None, f"{type(exc).__name__}: {exc}", curl)
        try:
            payload: Any = response.json()
        except ValueError:
            payload = response.text[:2000]
        return PosCall(method, path, query, body, response.status_code, payload, "", curl)


class _Tags:
    """Random name tags, each differing from the others in its first letters (seeded)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.latin: set[str] = set()
        self.arabic: set[str] = set()

    def next_latin(self) -> str:
        while True:
            tag = "".join(self.rng.choice(string.ascii_lowercase) for _ in range(6))
            if tag[:4] not in self.latin:
                self.latin.add(tag[:4])
                return tag

    def next_arabic(self) -> str:
        while True:
            tag = "".join(self.rng.choice(_ARABIC_LETTERS) for _ in range(5))
            if tag[:3] not in self.arabic:
                self.arabic.add(tag[:3])
                return tag


def probe_customers(seed: int | None = None) -> dict[str, Any]:
    """The customers of one run, all unique to it (``seed`` None: a new set each run).

    ``customer`` is pushed and searched for; ``decoys`` share its family name and
    contain its mobile (one with a digit before it, one with a digit after it), so a
    search that ignores its filter, or matches a mobile as a prefix or a suffix, lists
    them; ``update`` re-pushes ``customer`` with new names and its mobile with a trunk 0;
    ``intruder`` is pushed with a missing and a wrong credential.
    """
    rng = random.Random(seed)
    tags = _Tags(rng)
    mobile = "5" + "".join(rng.choice(string.digits) for _ in range(8))

    def person(first: str, arabic_first: str, family: str, arabic_family: str, number: str) -> dict[str, Any]:
        tag, arabic_tag = tags.next_latin(), tags.next_arabic()
        return {
            "name": f"{first} {family} {tag.capitalize()}",
            "name_localized": f"{arabic_first} {arabic_family} {arabic_tag}",
            "dial_code": 966,
            "mobile": number,
            "_tag": tag,
            "_arabic_tag": arabic_tag,
        }

    customer = person("Lulwa", "لولوة", "Alharbi", "الحربي", mobile)
    decoys = [
        person("Lulwa", "لولوة", "Alharbi", "الحربي", rng.choice("123456789") + mobile),
        person("Noura", "نورة", "Alharbi", "الحربي", mobile + rng.choice(string.digits)),
    ]
    renamed = person("Lulwa", "لولوة", "Alharbi", "الحربي", "0" + mobile)
    intruder = person(
        "Hessa", "حصة", "Alqahtani", "القحطاني", "5" + "".join(rng.choice(string.digits) for _ in range(8))
    )
    return {"customer": customer, "decoys": decoys, "update": renamed, "intruder": intruder}


def push_body(customer: dict[str, Any]) -> dict[str, Any]:
    """What is pushed for a probe customer (its search tags left out)."""
    return {key: value for key, value in customer.items() if not key.startswith("_")}


def latin_query(customer: dict[str, Any]) -> str:
    """Part of the Latin name in another case: "RBI QXVM" must find "Lulwa Alharbi Qxvmek"."""
    return f"RBI {customer['_tag'][:4].upper()}"


def arabic_query(customer: dict[str, Any]) -> str:
    """Part of the Arabic name: the end of the family name and the start of the tag."""
    return f"حربي {customer['_arabic_tag'][:3]}"


def run_customer_round_trips(client: PosClient, evidence: OutboundEvidence, seed: int | None = None) -> None:
    """Push a customer and its decoys, find it by mobile and by partial names, push it again,
    then push it renamed with its mobile written another way and find it again."""
    people = probe_customers(seed)
    customer, renamed = people["customer"], people["update"]
    push = push_body(customer)
    evidence.customer = push
    evidence.decoys = [push_body(decoy) for decoy in people["decoys"]]
    evidence.update = push_body(renamed)
    evidence.queries = {
        "latin": latin_query(customer),
        "arabic": arabic_query(customer),
        # in the case it was pushed: the update is graded, not case folding
        "latin_updated": f"Alharbi {renamed['_tag'][:4].capitalize()}",
    }

    evidence.calls["push"] = [client.call("POST", "/customers", body=push)]
    evidence.calls["push_decoys"] = [
        client.call("POST", "/customers", body=decoy) for decoy in evidence.decoys
    ]
    evidence.calls["find_by_mobile"] = [
        client.call("GET", "/customers", {"mobile": push["mobile"]}),
        client.call("GET", "/customers", {"mobile": f"+966{push['mobile']}"}),
        client.call("GET", "/customers", {"mobile": f"0{push['mobile']}"}),
    ]
    evidence.calls["find_by_latin_name"] = [
        client.call("GET", "/customers", {"name": evidence.queries["latin"]})
    ]
    evidence.calls["find_by_arabic_name"] = [
        client.call("GET", "/customers", {"name": evidence.queries["arabic"]})
    ]
    evidence.calls["push_again"] = [
        client.call("POST", "/customers", body=push),
        client.call("GET", "/customers", {"mobile": push["mobile"]}),
    ]
    evidence.calls["push_update"] = [
        client.call("POST", "/customers", body=evidence.update),
        client.call("GET", "/customers", {"mobile": push["mobile"]}),
        client.call("GET", "/customers", {"name": evidence.queries["latin_updated"]}),
    ]
    evidence.calls["search_invalid"] = [
        client.call("GET", "/customers"),
        client.call("GET", "/customers", {"mobile": "abc"}),
        client.call("GET", "/customers", {"name": ""}),
    ]


def _wrong_token(seed: int | None) -> str:
    """A made-up bearer token the POS cannot have issued."""
    rng = random.Random(seed)
    return "wrong-" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(24))


def run_credential_probes(client: PosClient, evidence: OutboundEvidence, seed: int | None = None) -> None:
    """Call every operation without a credential and with a wrong one; after the refused
    pushes, search (with the right token) for the customer they carried."""
    evidence.intruder = push_body(probe_customers(seed)["intruder"])
    anonymous = PosClient(client.base_url, None, client.timeout)
    impostor = PosClient(client.base_url, _wrong_token(seed), client.timeout, reveal_token=True)
    mobile = evidence.customer.get("mobile") or evidence.intruder["mobile"]
    for scenario, method, path, query, body in (
        ("credentials.list_products", "GET", "/products", {"page": "1", "per_page": str(SMALL_PAGE)}, None),
        ("credentials.search_customers", "GET", "/customers", {"mobile": mobile}, None),
        ("credentials.upsert_customer", "POST", "/customers", {}, evidence.intruder),
    ):
        evidence.calls[scenario] = [
            anonymous.call(method, path, query, body),
            impostor.call(method, path, query, body),
        ]
    evidence.calls["credentials.upsert_customer"].append(
        client.call("GET", "/customers", {"mobile": evidence.intruder["mobile"]})
    )


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
    """Walk the product list twice with small pages and once with large pages, ask for pages
    past the end, and send paging parameters the contract forbids."""
    evidence.calls["products_small"] = walk_products(client, SMALL_PAGE)
    evidence.calls["products_small_again"] = walk_products(client, SMALL_PAGE)
    evidence.calls["products_large"] = walk_products(client, LARGE_PAGE)
    last = evidence.calls["products_small"][-1]
    meta = last.response.get("meta") if last.json_ok else None
    last_page = meta.get("last_page") if isinstance(meta, dict) else None
    if isinstance(last_page, int) and not isinstance(last_page, bool) and last_page >= 1:
        evidence.calls["products_past_end"] = [
            client.call("GET", "/products", {"page": str(page), "per_page": str(SMALL_PAGE)})
            for page in (last_page + 1, last_page + 10)
        ]
    evidence.calls["products_invalid"] = [client.call("GET", "/products", query) for query in INVALID_PAGING]


def page_items(calls: list[PosCall]) -> list[dict[str, Any]]:
    """Every product the pages of a walk listed, in order."""
    items: list[dict[str, Any]] = []
    for call in calls:
        if call.json_ok and isinstance(call.response.get("data"), list):
            items.extend(item for item in call.response["data"] if isinstance(item, dict))
    return items


def found_customers(call: PosCall) -> list[dict[str, Any]]:
    """The customers a search answered with (empty when it did not answer 2xx JSON)."""
    return page_items([call])
