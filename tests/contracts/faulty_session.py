"""Faulty POS drivers whose bugs only show in what LoyaPro ended up with: the session's
identities, the mock's refusals and registrations, a sale counted twice.

Each class names the inbound checks that must catch its bug (``CAUGHT_BY``).
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import requests
from faulty_outcomes import OUTCOMES

from loyapro_mock.contracts.driver import Driver
from loyapro_mock.contracts.orders import Ticket

#: The reference a merchant's settings screen got wrong: 440810 with two digits swapped.
MISTYPED_BUSINESS = 440801
#: The docs' sample customer (faisal alsalamah, +966 557937530).
DOCS_CUSTOMER = {"name": "faisal alsalamah", "dial_code": 966, "mobile": "557937530"}


class SendsAnotherBusinessReference(Driver):
    """The order webhook is configured with a mistyped business reference (440801 for 440810);
    the reward calls use the right one. A mock that registers unknown businesses accepts
    every order, into a business nobody set up."""

    # LoyaPro's session business ends up with none of the sales: every outcome fails too
    CAUGHT_BY = OUTCOMES | {"session.business_identity", "session.no_auto_registration"}

    def business(self) -> dict[str, Any]:
        return {**super().business(), "reference": MISTYPED_BUSINESS}


class RetriesUnderNewIdentifiers(Driver):
    """Retries a send that timed out by building the order again: a new order id, number and
    reference for the same sale, so the customer earns twice."""

    CAUGHT_BY = frozenset({"orders.resend_idempotent", "orders.no_duplicate_sales", "outcomes.order_resend"})

    def resend(self, ticket: Ticket) -> requests.Response:
        retry = dataclasses.replace(
            ticket,
            id=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            reference=self.rng.randint(100000, 999999),
            number=next(self._numbers),
        )
        return self.send_order(retry)


class ReturnsUnlinkedOrder(Driver):
    """Sends a refund as a new return order whose ``original_order`` holds the receipt's
    reference instead of the order's id: the mock refuses it (``order.return_unlinked``),
    so the sale is never reversed."""

    CAUGHT_BY = frozenset({"session.no_refusals", "outcomes.order_refund"})

    def refund(self, ticket: Ticket) -> requests.Response | None:
        ret = dataclasses.replace(
            ticket,
            id=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            number=next(self._numbers),
            status=5,
        )
        body = self.order_body(ret, "customer.order.created")
        body["order"]["original_order"] = {"id": str(ticket.reference)}
        ticket.status = 5
        return self.post("order", body)


FAULTY_SESSION_DRIVERS: tuple[type[Driver], ...] = (
    SendsAnotherBusinessReference,
    RetriesUnderNewIdentifiers,
    ReturnsUnlinkedOrder,
)
