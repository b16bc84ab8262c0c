"""`LoyaPro`: the mock LoyaPro every use case acts on, and the businesses they act in.

It holds what the use cases share: the store's transactions, the loyalty programs, the
clock, the demo ``seeder`` that a reset runs again, and whether an unknown business
registers itself on its first order (``auto_register``). It has no operations of its own:
each lives in a module named after it (`order`, `reward_lookup`, `redeem`, the ``admin_*``
modules).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from loyapro_mock.mockserver.domain.clock import Clock, iso
from loyapro_mock.mockserver.domain.errors import DomainError, invalid
from loyapro_mock.mockserver.domain.programs import ProgramsConfig
from loyapro_mock.mockserver.domain.records import Row, StoreTx, Transactions

__all__ = ["LoyaPro", "known_business", "pos_business"]


class LoyaPro:
    """The state and settings of the mock LoyaPro (see the module docstring).

    ``LoyaPro(store, programs=None, clock=None, *, seeder=None, auto_register=False)``.
    """

    def __init__(
        self,
        store: Transactions,
        programs: ProgramsConfig | None = None,
        clock: Clock | None = None,
        *,
        seeder: Callable[[LoyaPro], object] | None = None,
        auto_register: bool = False,
    ) -> None:
        self.store = store
        self.programs = programs or ProgramsConfig()
        self.clock = clock or Clock(store)
        self.seeder = seeder
        self.auto_register = auto_register

    def now(self) -> datetime:
        """The mock's clock."""
        return self.clock.now()

    def iso_now(self) -> str:
        """The mock's clock as the store keeps instants."""
        return iso(self.now())


def pos_business(
    loyapro: LoyaPro,
    tx: StoreTx,
    pos_name: str,
    reference: Any,
    *,
    pointer: str = "/business_reference",
    name: str | None = None,
    register: bool = False,
) -> Row:
    """The business a webhook names, which must be connected to the calling POS.

    With ``register`` (the order webhook) and ``auto_register`` on, an unknown business is
    registered for this POS. Otherwise an unknown or foreign business is a 422
    ``unknown_business`` that lists the known ones.
    """
    if isinstance(reference, bool) or not isinstance(reference, str | int) or not str(reference):
        raise invalid(pointer, "is required (the POS business reference, e.g. 440810)")
    ref = str(reference)
    business = tx.get_business(ref)
    if business is None and register and loyapro.auto_register:
        tx.put_business(ref, name or ref, pos_name, loyapro.iso_now())
        business = tx.get_business(ref)
    if business is None:
        known = ", ".join(f"{b['reference']} ({b['pos_name']})" for b in tx.list_businesses())
        raise DomainError(
            422,
            "unknown_business",
            f"business {ref} is not known to the mock (known: {known or 'none'}); "
            "send one of those references",
        )
    if business["pos_name"] != pos_name:
        raise DomainError(
            422,
            "unknown_business",
            f"business {ref} is connected to POS {business['pos_name']!r}, "
            f"not {pos_name!r}; call /pos/1.0.0/{business['pos_name']}/...",
        )
    return business


def known_business(tx: StoreTx, reference: Any) -> Row:
    """The business an admin call names, whichever POS it belongs to; 422 when unknown."""
    business = tx.get_business(str(reference)) if reference is not None else None
    if business is None:
        known = ", ".join(b["reference"] for b in tx.list_businesses()) or "none"
        raise DomainError(
            422, "unknown_business", f"business {reference} is not known to the mock (known: {known})"
        )
    return business
