"""Writing the journal in batches, off the request path.

The journal records what a POS sent; it is not state. A request's state change is committed
(and durable) before its answer leaves, but its journal entry only joins a batch that is
written in one transaction a few milliseconds later (``Store.record_requests``). Reading the
journal (``GET /__admin/requests``), resetting and shutting down flush the batch first, so a
client of this process always reads its own requests. With ``serve --workers N``, another
worker's entries appear within one flush interval. A process killed with ``kill -9`` loses at
most the entries of its last interval.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from mockserver.store import Store

__all__ = ["FLUSH_DELAY", "MAX_PENDING", "JournalWriter"]

log = logging.getLogger("mockserver")

#: Seconds an entry may wait for its batch; the most entries one batch waits for.
FLUSH_DELAY = 0.02
MAX_PENDING = 512


class JournalWriter:
    """Collects journal entries and writes them to the store in batches."""

    def __init__(self, store: Store, *, delay: float = FLUSH_DELAY,
                 max_pending: int = MAX_PENDING) -> None:
        self._store = store
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
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._delay, self.flush)

    def flush(self) -> None:
        """Write every queued entry now, in one transaction."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        try:
            self._store.record_requests(batch)
        except Exception:  # the journal must never take the server down
            log.exception("could not journal %d request(s)", len(batch))
