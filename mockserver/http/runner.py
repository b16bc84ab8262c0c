"""Running the app: in this process, or in N worker processes sharing the port and the store.

``serve --workers N`` binds N listening sockets to one port with ``SO_REUSEPORT`` (the
kernel spreads incoming connections over them), then forks one worker per socket. Each
worker opens its own SQLite connections on the shared database file; each group of state
changes (`mockserver.store.group_commit`) is one ``BEGIN IMMEDIATE`` transaction and a redeem's
decisive step is a conditional update, so exactly-once holds across the processes as it
does across threads. Workers stop on
SIGINT / SIGTERM and when the parent process goes away.

The event loop is uvloop's when it is installed (it is faster for this kind of server),
asyncio's otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from aiohttp import web

from loyapro_mock.mockserver.http.connections import GuardedRunner
from loyapro_mock.mockserver.http.keys import SETTINGS
from loyapro_mock.mockserver.http.settings import Settings

__all__ = ["listening_sockets", "loop_factory", "run", "run_workers", "serve_app"]

log = logging.getLogger("loyapro_mock.mockserver")
T = TypeVar("T")
BACKLOG = 1024
PARENT_CHECK_SECONDS = 0.5


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop factory when uvloop is installed, else None (asyncio's)."""
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a fresh event loop (uvloop when installed)."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` sockets listening on one port (``port`` 0 picks a free one for all).

    With more than one, each has ``SO_REUSEPORT`` so the kernel balances connections.
    """
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if count > 1:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind(address)
            sock.listen(BACKLOG)
            sock.setblocking(False)
            address = sock.getsockname()  # the chosen port, for the next ones
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


async def _stopped(parent_pid: int | None) -> None:
    """Return on SIGINT / SIGTERM, or when ``parent_pid`` is no longer the parent."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), PARENT_CHECK_SECONDS)
        if stop.is_set() or (parent_pid is not None and os.getppid() != parent_pid):
            return


async def serve_app(
    app: web.Application,
    *,
    sock: socket.socket | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    on_ready: Callable[[int], Awaitable[None] | None] | None = None,
    parent_pid: int | None = None,
) -> None:
    """Serve ``app`` on ``sock`` (or ``host:port``) until SIGINT / SIGTERM.

    Connections time their headers and are bounded per client address as ``app``'s settings
    say (`mockserver.http.connections`).

    ``on_ready(port)`` runs once the app is listening. Startup errors (the store cannot be
    opened, the port is taken) propagate as ``OSError`` / ``sqlite3.Error``.
    """
    settings = app.get(SETTINGS) or Settings()  # an app without the mock's settings: defaults
    runner = GuardedRunner(
        app,
        access_log=None,
        header_timeout=settings.header_timeout,
        max_connections_per_client=settings.max_connections_per_client,
    )
    await runner.setup()
    try:
        site: web.BaseSite = (
            web.SockSite(runner, sock)
            if sock is not None
            else web.TCPSite(runner, host, port, backlog=BACKLOG)
        )
        await site.start()
        if on_ready is not None:
            ready = on_ready(int(runner.addresses[0][1]))
            if ready is not None:
                await ready
        await _stopped(parent_pid)
    finally:
        await runner.cleanup()


def _worker(app: web.Application, sockets: list[socket.socket], index: int, parent_pid: int) -> None:
    for i, other in enumerate(sockets):
        if i != index:
            other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent tells the workers to stop
    try:
        run(serve_app(app, sock=sockets[index], parent_pid=parent_pid))
    except Exception as exc:
        print(f"loyapro-mock worker {index + 1}: {exc}", file=sys.stderr)
        sys.exit(1)


def run_workers(
    app: web.Application, sockets: list[socket.socket], on_ready: Callable[[], None] | None = None
) -> int:
    """Fork one worker per socket serving ``app``; wait until stopped. Returns an exit code.

    SIGINT / SIGTERM stop every worker; a worker that dies stops the others too.
    """
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(
            target=_worker,
            args=(app, sockets, i, os.getpid()),
            name=f"loyapro-mock-worker-{i + 1}",
            daemon=True,
        )
        for i in range(len(sockets))
    ]
    for worker in workers:
        worker.start()
    for sock in sockets:
        sock.close()
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True
        for worker in workers:
            if worker.is_alive() and worker.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if on_ready is not None:
            on_ready()
        code = 0
        while any(worker.is_alive() for worker in workers):
            for worker in workers:
                worker.join(PARENT_CHECK_SECONDS)
                if worker.exitcode not in (None, 0, -signal.SIGTERM) and not stopping:
                    log.error("%s exited with code %s; stopping", worker.name, worker.exitcode)
                    code = 1
                    stop()
        return code
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
