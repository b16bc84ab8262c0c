"""Faulty variants of the reference POS's cashier flows: each has one realistic bug.

Each class names the inbound checks that must catch its bug (``CAUGHT_BY``); the tests run
the checklist with every variant against the mock and require exactly those checks to fail.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import requests
from faulty_amounts import FAULTY_AMOUNTS
from faulty_outcomes import OUTCOME_DRIVERS, OUTCOMES
from faulty_parity import PARITY_DRIVERS
from faulty_resilience import RESILIENCE_DRIVERS
from faulty_session import (
    RetriesUnderNewIdentifiers,
    ReturnsUnlinkedOrder,
    SendsAnotherBusinessReference,
)

from loyapro_mock.contracts.driver import Driver
from loyapro_mock.contracts.orders import Ticket
from loyapro_mock.contracts.session import SessionReward


class NeverSendsVoids(Driver):
    """Deletes the order on the till but never tells LoyaPro."""

    CAUGHT_BY = frozenset({"orders.void_sent", "outcomes.order_void"})

    def void(self, ticket: Ticket) -> requests.Response | None:
        ticket.status = 7
        return None


class NeverSendsRefunds(Driver):
    """Refunds on the till only."""

    CAUGHT_BY = frozenset({"orders.refund_sent", "outcomes.order_refund"})

    def refund(self, ticket: Ticket) -> requests.Response | None:
        ticket.status = 5
        return None


class TotalsOffByTax(Driver):
    """Sends the pre-tax amount as the order total (and charges it): the mock refuses every
    order, so LoyaPro ends up holding none of them."""

    CAUGHT_BY = OUTCOMES | {"orders.totals_reconcile", "session.no_refusals"}

    def order_body(self, ticket: Ticket, event: str) -> dict[str, Any]:
        body = super().order_body(ticket, event)
        order = body["order"]
        taxes = sum(line["total_price"] - line["tax_exclusive_total_price"] for line in order["products"])
        order["total_price"] = round(order["total_price"] - taxes, 5)
        for payment in order["payments"]:
            payment["amount"] = payment["tendered"] = order["total_price"]
        return body


class RedeemsWithoutLookup(Driver):
    """Trusts what the customer says the code is worth and redeems it straight away."""

    CAUGHT_BY = frozenset({"rewards.lookup_before_redeem"})

    def lookup(self, reward: SessionReward) -> dict[str, Any] | None:
        return {
            "code": reward.code,
            "kind": reward.kind,
            "discount_amount": reward.discount_amount,
            "is_percent": reward.is_percent,
            "max_discount_amount": reward.max_discount_amount,
            "allowed_products": [{"id": product} for product in reward.allowed_products] or None,
        }


class AppliesAnotherDiscount(Driver):
    """Redeems the right amount but puts 2 more off the order."""

    CAUGHT_BY = frozenset({"rewards.discount_matches_order"})

    def apply_discount(
        self, ticket: Ticket, reward: SessionReward, amount: float, product_id: str | None
    ) -> None:
        if product_id is None:
            amount += 2
        super().apply_discount(ticket, reward, amount, product_id)


class PaysBeforeAttachingCustomer(Driver):
    """Takes payment first, then attaches the customer and sends the order again."""

    CAUGHT_BY = frozenset({"orders.customer_before_paid"})

    def pay(self, ticket: Ticket) -> requests.Response:
        customer, ticket.customer = ticket.customer, None
        ticket.status = 4
        self.send_order(ticket)
        ticket.customer = customer
        return self.send_order(ticket)


class RedeemsOneCodeTwice(Driver):
    """Keeps the fixed-amount code on screen and redeems it again for the next order."""

    # the mock refuses the second redeem (409 reward_already_redeemed)
    CAUGHT_BY = frozenset({"rewards.single_use", "session.no_refusals"})

    def step_reward_fixed_amount(self) -> None:
        super().step_reward_fixed_amount()
        ticket = self.new_ticket(self.products(1, 10))
        self.attach_customer(ticket)
        reward = self.session.reward("fixed_amount")
        if self.redeem(reward, ticket, reward.discount_amount):
            self.apply_discount(ticket, reward, reward.discount_amount, None)
        self.pay(ticket)


class OmitsAcceptHeader(Driver):
    """Its HTTP client sends no Accept header."""

    CAUGHT_BY = frozenset({"headers.accept"})

    def post(self, operation: str, body: dict[str, Any]) -> requests.Response:
        url = f"{self.session.mock_url}/pos/1.0.0/{self.session.pos_name}/{operation}"
        headers = {key: value for key, value in self.headers().items() if key != "Accept"}
        request = requests.Request("POST", url, json=body, headers=headers).prepare()
        request.headers.pop("Accept", None)  # a requests.Session would add "*/*"
        response = self.http.send(request, timeout=self.timeout)
        self.log.append(f"{operation} -> {response.status_code}")
        return response


class RetriesAsNewOrder(Driver):
    """Retries a failed send by creating the order again, under a new id."""

    # the retry is a second sale for LoyaPro: the customer earns twice
    CAUGHT_BY = frozenset({"orders.resend_idempotent", "orders.no_duplicate_sales", "outcomes.order_resend"})

    def resend(self, ticket: Ticket) -> requests.Response:
        retry = dataclasses.replace(ticket, id=str(uuid.uuid4()))
        return self.send_order(retry)


class EventTimeInMilliseconds(Driver):
    """Sends the event time as JavaScript's Date.now(): milliseconds, not seconds."""

    CAUGHT_BY = frozenset({"payload.event_time"})

    def order_body(self, ticket: Ticket, event: str) -> dict[str, Any]:
        body = super().order_body(ticket, event)
        body["timestamp"] = body["timestamp"] * 1000
        return body


class OmitsLineStatus(Driver):
    """Leaves the product lines' status out of the payload."""

    CAUGHT_BY = frozenset({"payload.product_status"})

    def order_body(self, ticket: Ticket, event: str) -> dict[str, Any]:
        body = super().order_body(ticket, event)
        for line in body["order"]["products"]:
            del line["status"]
        return body


_ALL: tuple[type[Driver], ...] = (
    NeverSendsVoids,
    NeverSendsRefunds,
    TotalsOffByTax,
    RedeemsWithoutLookup,
    AppliesAnotherDiscount,
    PaysBeforeAttachingCustomer,
    RedeemsOneCodeTwice,
    OmitsAcceptHeader,
    RetriesAsNewOrder,
    EventTimeInMilliseconds,
    OmitsLineStatus,
    SendsAnotherBusinessReference,
    RetriesUnderNewIdentifiers,
    ReturnsUnlinkedOrder,
    *PARITY_DRIVERS,
    *FAULTY_AMOUNTS,
    *OUTCOME_DRIVERS,
    *RESILIENCE_DRIVERS,
)
#: Every faulty driver once (some modules list a driver another module defined).
FAULTY_DRIVERS: tuple[type[Driver], ...] = tuple(dict.fromkeys(_ALL))
