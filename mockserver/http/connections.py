"""Connections: headers that never finish, and how many connections one client may hold.

aiohttp waits for a request's headers as long as the connection stays open, and keeps every
connection a client opens. `GuardedRunner` (what ``serve`` runs the app with) adds two bounds:

* **header timeout**: once the first byte of a request has arrived, its request line and
  headers must be complete within ``header_timeout`` seconds (10 by default), else the mock
  answers 408 ``request_timeout`` (problem+json, written directly: no request was parsed, so
  nothing is journaled) and closes the connection;
* **connections per client**: each client address may hold ``max_connections_per_client``
  open connections to the process (512 by default; 0: no bound). A connection beyond it is
  served nothing but the answer 429 ``too_many_connections`` to its first webhook call
  (`mockserver.http.pipeline.limits.connection_middleware`), then closed. The admin API
  (``/__admin/``) is still served on it, so a harness on the same machine keeps control.
  With ``--workers N`` each worker counts its own connections.

A body that stalls is the request pipeline's to answer (`mockserver.http.pipeline.limits`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from loyapro_mock.mockserver.http.problems import PROBLEM_CONTENT_TYPE, ProblemError

__all__ = ["ClientConnections", "GuardedRunner", "request_timeout_answer"]

log = logging.getLogger("loyapro_mock.mockserver.requests")


class ClientConnections:
    """Open connections per client address in this process, and the bound on them."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open: dict[str, int] = {}

    def opened(self, host: str) -> bool:
        """Count a new connection; True when it is beyond the bound."""
        count = self.open.get(host, 0) + 1
        self.open[host] = count
        return 0 < self.limit < count

    def closed(self, host: str) -> None:
        """Forget a connection that closed."""
        count = self.open.get(host, 0) - 1
        if count > 0:
            self.open[host] = count
        else:
            self.open.pop(host, None)


def request_timeout_answer(seconds: float) -> bytes:
    """The raw HTTP answer to headers that did not finish within ``seconds``."""
    body = orjson.dumps(
        ProblemError(
            408,
            "request_timeout",
            f"The request line and headers did not finish within {seconds:g} s, so the mock closes "
            "the connection. Send the whole header block at once, ended by an empty line "
            "(CRLF CRLF); an HTTP client library does this for you.",
        ).body()
    )
    head = (
        "HTTP/1.1 408 Request Timeout\r\n"
        f"Content-Type: {PROBLEM_CONTENT_TYPE}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class GuardedHandler(RequestHandler):
    """aiohttp's connection handler, with the header timeout and the per-client count."""

    def __init__(
        self, manager: web.Server, *, header_timeout: float, clients: ClientConnections, **kwargs: Any
    ) -> None:
        super().__init__(manager, **kwargs)
        self.header_timeout = header_timeout
        self.clients = clients
        self.client: str | None = None
        #: Set when this connection is beyond the client's bound: its webhook calls get 429.
        self.over_limit = False
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Count the connection against its client address."""
        peer = transport.get_extra_info("peername")
        self.client = str(peer[0]) if isinstance(peer, tuple) and peer else None
        if self.client is not None:
            self.over_limit = self.clients.opened(self.client)
        super().connection_made(transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        """Stop counting the connection."""
        self._cancel_header_timer()
        if self.client is not None:
            self.clients.closed(self.client)
            self.client = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Parse as aiohttp does; time the headers of a request that has begun."""
        idle = self._waiter is not None and not self._waiter.done()  # between requests
        before = self._request_count
        super().data_received(data)
        if self._request_count != before:
            self._cancel_header_timer()  # a request's headers are complete
        elif idle and self._header_timer is None and not self._force_close:
            self._header_timer = self._loop.call_later(self.header_timeout, self._headers_timed_out)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_timed_out(self) -> None:
        self._header_timer = None
        transport = self.transport
        if transport is None or transport.is_closing() or self._request_in_progress:
            return
        log.info("%s: headers unfinished after %g s -> 408, closed", self.client, self.header_timeout)
        transport.write(request_timeout_answer(self.header_timeout))
        self.force_close()


class _GuardedServer(web.Server):
    """aiohttp's protocol factory, making `GuardedHandler` connections."""

    def __init__(self, server: web.Server, *, header_timeout: float, clients: ClientConnections) -> None:
        super().__init__(
            server.request_handler,
            request_factory=server.request_factory,
            handler_cancellation=server.handler_cancellation,
            loop=server._loop,
            **server._kwargs,
        )
        self.header_timeout = header_timeout
        self.clients = clients

    def __call__(self) -> RequestHandler:
        return GuardedHandler(
            self, header_timeout=self.header_timeout, clients=self.clients, loop=self._loop, **self._kwargs
        )


class GuardedRunner(web.AppRunner):
    """An ``AppRunner`` whose connections time their headers and count per client."""

    def __init__(
        self, app: web.Application, *, header_timeout: float, max_connections_per_client: int, **kwargs: Any
    ) -> None:
        super().__init__(app, **kwargs)
        self.header_timeout = header_timeout
        self.clients = ClientConnections(max_connections_per_client)

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        return _GuardedServer(server, header_timeout=self.header_timeout, clients=self.clients)
