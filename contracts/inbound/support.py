"""Helpers shared by the inbound checks: evidence lists, reproduction commands, validation."""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from loyapro_mock.contracts.findings import Evidence, journal
from loyapro_mock.contracts.inbound.evidence import InboundEvidence, JournalEntry
from loyapro_mock.mockserver.domain.orders import mapping as obj
from loyapro_mock.mockserver.domain.orders import number
from loyapro_mock.mockserver.domain.rules import close
from loyapro_mock.mockserver.domain.violations import Violation
from loyapro_mock.mockserver.http.pipeline.validation import SpecValidator

__all__ = [
    "MAX_EVIDENCE",
    "VOID_STATUSES",
    "cite",
    "close",
    "fmt",
    "lines",
    "loyalty_discount",
    "number",
    "obj",
    "reproduce",
    "schema_violations",
]

MAX_EVIDENCE = 25
#: Foodics statuses a POS sends for a voided order (declined, void).
VOID_STATUSES = (3, 7)


def cite(entries: Iterable[JournalEntry], note: str = "") -> list[Evidence]:
    """Journal evidence for ``entries`` (at most :data:`MAX_EVIDENCE`)."""
    cited = []
    for entry in list(entries)[:MAX_EVIDENCE]:
        cited.append(journal(entry.id, f"{entry.label()}{': ' + note if note else ''}"))
    return cited


def reproduce(evidence: InboundEvidence, entry: JournalEntry) -> str:
    """Shell commands that replay ``entry`` against the mock, its body read from the journal."""
    base = evidence.session.mock_url.rstrip("/")
    fetch = f"{base}/__admin/requests?since={entry.id}&limit=1"
    target = (
        f"{base}{entry.path}"
        if entry.path
        else f"{base}/pos/1.0.0/{evidence.session.pos_name}/{entry.operation}"
    )
    return (
        f"curl -s {shlex.quote(fetch)} | jq '.requests[0].request.body' > body.json\n"
        f"curl -sS -X POST {shlex.quote(target)} \\\n"
        "  -H 'Accept: application/json' -H 'Content-Type: application/json' \\\n"
        '  -H "Authorization: Bearer $LOYAPRO_TOKEN" --data @body.json'
    )


@lru_cache(maxsize=1)
def _spec() -> SpecValidator:
    return SpecValidator.load(None)


def schema_violations(entry: JournalEntry) -> list[Violation]:
    """Every way the request body breaks the operation's schema (not JSON: one violation)."""
    if entry.operation is None:
        return []
    if not isinstance(entry.body, dict | list):
        return [Violation("", "the body is not a JSON document", "json")]
    return _spec().request_validator(entry.operation).validate(entry.body)


def fmt(value: float | None) -> str:
    """A money amount for messages (``10``, ``20.86957``)."""
    return "-" if value is None else f"{round(value, 5):g}"


def lines(order: dict[str, Any]) -> list[dict[str, Any]]:
    """The order's product lines that are objects."""
    products = order.get("products")
    return [line for line in products if isinstance(line, dict)] if isinstance(products, list) else []


def loyalty_discount(order: dict[str, Any]) -> tuple[float, list[str]]:
    """The total Loyalty Redemption discount an order carries, and the reward codes it names.

    Order level: ``order.discount.reason == "Loyalty Redemption"`` counts
    ``order.discount_amount``; line level: a line whose ``discount.reason`` is Loyalty
    Redemption counts its ``discount_amount``.
    """
    total = 0.0
    codes: list[str] = []
    discount = order.get("discount")
    if isinstance(discount, dict) and discount.get("reason") == "Loyalty Redemption":
        total += number(order.get("discount_amount")) or number(discount.get("amount")) or 0.0
        if discount.get("reward_code"):
            codes.append(str(discount["reward_code"]))
    for line in lines(order):
        line_discount = line.get("discount")
        if isinstance(line_discount, dict) and line_discount.get("reason") == "Loyalty Redemption":
            total += number(line.get("discount_amount")) or number(line_discount.get("amount")) or 0.0
            if line_discount.get("reward_code"):
                codes.append(str(line_discount["reward_code"]))
    return total, codes
