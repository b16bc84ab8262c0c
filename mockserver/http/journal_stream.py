"""The journal as server-sent events: ``GET /__admin/requests/stream``.

The stream reads the journal from the store, polling it by id, so with ``serve --workers N``
(or instances sharing one store) it shows every process's requests: each writes its journal
within a few milliseconds (`mockserver.http.journal_writer`). Each event's id is the journal
id, so a client that reconnects with ``Last-Event-ID`` gets what it missed; a journal reset
under the stream (``POST /__admin/reset`` restarts the ids) is announced by a ``reset`` event.
Open streams end when the app shuts down (`setup_journal_stream`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
from aiohttp import web

from loyapro_mock.mockserver.http.admin import parse_journal_query
from loyapro_mock.mockserver.http.keys import STORE
from loyapro_mock.mockserver.http.problems import ProblemError
from loyapro_mock.mockserver.store.protocol import Store, StoreError

__all__ = [
    "DEFAULT_BACKLOG",
    "HEARTBEAT_SECONDS",
    "MAX_BACKLOG",
    "POLL_SECONDS",
    "admin_requests_stream",
    "newest_journal_id",
    "query_int",
    "setup_journal_stream",
]

log = logging.getLogger("loyapro_mock.mockserver")

#: How often the stream reads the journal, and how often an idle stream says it is alive.
POLL_SECONDS = 0.25
HEARTBEAT_SECONDS = 15.0
#: The newest entries a new stream sends first (``backlog``), unless told, and at most.
DEFAULT_BACKLOG = 200
MAX_BACKLOG = 1000
#: Entries one read of the journal takes.
_PAGE = 200
#: Set on shutdown: open streams end, so that the server does not wait for them.
_CLOSING: web.AppKey[asyncio.Event] = web.AppKey("journal_stream_closing", asyncio.Event)


def setup_journal_stream(app: web.Application) -> None:
    """Let open event streams end when the app shuts down (call it in the app factory)."""
    app[_CLOSING] = asyncio.Event()

    async def close_streams(app: web.Application) -> None:
        app[_CLOSING].set()

    app.on_shutdown.append(close_streams)


def _bad_query(name: str, value: str, expected: str) -> ProblemError:
    return ProblemError(
        400, "invalid_query", f"The query parameter {name}={value!r} is invalid: expected {expected}."
    )


def query_int(query: Any, name: str, default: int, maximum: int, minimum: int = 1) -> int:
    """An integer query parameter from ``minimum`` to ``maximum`` (``default`` when absent);
    400 ``invalid_query`` otherwise."""
    value = query.get(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit() and len(value) <= 6) or not minimum <= int(value) <= maximum:
        raise _bad_query(name, value, f"an integer from {minimum} to {maximum}")
    return int(value)


def newest_journal_id(store: Store) -> int:
    """The id of the newest journal entry (0 when the journal is empty).

    Found by bisection on ``list_requests(since=id, limit=1)``: a few dozen reads of one
    entry each, whatever the size of the journal.
    """
    if not store.list_requests(since="1", limit=1):
        return 0
    low, high = 1, 2  # an entry has an id >= low; none has one >= high (once found)
    while store.list_requests(since=str(high), limit=1):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if store.list_requests(since=str(middle), limit=1):
            low = middle
        else:
            high = middle
    found = store.list_requests(since=str(low), limit=1)
    return int(found[0]["id"]) if found else 0


def _event(name: str, data: Any, event_id: int | None = None) -> bytes:
    head = b"" if event_id is None else b"id: %d\n" % event_id
    return head + b"event: " + name.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


def _last_event_id(request: web.Request) -> int | None:
    value = request.headers.get("Last-Event-ID", "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


class _JournalCursor:
    """Where a stream stands in the journal: the last entry it sent, and whether that entry
    is known to exist (so that a reset journal, whose ids start again, is noticed)."""

    def __init__(self, store: Store, filters: dict[str, Any], after: int, known: bool) -> None:
        self.store = store
        self.filters = filters
        self.after = after
        self.known = known and after > 0
        self.received_at: str | None = None

    def was_reset(self) -> bool:
        """True when the entry last sent is no longer the journal's (the journal was reset)."""
        if not self.known:
            return False
        head = self.store.list_requests(since=str(self.after), limit=1)
        if not head or head[0]["id"] != self.after:
            return True
        return self.received_at is not None and head[0].get("received_at") != self.received_at

    def restart(self) -> None:
        self.after, self.known, self.received_at = 0, False, None

    def read(self) -> list[dict[str, Any]]:
        entries = self.store.list_requests(**self.filters, since=str(self.after + 1), limit=_PAGE)
        if entries:
            self.after = int(entries[-1]["id"])
            self.known = True
            self.received_at = entries[-1].get("received_at")
        return entries


def _stream_start(request: web.Request, filters: dict[str, Any], backlog: int) -> tuple[int, bool]:
    """The id after which the stream starts, and whether that id names an entry sent before."""
    since = filters.pop("since", None)
    resumed = _last_event_id(request)
    if resumed is not None:
        return resumed, True
    if since is not None and since.isdigit():
        return max(int(since) - 1, 0), False
    if since is not None:  # an instant: from the first entry received at or after it
        first = request.app[STORE].list_requests(since=since, limit=1)
        if not first:
            return newest_journal_id(request.app[STORE]), False
        return int(first[0]["id"]) - 1, False
    return max(newest_journal_id(request.app[STORE]) - backlog, 0), False


async def admin_requests_stream(request: web.Request) -> web.StreamResponse:
    """``GET /__admin/requests/stream``: the journal as server-sent events, as it grows."""
    query = request.query
    filters = parse_journal_query(
        {k: query[k] for k in ("pos", "operation", "verdict", "since") if k in query}
    )
    filters.pop("limit", None)
    backlog = query_int(query, "backlog", DEFAULT_BACKLOG, MAX_BACKLOG, minimum=0)
    after, known = _stream_start(request, filters, backlog)
    cursor = _JournalCursor(request.app[STORE], filters, after, known)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    closing = request.app[_CLOSING]
    loop = asyncio.get_running_loop()
    quiet_since = loop.time()
    with contextlib.suppress(ConnectionError):
        await response.write(b"retry: 1000\n\n")
        while not closing.is_set():
            transport = request.transport
            if transport is None or transport.is_closing():
                break
            try:
                if cursor.was_reset():
                    cursor.restart()
                    await response.write(_event("reset", {"reason": "the journal was reset"}, event_id=0))
                entries = cursor.read()
            except StoreError as exc:  # the database is busy or failing: try again at the next poll
                log.warning("the journal stream could not read the journal: %s", exc)
                entries = []
            for entry in entries:
                await response.write(_event("request", entry, event_id=int(entry["id"])))
            if entries:
                quiet_since = loop.time()
                if len(entries) == _PAGE:
                    continue  # more are waiting
            elif loop.time() - quiet_since >= HEARTBEAT_SECONDS:
                await response.write(b": alive\n\n")
                quiet_since = loop.time()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(closing.wait(), POLL_SECONDS)
    return response
