"""The mock's clock: real UTC time plus an offset kept in the store.

Tests (and ``POST /__admin/clock``) move the clock forward to expire reward codes or start a
new subscription period. The offset lives in the store, so every process sharing a database
sees the same time, and it survives a restart; `Transactions.reset` sets it back to zero.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from loyapro_mock.mockserver.domain.records import Transactions

__all__ = ["MOVED_AT_KEY", "MOVES_KEY", "OFFSET_KEY", "Clock", "iso", "parse_iso"]

OFFSET_KEY = "clock_offset_seconds"
#: When (real UTC) the clock was last moved, and how many times since the last reset.
MOVED_AT_KEY = "clock_moved_at"
MOVES_KEY = "clock_moves"


def iso(moment: datetime) -> str:
    """Format an instant as ISO-8601 UTC with milliseconds: ``2023-01-01T15:06:16.000Z``.

    One fixed width, so stored instants compare correctly as strings.
    """
    last = _LAST_ISO[0]
    if moment is last[0]:  # a request formats its one "now" several times
        return last[1]
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    text = aware.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    _LAST_ISO[0] = (moment, text)
    return text


#: The last instant `iso` formatted and its text (datetimes are immutable; the cache holds a
#: reference, so an identical object is the same instant).
_LAST_ISO: list[tuple[datetime | None, str]] = [(None, "")]


def parse_iso(text: str) -> datetime:
    """Parse an ISO-8601 instant (``Z`` or an offset; naive means UTC) into an aware datetime.

    Raises ValueError when ``text`` is not an ISO-8601 date or date-time.
    """
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+05:00: before year 1 in UTC
        raise ValueError(f"{text!r} is out of the range of dates in UTC") from None


class Clock:
    """Now, as the mock sees it.

    ``base`` supplies the real time (UTC); tests pass a fixed function to get exact values.
    """

    def __init__(self, store: Transactions, base: Callable[[], datetime] | None = None) -> None:
        self._store = store
        self._base = base or (lambda: datetime.now(UTC))

    def offset(self) -> float:
        """Seconds the mock's clock is ahead of the real one."""
        with self._store.snapshot() as tx:
            raw = tx.get_meta(OFFSET_KEY)
        return float(raw) if raw else 0.0

    def real(self) -> datetime:
        """The real time (UTC), without the offset: when something happened, for people."""
        base = self._base()
        return base if base.tzinfo is not None else base.replace(tzinfo=UTC)

    def now(self) -> datetime:
        """The mock's current time (timezone-aware, UTC)."""
        return self.real() + timedelta(seconds=self.offset())

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` (must be >= 0) and return the new now.

        Also notes when (real time) it moved and how often, so that a certification session
        can tell that the clock jumped while it ran.
        """
        if seconds < 0:
            raise ValueError("the clock only moves forward: seconds must be >= 0")
        with self._store.transaction() as tx:
            raw = tx.get_meta(OFFSET_KEY)
            tx.set_meta(OFFSET_KEY, repr((float(raw) if raw else 0.0) + float(seconds)))
            moves = tx.get_meta(MOVES_KEY)
            tx.set_meta(MOVES_KEY, str(int(moves or 0) + 1))
            tx.set_meta(MOVED_AT_KEY, iso(self.real()))
        return self.now()
