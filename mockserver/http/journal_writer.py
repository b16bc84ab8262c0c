"""Writing the journal in batches, off the request path.

The journal records what a POS sent; it is not state. A request's state change is committed
(and durable) before its answer leaves, but its journal entry only joins a batch that is
written a few milliseconds later (``Store.record_requests``), in the server inside the next
group commit (``defer``, `mockserver.store.group_commit`) so that it never waits for the lock. Reading the
journal (``GET /__admin/requests``), resetting and shutting down flush the batch first, so a
client of this process always reads its own requests. With ``serve --workers N``, another
worker's entries appear within one flush interval. A process killed with ``kill -9`` loses at
most the entries of its last interval.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from loyapro_mock.mockserver.store.protocol import Store

__all__ = ["FLUSH_DELAY", "MAX_PENDING", "JournalWriter"]

log = logging.getLogger("loyapro_mock.mockserver")

#: Seconds an entry may wait for its batch; the most entries one batch waits for.
FLUSH_DELAY = 0.02
MAX_PENDING = 512


class JournalWriter:
    """Collects journal entries and writes them to the store in batches."""

    def __init__(
        self,
        store: Store,
        *,
        delay: float = FLUSH_DELAY,
        max_pending: int = MAX_PENDING,
        defer: Callable[[Callable[[], Any]], None] | None = None,
    ) -> None:
        self._store = store
        self._defer = defer
        self._delay = delay
        self._max_pending = max_pending
        self._pending: list[dict[str, Any]] = []
        self._timer: asyncio.TimerHandle | None = None

    @property
    def pending(self) -> int:
        """How many entries wait for the next flush."""
        return len(self._pending)

    def add(self, entry: dict[str, Any]) -> None:
        """Queue an entry; it is written within ``delay`` seconds (at once when many wait)."""
        self._pending.append(entry)
        if len(self._pending) >= self._max_pending:
            self._flush_soon()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._delay, self._flush_soon)

    def _flush_soon(self) -> None:
        """Hand the batch to ``defer`` (the group commit) when there is one, else write it."""
        if self._defer is None:
            self.flush()
            return
        batch = self._take()
        if batch:
            self._defer(lambda: self._write(batch))

    def flush(self) -> None:
        """Write every queued entry now, in one transaction."""
        batch = self._take()
        if batch:
            self._write(batch)

    def _take(self) -> list[dict[str, Any]]:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        return batch

    def _write(self, batch: list[dict[str, Any]]) -> None:
        try:
            self._store.record_requests(batch)
        except Exception:  # the journal must never take the server down
            log.exception("could not journal %d request(s)", len(batch))
