"""Faulty POS drivers whose messages look right but leave LoyaPro in the wrong state.

Each sends well-formed webhooks; only the mock's state after the session shows the bug, so
the outcome checks (`contracts.inbound.checks_outcomes`) are the ones that catch it.
"""

from __future__ import annotations

import dataclasses
import uuid

import requests
from faulty_parity import RedeemsOnOrderReference

from loyapro_mock.contracts.driver import Driver
from loyapro_mock.contracts.orders import Ticket

#: The docs' sample customer (LoyaPro's example order), in the mock's demo state.
DOCS_CUSTOMER = {"name": "faisal alsalamah - 612344", "dial_code": 966, "mobile": "557937530"}
REWARD_OUTCOMES = frozenset(
    {"outcomes.reward_products", "outcomes.reward_percentage", "outcomes.reward_fixed_amount"}
)
#: Every outcome check: what fails when LoyaPro ends up holding none of the session's sales.
OUTCOMES = REWARD_OUTCOMES | {
    "outcomes.order_paid",
    "outcomes.order_resend",
    "outcomes.order_void",
    "outcomes.order_refund",
    "outcomes.customer_balances",
}


class VoidsUnderANewOrderId(Driver):
    """Deleting a saved order sends the void as a new order (a fresh id): LoyaPro voids an
    order it never saw open, and the order the POS opened stays Initiated."""

    CAUGHT_BY = frozenset({"outcomes.order_void"})

    def void(self, ticket: Ticket) -> requests.Response | None:
        ticket.status = 7
        fresh = dataclasses.replace(ticket, id=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)))
        return self.send_order(fresh)


class ReturnsAnUnlinkedOrder(Driver):
    """Sends a refund as a new return order whose ``original_order`` carries the receipt
    reference instead of the order id LoyaPro knows: the mock refuses it
    (``order.return_unlinked``) and the sale keeps its points."""

    CAUGHT_BY = frozenset({"outcomes.order_refund", "session.no_refusals"})

    def refund(self, ticket: Ticket) -> requests.Response | None:
        ticket.status = 5
        body = self.order_body(ticket, "customer.order.created")
        order = body["order"]
        order["id"] = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        order["original_order"] = {"id": str(ticket.reference), "reference": ticket.reference}
        return self.post("order", body)


class AttachesTheDocsCustomer(Driver):
    """Built from LoyaPro's example order, it attaches the docs' sample customer
    (+966 557937530) to every sale instead of the customer the cashier picked: the session
    customer never earns."""

    CAUGHT_BY = frozenset(
        {
            "outcomes.order_paid",
            "outcomes.order_refund",
            "outcomes.customer_balances",
            "session.customer_identity",
        }
    )

    def attach_customer(self, ticket: Ticket) -> None:
        ticket.customer = dict(DOCS_CUSTOMER)


class ReopensRewardOrdersToReprint(Driver):
    """Reprinting a receipt that carries a reward re-opens the order: the POS sends it void,
    then paid again. LoyaPro releases the code and takes back the points, and the second
    'paid' earns nothing: the order ends Paid with its code released and its points gone."""

    CAUGHT_BY = REWARD_OUTCOMES | {"outcomes.customer_balances"}

    def _reward_step(self, kind: str, offset: int) -> Ticket:
        ticket = super()._reward_step(kind, offset)
        self.void(ticket)
        self.pay(ticket)
        return ticket


OUTCOME_DRIVERS: tuple[type[Driver], ...] = (
    VoidsUnderANewOrderId,
    ReturnsAnUnlinkedOrder,
    AttachesTheDocsCustomer,
    RedeemsOnOrderReference,
    ReopensRewardOrdersToReprint,
)
