"""The mock's own admin API under ``/__admin/``: journal, reset, rewards, products, customers, orders,
clock.

Not part of LoyaPro; documented in the spec under the ``admin`` tag. No authentication:
the mock is a local tool. Admin calls are not journaled.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from loyapro_mock.mockserver.domain.clock import iso, parse_iso
from loyapro_mock.mockserver.domain.usecases import (
    add_product,
    advance_clock,
    customer_view,
    issue_reward_request,
    list_orders,
    list_products,
    reset,
    reward_state,
    state_marker,
)
from loyapro_mock.mockserver.domain.usecases.admin_orders import DEFAULT_ORDER_LIMIT, MAX_ORDER_LIMIT
from loyapro_mock.mockserver.domain.usecases.demo_state import demo_summary
from loyapro_mock.mockserver.http.handlers import json_response
from loyapro_mock.mockserver.http.journal import VERDICTS
from loyapro_mock.mockserver.http.keys import CALL, DEMO, JOURNAL, LOYAPRO, SETTINGS, SPEC, STORE, Handler
from loyapro_mock.mockserver.http.problems import ProblemError
from loyapro_mock.mockserver.http.version import VERSION
from loyapro_mock.mockserver.store import describe_db

__all__ = ["HANDLERS", "parse_journal_query", "parse_orders_query"]

_OPERATIONS = ("order", "reward", "redeem")
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10000
MAX_CLOCK_OFFSET = 100 * 365 * 24 * 3600.0


def _bad_query(name: str, value: str, expected: str) -> ProblemError:
    return ProblemError(
        400,
        "invalid_query",
        f"The query parameter {name}={value!r} is invalid: expected {expected}.",
    )


def _parse_since(value: str) -> str:
    """A journal id (digits) as is, or an instant normalised to the store's format."""
    if value.isascii() and value.isdigit() and len(value) <= 18:  # fits a 64-bit id
        return value
    try:
        return iso(parse_iso(value.replace(" ", "+")))
    except ValueError:
        raise _bad_query(
            "since", value, "an ISO 8601 instant (2024-01-31T12:00:00Z) or a journal id"
        ) from None


def parse_journal_query(query: Any) -> dict[str, Any]:
    """Turn ``/__admin/requests`` query parameters into ``Store.list_requests`` filters."""
    filters: dict[str, Any] = {"limit": DEFAULT_LIMIT}
    if query.get("pos"):
        filters["pos"] = query["pos"]
    # A filter given with an empty value is a mistake, not "no filter".
    operation = query.get("operation")
    if operation is not None:
        if operation not in _OPERATIONS:
            raise _bad_query("operation", operation, "one of " + ", ".join(_OPERATIONS))
        filters["operation"] = operation
    verdict = query.get("verdict")
    if verdict is not None:
        if verdict not in VERDICTS:
            raise _bad_query("verdict", verdict, "one of " + ", ".join(VERDICTS))
        filters["verdict"] = verdict
    if query.get("since") is not None:
        filters["since"] = _parse_since(query["since"])
    limit = query.get("limit")
    if limit is not None:
        if not (limit.isascii() and limit.isdigit() and len(limit) <= 6) or not 1 <= int(limit) <= MAX_LIMIT:
            raise _bad_query("limit", limit, f"an integer from 1 to {MAX_LIMIT}")
        filters["limit"] = int(limit)
    return filters


#: What the orders query takes: the spec's patterns, checked here exactly as the spec says.
_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)"
)
_MOBILE = re.compile(r"\+?[0-9]{6,20}")
_DIAL_CODE = re.compile(r"\+?0*[1-9][0-9]{0,3}")
_PLUS_HINT = " (a + in a URL reads as a space: write it %2B)"
#: Order ids one ``GET /__admin/orders`` takes, and the longest id, business or POS filter:
#: the spec bounds them so that the URL always fits the server's request line.
MAX_ORDER_IDS = 25
MAX_FILTER_LENGTH = 64
_ORDER_ID = re.compile(r"[!-~]+")
#: Matches no order: every stored instant is earlier.
_AFTER_EVERYTHING = "9999-12-31T23:59:59.999Z"


