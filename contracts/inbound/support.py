"""Helpers shared by the inbound checks: evidence lists, reproduction commands, validation."""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from loyapro_mock.contracts.findings import Evidence, journal
from loyapro_mock.contracts.inbound.evidence import InboundEvidence, JournalEntry
from loyapro_mock.mockserver.domain.order_warnings import describe_discounts, order_discounts
from loyapro_mock.mockserver.domain.order_warnings import loyalty_discount as _order_loyalty_discount
from loyapro_mock.mockserver.domain.orders import mapping as obj
from loyapro_mock.mockserver.domain.orders import number
from loyapro_mock.mockserver.domain.rules import close
from loyapro_mock.mockserver.domain.violations import Violation
from loyapro_mock.mockserver.http.pipeline.validation import SpecValidator

__all__ = [
    "MAX_EVIDENCE",
    "PAID",
    "RETURNED",
    "VOID_STATUSES",
    "cite",
    "close",
    "describe_discounts",
    "fmt",
    "lines",
    "loyalty_discount",
    "named_by",
    "number",
    "obj",
    "order_discounts",
    "refusal",
    "reproduce",
    "schema_violations",
]

MAX_EVIDENCE = 25
#: Foodics order statuses the checks read: paid (closed) and returned.
PAID, RETURNED = 4, 5
#: Foodics statuses a POS sends for a voided order (declined, void).
VOID_STATUSES = (3, 7)


def cite(entries: Iterable[JournalEntry], note: str = "") -> list[Evidence]:
    """Journal evidence for ``entries`` (at most :data:`MAX_EVIDENCE`)."""
    cited = []
    for entry in list(entries)[:MAX_EVIDENCE]:
        cited.append(journal(entry.id, f"{entry.label()}{': ' + note if note else ''}"))
    return cited


def _header(entry: JournalEntry, name: str) -> str:
    """A curl ``-H`` sending ``name`` as the entry sent it; ``Name:`` when it sent none (curl
    then drops the header it would add itself, such as ``Accept: */*``)."""
    value = entry.headers.get(name.lower())
    return f"-H {shlex.quote(f'{name}: {value}' if value is not None else f'{name}:')}"


def reproduce(evidence: InboundEvidence, entry: JournalEntry) -> str:
    """Shell commands that replay ``entry`` against the mock: its body read from the journal,
    its ``Accept`` and ``Content-Type`` headers as the POS sent them (or left out, when it
    sent none), so the replay shows what the POS did, header faults included."""
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
        f"  {_header(entry, 'Accept')} {_header(entry, 'Content-Type')} \\\n"
        '  -H "Authorization: Bearer $LOYAPRO_TOKEN" --data-binary @body.json'
    )


def refusal(entry: JournalEntry) -> str:
    """How the mock answered ``entry``: ``HTTP 409 reward_already_redeemed`` (the problem code
    of a refusal), ``HTTP 200``."""
    code = entry.response.get("code") if isinstance(entry.response, dict) and not entry.accepted else None
    return f"HTTP {entry.status}" + (f" {code}" if code else "")


#: Order fields a POS may send in place of the order's id.
_OTHER_IDS = ("reference", "number", "check_number")


def named_by(evidence: InboundEvidence, value: str | None) -> str | None:
    """``329053 is the reference of order 9edb65d0-..., not its id`` when ``value`` (an
    ``order_id`` the POS sent) is another field of an order of the session; else None."""
    if value is None:
        return None
    for entry in evidence.orders():
        for name in _OTHER_IDS:
            field = entry.order.get(name)
            if field is not None and str(field) == value and entry.order_id != value:
                return f"{value} is the {name.replace('_', ' ')} of order {entry.order_id}, not its id"
    return None


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
    Redemption counts its ``discount_amount``. The mock reads an order's loyalty discount
    the same way (`mockserver.domain.order_warnings`).
    """
    return _order_loyalty_discount(order)
