"""Admin use cases on the whole state: reset it, move the clock, and the marker that tells a
client whether the state it started with is still the one the mock holds.

The marker lives in the store's ``meta`` table, so every process sharing a database (``serve
--workers N``) reports the same one: a ``state_id`` drawn anew on every reset and on a store
that has none yet (a fresh file, or a mock restarted on ``:memory:``), when that state began,
how many resets the store has seen, and the clock's offset with when it last moved. A
certification session records it at its start and compares it at its report: a reset, a
restart or a clock jump in between means the session's evidence is not what the POS did.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from loyapro_mock.mockserver.domain import reward_codes
from loyapro_mock.mockserver.domain.clock import MOVED_AT_KEY, MOVES_KEY, OFFSET_KEY, iso
from loyapro_mock.mockserver.domain.errors import invalid
from loyapro_mock.mockserver.domain.orders import number
from loyapro_mock.mockserver.domain.records import StoreTx
from loyapro_mock.mockserver.domain.usecases.loyapro import LoyaPro

__all__ = ["RESET_COUNT_KEY", "STATE_ID_KEY", "STATE_SINCE_KEY", "advance_clock", "reset", "state_marker"]

STATE_ID_KEY = "state_id"
STATE_SINCE_KEY = "state_since"
RESET_COUNT_KEY = "reset_count"


def _new_state(loyapro: LoyaPro, tx: StoreTx, resets: int) -> None:
    tx.set_meta(STATE_ID_KEY, secrets.token_hex(8))
    tx.set_meta(STATE_SINCE_KEY, iso(loyapro.clock.real()))
    tx.set_meta(RESET_COUNT_KEY, str(resets))


def reset(loyapro: LoyaPro, *, reseed: bool = True) -> None:
    """Forget all state; then load the demo state again through ``seeder`` (if any).

    The state gets a new ``state_id`` and the store's reset count grows by one.
    """
    with loyapro.store.snapshot() as tx:
        resets = int(tx.get_meta(RESET_COUNT_KEY) or 0)
    loyapro.store.reset()
    with loyapro.store.transaction() as tx:
        _new_state(loyapro, tx, resets + 1)
        # whatever the backend's reset keeps of meta, the clock's history starts again
        tx.set_meta(OFFSET_KEY, "0.0")
        tx.set_meta(MOVES_KEY, "0")
        tx.set_meta(MOVED_AT_KEY, "")
    if reseed and loyapro.seeder is not None:
        loyapro.seeder(loyapro)


def state_marker(loyapro: LoyaPro) -> dict[str, Any]:
    """``{state_id, state_since, reset_count, clock_offset_seconds, clock_moved_at, clock_moves}``.

    A store without a state id yet (fresh, or emptied by `Transactions.reset` directly) gets
    one now: whoever reads it first draws it, every other process then reads that one.
    """
    with loyapro.store.snapshot() as tx:
        state_id = tx.get_meta(STATE_ID_KEY)
    if state_id is None:
        with loyapro.store.transaction() as tx:
            if tx.get_meta(STATE_ID_KEY) is None:
                _new_state(loyapro, tx, int(tx.get_meta(RESET_COUNT_KEY) or 0))
    with loyapro.store.snapshot() as tx:
        meta = {
            key: tx.get_meta(key)
            for key in (STATE_ID_KEY, STATE_SINCE_KEY, RESET_COUNT_KEY, OFFSET_KEY, MOVED_AT_KEY, MOVES_KEY)
        }
    return {
        "state_id": meta[STATE_ID_KEY],
        "state_since": meta[STATE_SINCE_KEY],
        "reset_count": int(meta[RESET_COUNT_KEY] or 0),
        "clock_offset_seconds": float(meta[OFFSET_KEY] or 0.0),
        "clock_moved_at": meta[MOVED_AT_KEY] or None,
        "clock_moves": int(meta[MOVES_KEY] or 0),
    }


def advance_clock(loyapro: LoyaPro, seconds: float) -> datetime:
    """Move the mock's clock forward and persist the expiry of codes now past due."""
    value = number(seconds)
    if value is None or value < 0:
        raise invalid("/advance_seconds", "must be a number >= 0", "minimum")
    now = loyapro.clock.advance(value)
    with loyapro.store.transaction() as tx:
        reward_codes.expire_due(tx, now)
    return now
