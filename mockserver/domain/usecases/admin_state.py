"""Admin use cases on the whole state: reset it, move the clock."""

from __future__ import annotations

from datetime import datetime

from loyapro_mock.mockserver.domain import reward_codes
from loyapro_mock.mockserver.domain.errors import invalid
from loyapro_mock.mockserver.domain.orders import number
from loyapro_mock.mockserver.domain.usecases.loyapro import LoyaPro

__all__ = ["advance_clock", "reset"]


def reset(loyapro: LoyaPro, *, reseed: bool = True) -> None:
    """Forget all state; then load the demo state again through ``seeder`` (if any)."""
    loyapro.store.reset()
    if reseed and loyapro.seeder is not None:
        loyapro.seeder(loyapro)


def advance_clock(loyapro: LoyaPro, seconds: float) -> datetime:
    """Move the mock's clock forward and persist the expiry of codes now past due."""
    value = number(seconds)
    if value is None or value < 0:
        raise invalid("/advance_seconds", "must be a number >= 0", "minimum")
    now = loyapro.clock.advance(value)
    with loyapro.store.transaction() as tx:
        reward_codes.expire_due(tx, now)
    return now
