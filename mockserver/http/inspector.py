"""The inspector: the page at ``/__admin/ui`` and the admin endpoints it reads.

The page (``ui/`` beside this module: one HTML file, one script and one style sheet, no
library) is served from the package, so it works offline. It reads only the documented
admin API: the journal live from ``GET /__admin/requests/stream`` (server-sent events), the
state from ``/__admin/businesses``, ``/customers``, ``/rewards`` and ``/health``, and the
certification sessions from ``/__admin/sessions``.

The stream is `mockserver.http.journal_stream`; the listings and the sessions' progress are
use cases of `mockserver.domain.usecases` (``admin_listings``, ``admin_sessions``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import web

from loyapro_mock.mockserver.domain.sessions import session_progress
from loyapro_mock.mockserver.domain.usecases import businesses
from loyapro_mock.mockserver.domain.usecases.admin_listings import (
    DEFAULT_LISTING_LIMIT,
    MAX_LISTING_LIMIT,
    list_customers,
    list_rewards,
)
from loyapro_mock.mockserver.domain.usecases.admin_sessions import (
    get_session,
    list_sessions,
    register_session,
)
from loyapro_mock.mockserver.http.admin import MAX_FILTER_LENGTH
from loyapro_mock.mockserver.http.handlers import json_response
from loyapro_mock.mockserver.http.journal_stream import admin_requests_stream, query_int
from loyapro_mock.mockserver.http.keys import CALL, JOURNAL, LOYAPRO, STORE, Handler
from loyapro_mock.mockserver.http.problems import ProblemError

__all__ = ["HANDLERS", "SESSION_ENTRIES", "UI_DIR"]

UI_DIR = Path(__file__).with_name("ui")


@cache
def _asset(name: str) -> bytes:
    return (UI_DIR / name).read_bytes()


async def admin_ui(request: web.Request) -> web.Response:
    """``GET /__admin/ui``: the inspector page."""
    return web.Response(body=_asset("index.html"), content_type="text/html", charset="utf-8")


async def admin_ui_script(request: web.Request) -> web.Response:
    """``GET /__admin/ui/inspector.js``: the page's script."""
    return web.Response(body=_asset("inspector.js"), content_type="text/javascript", charset="utf-8")


async def admin_ui_styles(request: web.Request) -> web.Response:
    """``GET /__admin/ui/inspector.css``: the page's style sheet."""
    return web.Response(body=_asset("inspector.css"), content_type="text/css", charset="utf-8")


def _business(query: Any) -> str | None:
    value = query.get("business")
    if value is not None and not 1 <= len(value) <= MAX_FILTER_LENGTH:
        raise ProblemError(
            400,
            "invalid_query",
            f"The query parameter business={value!r} is invalid: expected a business reference "
            f"(1 to {MAX_FILTER_LENGTH} characters).",
        )
    return None if value is None else str(value)


async def admin_businesses(request: web.Request) -> web.Response:
    """``GET /__admin/businesses``: every business with its POS and branches."""
    return json_response(request, {"businesses": businesses(request.app[LOYAPRO])})


def _listing(request: web.Request, lister: Callable[..., dict[str, Any]]) -> web.Response:
    """One of the admin listings, of the business and up to the limit the query names."""
    query = request.query
    listing = lister(
        request.app[LOYAPRO],
        business_reference=_business(query),
        limit=query_int(query, "limit", DEFAULT_LISTING_LIMIT, MAX_LISTING_LIMIT),
    )
    return json_response(request, listing)


async def admin_customers(request: web.Request) -> web.Response:
    """``GET /__admin/customers``: the customers, with their balances."""
    return _listing(request, list_customers)


async def admin_rewards(request: web.Request) -> web.Response:
    """``GET /__admin/rewards``: the reward codes, each with its state history."""
    return _listing(request, list_rewards)


#: The journal entries one session's progress is read from, at most.
SESSION_ENTRIES = 10000


def _progress(request: web.Request, session: dict[str, Any]) -> dict[str, Any]:
    entries = request.app[STORE].list_requests(
        pos=session["pos_name"], since=str(session["since_id"]), limit=SESSION_ENTRIES
    )
    return session_progress(session, entries)


async def admin_register_session(request: web.Request) -> web.Response:
    """``POST /__admin/sessions``: keep a certification session for the inspector to follow."""
    session = register_session(request.app[LOYAPRO], request[CALL].body)
    request.app[JOURNAL].flush()
    return json_response(request, _progress(request, session), status=201)


async def admin_sessions(request: web.Request) -> web.Response:
    """``GET /__admin/sessions``: every registered session with its checklist's progress."""
    request.app[JOURNAL].flush()
    sessions = [_progress(request, session) for session in list_sessions(request.app[LOYAPRO])]
    return json_response(request, {"sessions": sessions})


async def admin_session(request: web.Request) -> web.Response:
    """``GET /__admin/sessions/{id}``: one session with its checklist's progress."""
    session = get_session(request.app[LOYAPRO], request.match_info["id"])
    request.app[JOURNAL].flush()
    return json_response(request, _progress(request, session))


HANDLERS: dict[str, Handler] = {
    "admin_ui": admin_ui,
    "admin_ui_script": admin_ui_script,
    "admin_ui_styles": admin_ui_styles,
    "admin_requests_stream": admin_requests_stream,
    "admin_businesses": admin_businesses,
    "admin_customers": admin_customers,
    "admin_rewards": admin_rewards,
    "admin_register_session": admin_register_session,
    "admin_sessions": admin_sessions,
    "admin_session": admin_session,
}
