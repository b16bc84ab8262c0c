"""The order webhook: what LoyaPro does with an order a POS sends.

``process_order(loyapro, pos_name, payload, *, lenient=False, raw=None)`` checks the
business rules (`mockserver.domain.rules`) and the return's link to its original order (rule
``order.return_unlinked``), matches or enrolls the customer (``customer.enrolled``), then
applies the order's lifecycle (`mockserver.domain.order_lifecycle`) in one transaction.
It answers ``{order_id, business_reference, business_registered, status, foodics_status,
duplicate, customer, loyalty: {earned, reversed, reason}, rewards_issued,
redemptions_released, violations}``. ``business_registered`` is true when the order named
a business the mock did not know and ``auto_register`` registered it; the answer's
``violations`` then carry a ``business.auto_registered`` warning, since a mistyped
reference would otherwise work silently.
Other warnings (`mockserver.domain.order_warnings`: what is accepted but fails certification,
such as a paid order whose Loyalty Redemption discount is not what was redeemed on it) never
refuse the order either; they are listed in ``violations`` too.

It is ``apply_order(loyapro, pos_name, prepare_order(payload, raw), lenient=...)``: the
server runs `prepare_order` (no state) before it queues for the write lock, and only
`apply_order` in the group commit.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from loyapro_mock.mockserver.domain import order_lifecycle
from loyapro_mock.mockserver.domain.errors import DomainError, invalid
from loyapro_mock.mockserver.domain.order_warnings import (
    loyalty_discount,
    payload_warnings,
    redemption_warnings,
)
from loyapro_mock.mockserver.domain.orders import OrderFacts, mapping, read_order
from loyapro_mock.mockserver.domain.records import Row, StoreTx
from loyapro_mock.mockserver.domain.rules import check_order
from loyapro_mock.mockserver.domain.usecases.loyapro import LoyaPro, pos_business
from loyapro_mock.mockserver.domain.violations import Violation

__all__ = ["PreparedOrder", "apply_order", "prepare_order", "process_order"]


class PreparedOrder(NamedTuple):
    """An order webhook body with what `prepare_order` read from it."""

    payload: dict[str, Any]
    facts: OrderFacts
    violations: tuple[Violation, ...]


def process_order(
    loyapro: LoyaPro,
    pos_name: str,
    payload: dict[str, Any],
    *,
    lenient: bool = False,
    raw: bytes | None = None,
) -> dict[str, Any]:
    """Apply an order webhook; see the module docstring for the answer.

    ``raw`` is the body as received, if the caller has it (hashed, not parsed again).
    """
    return apply_order(loyapro, pos_name, prepare_order(payload, raw), lenient=lenient)


def prepare_order(payload: dict[str, Any], raw: bytes | None = None) -> PreparedOrder:
    """The part of `process_order` that needs no state: the order's facts, the business
    rules it breaks and its warnings (`mockserver.domain.order_warnings`). The server does
    this before queueing for the write lock."""
    facts = read_order(payload, raw)
    if facts.order_id is None:
        raise invalid("/order/id", "is required: the order's id identifies it in LoyaPro")
    return PreparedOrder(payload, facts, (*check_order(payload), *payload_warnings(payload)))


def apply_order(
    loyapro: LoyaPro, pos_name: str, order: PreparedOrder, *, lenient: bool = False
) -> dict[str, Any]:
    """The rest of `process_order`: apply an order from `prepare_order`, in one transaction."""
    payload, facts, violations = order.payload, order.facts, list(order.violations)
    with loyapro.store.transaction() as tx:
        now = loyapro.now()  # read inside the transaction: no snapshot of its own
        business = mapping(mapping(payload).get("business"))
        name = business.get("name")
        registered = _auto_registration(loyapro, tx, pos_name, business.get("reference"))
        reference = pos_business(
            loyapro,
            tx,
            pos_name,
            business.get("reference"),
            pointer="/business/reference",
            name=name if isinstance(name, str) else None,
            register=True,
        )["reference"]
        original = None
        if facts.has_original_order:
            original = _original(tx, reference, facts.original_order_id, violations)
        violations.sort(key=lambda v: (v.pointer, v.rule))
        errors = [v for v in violations if v.is_error]  # warnings never refuse an order
        if errors and not lenient:
            raise DomainError(
                422,
                "business_rule_violated",
                f"the order breaks {len(errors)} business rule(s): "
                + "; ".join(f"{v.pointer}: {v.message}" for v in errors),
                errors=errors,
            )
        if facts.status == "Paid" and facts.order_id is not None:
            violations.extend(_redemption_warnings(tx, reference, facts.order_id, payload))
        result = order_lifecycle.apply_order(
            tx,
            loyapro.programs.for_business(reference),
            pos_name=pos_name,
            business_reference=reference,
            facts=facts,
            payload=payload,
            original=original,
            now=now,
        )
    if registered is not None:  # a warning, not a broken rule: it never refuses the order
        violations.append(registered)
    result["business_registered"] = registered is not None
    result["violations"] = [v.as_dict() for v in violations]
    return result


def _auto_registration(loyapro: LoyaPro, tx: StoreTx, pos_name: str, reference: Any) -> Violation | None:
    """The warning for an order that will register its unknown business (``auto_register``)."""
    if not loyapro.auto_register or tx.get_business(str(reference)) is not None:
        return None
    known = ", ".join(f"{b['reference']} ({b['pos_name']})" for b in tx.list_businesses())
    return Violation(
        "/business/reference",
        f"business {reference} was not known to the mock (known: {known or 'none'}), so this "
        f"order registered it for POS {pos_name!r} (auto_register is on). If the reference is "
        "mistyped, every order under it silently goes to a new business: send the reference "
        "LoyaPro gave the merchant, or set auto_register: false so an unknown business is "
        "refused with unknown_business",
        "business.auto_registered",
        severity="warning",
    )


def _redemption_warnings(tx: StoreTx, reference: str, order_id: str, payload: Any) -> list[Violation]:
    """Warnings where a paid order's loyalty discount is not what was redeemed on it."""
    order = mapping(mapping(payload).get("order"))
    redemptions = tx.order_redemptions(reference, order_id)
    elsewhere: dict[str, Row] = {}
    if not redemptions:  # the codes its discount names may have been redeemed on another id
        for code in loyalty_discount(order)[1]:
            active = tx.active_redemption(code)
            if active is not None and active["business_reference"] == reference:
                elsewhere[code] = active
    return redemption_warnings(order, order_id, redemptions, elsewhere)


def _original(
    tx: StoreTx, reference: str, original_id: str | None, violations: list[Violation]
) -> Row | None:
    """The order a return points back to; a violation when it was never sent."""
    original = tx.get_order(reference, original_id) if original_id else None
    if original is None:
        pointer = "/order/original_order/id" if original_id else "/order/original_order"
        what = f"order {original_id} is not known" if original_id else "it has no id"
        violations.append(
            Violation(
                pointer,
                f"a return must point to an order sent before; {what} in business "
                f"{reference}. Send the original order first, or send the return as the same "
                "order with status 5",
                "order.return_unlinked",
            )
        )
    return original