def _parse_instant(value: str) -> str | None:
    """An RFC 3339 date-time as the store writes instants; None when it is before year 1."""
    if not value.isascii() or not _INSTANT.fullmatch(value):
        raise _bad_query("since", value, "an ISO 8601 date-time such as 2024-01-31T12:00:00Z" + _PLUS_HINT)
    # fromisoformat wants an upper-case T and Z, and knows no leap second (read as :59).
    text = value.upper()
    text = text[:17] + "59" + text[19:] if text[17:19] == "60" else text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _bad_query("since", value, "an existing date and time, e.g. 2024-01-31T12:00:00Z") from None
    try:
        return iso(moment.astimezone(UTC))
    except OverflowError:  # the offset moves it out of years 1..9999 in UTC
        return None if moment.year == 1 else _AFTER_EVERYTHING


def _short_text(query: Any, name: str, what: str) -> str | None:
    value = query.get(name)
    if value is not None and not 1 <= len(value) <= MAX_FILTER_LENGTH:
        raise _bad_query(name, value, f"{what} (1 to {MAX_FILTER_LENGTH} characters)")
    return str(value) if value is not None else None


def parse_orders_query(query: Any) -> dict[str, Any]:
    """Turn ``/__admin/orders`` query parameters into `list_orders` filters (400 when bad)."""
    filters: dict[str, Any] = {"limit": DEFAULT_ORDER_LIMIT}
    business = _short_text(query, "business", "a business reference such as 440810")
    if business is not None:
        filters["business_reference"] = business
    pos = _short_text(query, "pos", "a POS name such as foodics")
    if pos is not None:
        filters["pos_name"] = pos
    ids = query.getall("id", [])
    if ids:
        if len(ids) > MAX_ORDER_IDS:
            raise _bad_query("id", f"{len(ids)} ids", f"at most {MAX_ORDER_IDS} ids per call")
        for order_id in ids:
            if not (len(order_id) <= MAX_FILTER_LENGTH and _ORDER_ID.fullmatch(order_id)):
                raise _bad_query(
                    "id", order_id, f"an order id: 1 to {MAX_FILTER_LENGTH} printable ASCII characters"
                )
        filters["order_ids"] = ids
    dial_code = query.get("dial_code")
    if dial_code is not None and not (dial_code.isascii() and _DIAL_CODE.fullmatch(dial_code)):
        raise _bad_query("dial_code", dial_code, "a dial code such as 966" + _PLUS_HINT)
    mobile = query.get("customer")
    if mobile is not None:
        if not (mobile.isascii() and _MOBILE.fullmatch(mobile)):
            raise _bad_query("customer", mobile, "a mobile number such as 557937530" + _PLUS_HINT)
        filters["customer"] = mobile
        if dial_code is not None:
            filters["dial_code"] = dial_code
    since = query.get("since")
    if since is not None:
        filters["since"] = _parse_instant(since)
    limit = query.get("limit")
    if limit is not None:
        if (
            not (limit.isascii() and limit.isdigit() and len(limit) <= 6)
            or not 1 <= int(limit) <= MAX_ORDER_LIMIT
        ):
            raise _bad_query("limit", limit, f"an integer from 1 to {MAX_ORDER_LIMIT}")
        filters["limit"] = int(limit)
    return filters


async def admin_health(request: web.Request) -> web.Response:
    """``GET /__admin/health``: liveness, versions, the mock's clock and its state marker."""
    settings = request.app[SETTINGS]
    return json_response(
        request,
        {
            "status": "ok",
            "version": VERSION,
            "spec_version": request.app[SPEC].version,
            "now": iso(request.app[LOYAPRO].now()),
            "lenient": settings.lenient,
            "db": describe_db(settings.db),
            "pid": os.getpid(),  # which process answered (serve --workers N runs N of them)
            "state": state_marker(request.app[LOYAPRO]),
        },
    )


async def admin_requests(request: web.Request) -> web.Response:
    """``GET /__admin/requests``: journal entries, oldest first, filtered."""
    filters = parse_journal_query(request.query)
    request.app[JOURNAL].flush()
    entries = request.app[STORE].list_requests(**filters)
    return json_response(request, {"requests": entries})


