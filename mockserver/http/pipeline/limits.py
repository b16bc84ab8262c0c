"""Limits of the request pipeline: a body that stalls, and a connection beyond its client's bound.

`read_body` reads a request's body the way ``request.read()`` does, but never waits forever:

* a body that stops short of its ``Content-Length`` (LoyaPro's own Node.js sample declares
  ``Content-Length: 8856`` for a shorter body), or a chunked body without its last chunk, is
  answered 400 ``incomplete_body`` once nothing more came for ``body_timeout`` seconds (5 by
  default). The detail names the declared and received byte counts and how Content-Length
  is counted (the UTF-8 bytes of the body); the connection is closed after the answer;
* a body that keeps trickling is answered the same way once it has taken
  `BODY_DEADLINE_SECONDS` in all.

A body that came whole with its headers (the usual case) is read at once, with no timer.

`connection_middleware` answers the webhook calls of a connection beyond its client's bound
(`mockserver.http.connections`) with 429 ``too_many_connections``.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from loyapro_mock.mockserver.http.keys import Call, Handler
from loyapro_mock.mockserver.http.problems import ProblemError, payload_too_large

__all__ = ["BODY_DEADLINE_SECONDS", "connection_middleware", "incomplete_body", "read_body"]

#: The longest a body may take to arrive in all, however steadily it trickles.
BODY_DEADLINE_SECONDS = 60.0
_ADMIN_PREFIX = "/__admin"
_CLOSE = {"Connection": "close"}  # the rest of the request's stream is unusable


def incomplete_body(
    declared: int | None, received: int, waited: float, *, deadline: bool = False
) -> ProblemError:
    """The answer to a body that stopped (or crawled) short of its end."""
    how = (
        f"it was still arriving after {waited:g} s, the most a body may take"
        if deadline
        else f"nothing more came for {waited:g} s"
    )
    if declared is None:
        detail = (
            f"The chunked body stopped after {received} bytes without its last (zero-length) chunk, "
            f"and {how}. End a chunked body with '0' CRLF CRLF, or send the body with a "
            "Content-Length that counts its bytes."
        )
    else:
        detail = (
            f"The body stopped after {received} of the {declared} bytes its Content-Length header "
            f"declares, and {how}. Content-Length must count the bytes of the body as sent, in "
            "its UTF-8 encoding, where a character such as 'é' or 'ن' takes 2 bytes (in Node.js "
            "Buffer.byteLength(body), not body.length). Let the HTTP client set it, or compute it "
            "from the encoded body."
        )
    return ProblemError(
        400,
        "incomplete_body",
        detail,
        headers=_CLOSE,
        extra={"content_length": declared, "received_bytes": received},
    )


def _unreadable(request: web.Request, exc: Exception) -> ProblemError:
    encoding = request.headers.get("Content-Encoding")
    how = f" (Content-Encoding: {encoding})" if encoding else ""
    return ProblemError(
        400,
        "malformed_json",
        f"The body could not be read{how}: {exc}. Send the JSON body uncompressed, "
        "or compressed exactly as the Content-Encoding header says.",
        headers=_CLOSE,
    )


async def read_body(request: web.Request, call: Call, limit: int, stall: float) -> bytes:
    """The whole body (at most ``limit`` bytes), or the problem that stops it.

    What did arrive is kept in ``call.raw_body`` for the journal, also when the body is
    refused.
    """
    length = request.content_length
    if length is not None and length > limit:
        raise payload_too_large(limit)
    content = request.content
    if content.is_eof():  # the whole body is here: no timer
        try:
            return await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise payload_too_large(limit) from None
        except web.RequestPayloadError as exc:
            raise _unreadable(request, exc) from None
    body = bytearray()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max(BODY_DEADLINE_SECONDS, stall)
    while True:
        left = deadline - loop.time()
        try:
            async with asyncio.timeout(min(stall, max(left, 0.0))):
                chunk = await content.readany()
        except TimeoutError:
            call.raw_body = bytes(body)
            content.feed_eof()  # read no more of it: close right after the answer, no lingering
            late = left <= stall
            waited = max(BODY_DEADLINE_SECONDS, stall) if late else stall
            raise incomplete_body(length, len(body), waited, deadline=late) from None
        except web.RequestPayloadError as exc:
            call.raw_body = bytes(body)
            raise _unreadable(request, exc) from None
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > limit:
            raise payload_too_large(limit)


@web.middleware
async def connection_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """429 ``too_many_connections`` for a webhook call on a connection beyond its bound."""
    protocol = request.protocol
    if getattr(protocol, "over_limit", False) and not request.path.startswith(_ADMIN_PREFIX):
        clients = getattr(protocol, "clients", None)
        bound = getattr(clients, "limit", "?")
        raise ProblemError(
            429,
            "too_many_connections",
            f"This client ({getattr(protocol, 'client', '?')}) already holds {bound} open "
            "connections to the mock, the most it serves from one address; this connection is "
            "closed. Reuse connections (HTTP keep-alive) or close idle ones, then retry.",
            headers={**_CLOSE, "Retry-After": "1"},
        )
    return await handler(request)
