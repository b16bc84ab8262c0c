"""Journal retention: old entries pruned in the background, by age and by count.

The journal keeps every request's body (about 7.5 KB per order): a long-running mock fills
its disk. `JournalPruner` runs `Store.prune_requests` in a daemon thread every ``interval``
seconds, deleting the entries received more than ``max_age`` seconds ago (wall-clock time,
as ``received_at`` is) and all but the newest ``max_entries``. It never runs on the event
loop, and the store deletes in short transactions, so requests are not stalled while it
works. Several instances sharing a database may each run one: deleting is idempotent.

Only the journal is pruned: orders, ledger, rewards and redemptions (the state a POS is
graded on) are kept. A certification session graded after its entries were pruned finds no
requests to grade, so retention must be longer than the sessions it serves.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from loyapro_mock.mockserver.domain.clock import iso
from loyapro_mock.mockserver.store.protocol import Store

__all__ = ["PRUNE_INTERVAL", "JournalPruner", "parse_duration"]

log = logging.getLogger("loyapro_mock.mockserver.store")

#: Seconds between two prunings of a server's journal.
PRUNE_INTERVAL = 30.0

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str | float | int) -> float:
    """Seconds in ``text``: a number of seconds, or a number with a unit ``s m h d w``
    (``"90"``, ``"15m"``, ``"12h"``, ``"7d"``, ``"1.5h"``). Raises ValueError otherwise."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        seconds = float(text)
    else:
        raw = str(text).strip().lower()
        unit = raw[-1:] if raw[-1:] in _UNITS else "s"
        number = raw[:-1] if raw[-1:] in _UNITS else raw
        try:
            seconds = float(number) * _UNITS[unit]
        except ValueError:
            raise ValueError(
                f"{text!r} is not a duration: give seconds or a number with s, m, h, d or w (e.g. 7d)"
            ) from None
    if seconds < 0 or seconds != seconds:
        raise ValueError(f"{text!r} is not a duration: it must be 0 or more")
    return seconds


class JournalPruner:
    """A daemon thread pruning ``store``'s journal every ``interval`` seconds."""

    def __init__(
        self,
        store: Store,
        *,
        max_age: float | None = None,
        max_entries: int | None = None,
        interval: float = PRUNE_INTERVAL,
    ) -> None:
        self._store = store
        self.max_age = max_age or None
        self.max_entries = max_entries if max_entries else None
        self._interval = interval
        self._stop = threading.Event()
        self.pruned = 0  # entries deleted so far (for tests and diagnostics)
        self.runs = 0
        self._thread = threading.Thread(target=self._run, name="journal-pruner", daemon=True)

    def start(self) -> JournalPruner:
        """Start the thread (its first pruning runs at once)."""
        self._thread.start()
        return self

    def prune(self) -> int:
        """Prune once now; how many entries were deleted."""
        before = None
        if self.max_age is not None:
            before = iso(datetime.now(UTC) - timedelta(seconds=self.max_age))
        deleted = self._store.prune_requests(before=before, keep=self.max_entries)
        self.pruned += deleted
        self.runs += 1
        return deleted

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                deleted = self.prune()
                if deleted:
                    log.info("journal retention: deleted %d old entries", deleted)
            except Exception as exc:  # the database is away for now: try again next time
                log.warning("journal retention: pruning failed: %s", exc)
            self._stop.wait(self._interval)

    def stop(self) -> None:
        """Stop the thread (waits for a pruning in progress)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=60)