async def admin_reset(request: web.Request) -> web.Response:
    """``POST /__admin/reset``: forget all state, then load the demo state again."""
    request.app[JOURNAL].flush()  # entries of earlier requests must not outlive the reset
    reset(request.app[LOYAPRO])
    return json_response(request, {"reset": True, "demo": demo_summary(request.app[DEMO])})


async def admin_issue_reward(request: web.Request) -> web.Response:
    """``POST /__admin/rewards``: issue a reward code of a given kind for a customer."""
    body = request[CALL].body
    expires = body.get("expires_in_seconds")
    if isinstance(expires, int | float) and expires > MAX_CLOCK_OFFSET:
        raise ProblemError(
            422,
            "validation_failed",
            f"expires_in_seconds may be at most {MAX_CLOCK_OFFSET:.0f} (about 100 years).",
            errors=[
                {
                    "pointer": "/expires_in_seconds",
                    "rule": "maximum",
                    "message": f"{expires:g} is greater than {MAX_CLOCK_OFFSET:.0f}",
                }
            ],
        )
    issued = issue_reward_request(request.app[LOYAPRO], body)
    return json_response(request, issued, status=201)


_PRODUCT_FIELDS = ("id", "sku", "name", "name_localized", "price", "category", "is_active")


async def admin_add_products(request: web.Request) -> web.Response:
    """``POST /__admin/products``: add or update products in a business's catalog."""
    body = request[CALL].body
    loyapro = request.app[LOYAPRO]
    reference = body["business_reference"]
    for item in body["products"]:
        product = {key: item[key] for key in _PRODUCT_FIELDS if key in item}
        category = product.get("category")
        if isinstance(category, dict):  # a Product API category: the catalog keeps its name
            product["category"] = category.get("name")
        add_product(loyapro, reference, product)
    total = len(list_products(loyapro, str(reference)))
    return json_response(
        request, {"business_reference": str(reference), "added": len(body["products"]), "total": total}
    )


async def admin_customer(request: web.Request) -> web.Response:
    """``GET /__admin/customers/{mobile}``: balances per program and the loyalty ledger."""
    query = request.query
    view = customer_view(
        request.app[LOYAPRO],
        request.match_info["mobile"],
        query.get("dial_code") or "966",
        business_reference=query.get("business") or None,
    )
    return json_response(request, view)


async def admin_reward(request: web.Request) -> web.Response:
    """``GET /__admin/rewards/{code}``: a code's state and every redemption of it."""
    return json_response(request, reward_state(request.app[LOYAPRO], request.match_info["code"]))


async def admin_orders(request: web.Request) -> web.Response:
    """``GET /__admin/orders``: the orders the mock holds, with their ledger and redemptions."""
    return json_response(request, list_orders(request.app[LOYAPRO], **parse_orders_query(request.query)))


async def admin_clock(request: web.Request) -> web.Response:
    """``POST /__admin/clock``: move the mock's clock forward by ``advance_seconds``."""
    seconds = float(request[CALL].body["advance_seconds"])
    loyapro = request.app[LOYAPRO]
    ahead = loyapro.clock.offset()
    if not ahead + seconds <= MAX_CLOCK_OFFSET:
        allowed = max(MAX_CLOCK_OFFSET - ahead, 0.0)
        raise ProblemError(
            422,
            "validation_failed",
            f"The mock's clock may run at most {MAX_CLOCK_OFFSET:.0f} s (about 100 years) ahead; "
            f"it is {ahead:.0f} s ahead now, so advance_seconds may be at most {allowed:.0f}. "
            "POST /__admin/reset sets the clock back.",
            errors=[
                {
                    "pointer": "/advance_seconds",
                    "rule": "maximum",
                    "message": f"{seconds:g} is greater than {allowed:.0f}",
                }
            ],
        )
    now = advance_clock(loyapro, seconds)
    return json_response(request, {"now": iso(now)})


HANDLERS: dict[str, Handler] = {
    "admin_health": admin_health,
    "admin_requests": admin_requests,
    "admin_reset": admin_reset,
    "admin_issue_reward": admin_issue_reward,
    "admin_add_products": admin_add_products,
    "admin_reward": admin_reward,
    "admin_customer": admin_customer,
    "admin_orders": admin_orders,
    "admin_clock": admin_clock,
}
