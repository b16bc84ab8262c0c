"""Run an aiohttp application on a free loopback port in a background thread.

Certification code is synchronous (schemathesis and the driver use ``requests``); the mock
and the reference POS are aiohttp apps. Each :class:`BackgroundServer` owns an event loop
in its own thread, so synchronous callers can reach it over HTTP.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from types import TracebackType

from aiohttp import web

AppFactory = Callable[[], web.Application]


class BackgroundServer:
    """An aiohttp app served on ``127.0.0.1`` (port 0 = a free port) until :meth:`stop`."""

    def __init__(self, factory: AppFactory, host: str = "127.0.0.1", port: int = 0) -> None:
        self._factory = factory
        self._host = host
        self._port = port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.app: web.Application | None = None

    @property
    def url(self) -> str:
        """The base URL, without a trailing slash."""
        return f"http://{self._host}:{self.port}"

    def start(self, timeout: float = 30.0) -> BackgroundServer:
        """Start serving; returns once the port is bound (raises what startup raised)."""
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        future.result(timeout)
        return self

    async def _start(self) -> None:
        self.app = self._factory()
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    def call(self, coroutine_factory: Callable[[], object], timeout: float = 30.0) -> object:
        """Run a coroutine on the server's loop (e.g. to touch app state) and return its result."""

        async def runner() -> object:
            result = coroutine_factory()
            if asyncio.iscoroutine(result):
                return await result
            return result

        return asyncio.run_coroutine_threadsafe(runner(), self._loop).result(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop serving, run the app's cleanup and end the thread."""
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout)
            self._runner = None
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
        if not self._loop.is_closed() and not self._loop.is_running():
            self._loop.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
