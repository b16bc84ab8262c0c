"""A correct POS performing the cashier checklist against the mock.

Every behaviour a POS can get wrong is one method (headers, the order body, lookup,
redeem, pay, void, re-send, when and how to retry...), so a faulty POS is a subclass that
overrides one of them. The steps have the checklist's ids
(:func:`contracts.checklist.build_checklist`).

Every webhook goes through :meth:`Driver.call`, the retry policy of a careful POS: a call
that got no answer (reset, timeout) or a 5xx is sent again unchanged (the same order id, the
same redemption) after a short backoff, or after ``Retry-After`` when the answer gives one;
a 429 is sent again after ``Retry-After``; a 4xx is final. The resilience steps (the mock
misbehaving on purpose) build their bodies with this module's functions, not with the
overridable methods, so a faulty POS of another step meets the faults the same way the
reference POS does.
"""

from __future__ import annotations

import copy
import itertools
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from loyapro_mock.contracts.orders import LOYALTY, Ticket, TicketLine, order_payload, r5
from loyapro_mock.contracts.reference_pos.backend import default_catalogue
from loyapro_mock.contracts.session import CertSession, SessionCustomer, SessionReward

DOCS_USER_ID = "97c817bd-ff52-4aa9-ad52-f12d14d2996d"
#: How often a call is sent at most, the first time included.
ATTEMPTS = 4
#: The first wait before resending a call that got no answer or a 5xx without Retry-After
#: (doubled on each further attempt).
BACKOFF_SECONDS = 0.1


def business_of(session: CertSession) -> dict[str, Any]:
    """The webhook's ``business`` object for the session."""
    return {"name": f"{session.pos_name} certification", "reference": session.business_reference}


def customer_of(customer: SessionCustomer) -> dict[str, Any]:
    """A session customer as the cashier attaches it to an order."""
    return {"name": customer.name, "dial_code": customer.dial_code, "mobile": customer.mobile}


def lookup_body(session: CertSession, code: str, customer: SessionCustomer) -> dict[str, Any]:
    """The ``/reward`` body of a code typed for ``customer``."""
    return {
        "reward_code": code,
        "business_reference": session.business_reference,
        "customer_mobile_number": customer.mobile,
        "mobile_country_code": str(customer.dial_code),
        "branch_id": session.branch_id,
    }


def redeem_body(
    session: CertSession,
    code: str,
    order_id: str,
    amount: float,
    customer: SessionCustomer,
    product_id: str | None = None,
) -> dict[str, Any]:
    """The ``/redeem`` body of a code confirmed on an order."""
    body: dict[str, Any] = {
        "reward_code": code,
        "business_reference": session.business_reference,
        "order_id": order_id,
        "branch_id": session.branch_id,
        "discount_amount": amount,
        "customer_mobile_number": customer.mobile,
        "mobile_country_code": str(customer.dial_code),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "user_id": DOCS_USER_ID,
    }
    if product_id is not None:
        body["product_id"] = product_id
    return body


def retry_after(response: requests.Response) -> float | None:
    """The seconds an answer's ``Retry-After`` asks for (None when it gives none)."""
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


@dataclass
class StepResult:
    """What happened in one checklist step (for the demo's log)."""

    step: str
    calls: list[str] = field(default_factory=list)
    error: str = ""


class Driver:
    """The reference POS's cashier flows, sending webhooks to the mock as LoyaPro expects."""

    def __init__(
        self,
        session: CertSession,
        token: str,
        catalogue: list[dict[str, Any]] | None = None,
        *,
        seed: int = 0,
        timeout: float = 15.0,
    ) -> None:
        self.session = session
        self.token = token
        self.catalogue = [item for item in (catalogue or default_catalogue()) if item.get("is_active", True)]
        self.http = requests.Session()
        self.timeout = timeout
        # Fresh order ids per session (a real POS never reuses one for another sale), the same
        # ones again for the same seed and journal position.
        self.rng = random.Random(f"{seed}:{session.id}:{session.since_id}")
        self._numbers = itertools.count(1)
        self.sent: dict[str, dict[str, Any]] = {}  # order id -> last body sent
        self.log: list[str] = []
        self.tickets: dict[str, Ticket] = {}
        self.paid_ticket: Ticket | None = None

    # -- transport -------------------------------------------------------------------------

    def headers(self) -> dict[str, str]:
        """The headers of every webhook call."""
        return {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.token}",
        }

    def post(self, operation: str, body: dict[str, Any]) -> requests.Response:
        """POST a webhook body to ``/pos/1.0.0/{pos_name}/{operation}`` once."""
        url = f"{self.session.mock_url}/pos/1.0.0/{self.session.pos_name}/{operation}"
        response = self.http.post(url, json=body, headers=self.headers(), timeout=self.timeout)
        self.log.append(f"{operation} -> {response.status_code}")
        return response

    def call(self, operation: str, body: dict[str, Any]) -> requests.Response | None:
        """Send a webhook with the retry policy; the last answer (None: none came)."""
        attempt = 1
        while True:
            try:
                response: requests.Response | None = self.post(operation, body)
            except (requests.ConnectionError, requests.Timeout):
                self.log.append(f"{operation} -> no answer")
                response = None
            delay = self.retry_delay(response, attempt)
            if delay is None or attempt >= ATTEMPTS:
                return response
            self.pause(delay)
            body = self.retry_body(operation, body, response)
            attempt += 1

    def retry_delay(self, response: requests.Response | None, attempt: int) -> float | None:
        """Seconds to wait before sending the call again; None when the answer is final.

        No answer or a 5xx: ``Retry-After`` when given, else a doubling backoff; a 429:
        ``Retry-After``; anything else (2xx, a 4xx) is final.
        """
        if response is not None and response.status_code < 500 and response.status_code != 429:
            return None
        asked = retry_after(response) if response is not None else None
        return asked if asked is not None else BACKOFF_SECONDS * 2 ** (attempt - 1)

    def retry_body(
        self, operation: str, body: dict[str, Any], response: requests.Response | None
    ) -> dict[str, Any]:
        """The body of the next attempt: the same call, unchanged."""
        return body

    def pause(self, seconds: float) -> None:
        """Wait before the next attempt."""
        time.sleep(seconds)

    # -- orders ----------------------------------------------------------------------------

    def new_ticket(self, products: list[dict[str, Any]]) -> Ticket:
        """Open an order with one line per product."""
        number = next(self._numbers)
        ticket = Ticket(
            id=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            reference=self.rng.randint(100000, 999999),
            number=number,
            lines=[TicketLine(product=dict(product)) for product in products],
        )
        self.tickets[ticket.id] = ticket
        return ticket

    def attach_customer(self, ticket: Ticket) -> None:
        """Attach the session customer (found by mobile on the cashier screen)."""
        ticket.customer = customer_of(self.session.customer)

    def business(self) -> dict[str, Any]:
        """The webhook's ``business`` object."""
        return business_of(self.session)

    def order_body(self, ticket: Ticket, event: str) -> dict[str, Any]:
        """The order webhook body for the ticket's current state."""
        return order_payload(ticket, business=self.business(), branch_id=self.session.branch_id, event=event)

    def send_order(self, ticket: Ticket, event: str = "customer.order.updated") -> requests.Response | None:
        """Send the ticket in its current state."""
        body = self.order_body(ticket, event)
        self.sent[ticket.id] = body
        return self.call("order", body)

    def save(self, ticket: Ticket) -> requests.Response | None:
        """Save an open order (sent as status 1, pending)."""
        ticket.status = 1
        return self.send_order(ticket, "customer.order.created")

    def pay(self, ticket: Ticket) -> requests.Response | None:
        """Take payment: the order is sent with status 4 (closed = paid)."""
        ticket.status = 4
        return self.send_order(ticket)

    def void(self, ticket: Ticket) -> requests.Response | None:
        """Delete the order: sent again with status 7 (void)."""
        ticket.status = 7
        return self.send_order(ticket)

    def refund(self, ticket: Ticket) -> requests.Response | None:
        """Refund the whole order: sent again with status 5 (returned)."""
        ticket.status = 5
        return self.send_order(ticket)

    def resend(self, ticket: Ticket) -> requests.Response | None:
        """Retry the last call for the ticket unchanged (as after a lost answer)."""
        return self.call("order", copy.deepcopy(self.sent[ticket.id]))

    # -- rewards ---------------------------------------------------------------------------

    def lookup(self, reward: SessionReward) -> dict[str, Any] | None:
        """Look the typed code up with LoyaPro; the reward, or None when it cannot be used."""
        response = self.call("reward", lookup_body(self.session, reward.code, self.session.customer))
        return response.json() if response is not None and response.status_code == 200 else None

    def redeem(
        self, reward: SessionReward, ticket: Ticket, amount: float, product_id: str | None = None
    ) -> bool:
        """Tell LoyaPro the cashier confirmed the reward on this order; True when accepted."""
        body = redeem_body(self.session, reward.code, ticket.id, amount, self.session.customer, product_id)
        response = self.call("redeem", body)
        return response is not None and response.status_code == 200

    def discount_for(self, details: dict[str, Any], ticket: Ticket) -> tuple[float, str | None]:
        """The discount a reward gives on this ticket, and the product it applies to (if any)."""
        kind = details.get("kind")
        if kind == "products":
            allowed = [str(item["id"]) for item in details.get("allowed_products") or []]
            chosen = next(
                (line for line in ticket.lines if not allowed or line.product["id"] in allowed),
                None,
            )
            if chosen is None:
                product = next(p for p in self.catalogue if p["id"] in allowed)
                chosen = TicketLine(product=dict(product))
                ticket.lines.append(chosen)
            return r5(float(chosen.product["price"])), str(chosen.product["id"])
        value = float(details.get("discount_amount") or 0)
        if details.get("is_percent") or kind == "percentage":
            amount = round(ticket.total * value / 100, 2)
            cap = details.get("max_discount_amount")
            return (min(amount, float(cap)) if cap else amount), None
        return min(value, ticket.total), None

    def apply_discount(
        self, ticket: Ticket, reward: SessionReward, amount: float, product_id: str | None
    ) -> None:
        """Put the redeemed discount on the order (a product line, or the whole order)."""
        discount = {
            "name": f"LoyaPro {reward.kind}",
            "reason": LOYALTY,
            "reward_code": reward.code,
            "amount": amount,
        }
        if product_id is None:
            ticket.discount = discount
            return
        line = next(line for line in ticket.lines if line.product["id"] == product_id)
        line.discount = discount

    def use_reward(self, kind: str, ticket: Ticket) -> bool:
        """Type the code, look it up, confirm it, redeem it and put the discount on the order."""
        reward = self.session.reward(kind)
        details = self.lookup(reward)
        if details is None:
            return False
        amount, product_id = self.discount_for(details, ticket)
        if not self.redeem(reward, ticket, amount, product_id):
            return False
        self.apply_discount(ticket, reward, amount, product_id)
        return True

    # -- checklist steps -------------------------------------------------------------------

    def products(self, count: int, offset: int = 0) -> list[dict[str, Any]]:
        """``count`` products of the catalogue, starting at ``offset``."""
        return [self.catalogue[(offset + i) % len(self.catalogue)] for i in range(count)]

    def step_order_paid(self) -> None:
        """Sell two products to the customer."""
        ticket = self.new_ticket(self.products(2))
        self.attach_customer(ticket)
        self.pay(ticket)
        self.paid_ticket = ticket

    def step_order_resend(self) -> None:
        """Re-send the paid order."""
        if self.paid_ticket is None:
            raise RuntimeError("step order-paid did not run")
        self.resend(self.paid_ticket)

    def step_order_void(self) -> None:
        """Save an order for the customer, then delete it."""
        ticket = self.new_ticket(self.products(1, 2))
        self.attach_customer(ticket)
        self.save(ticket)
        self.void(ticket)

    def step_order_refund(self) -> None:
        """Sell one product and refund it."""
        ticket = self.new_ticket(self.products(1, 3))
        self.attach_customer(ticket)
        self.pay(ticket)
        self.refund(ticket)

    def _reward_step(self, kind: str, offset: int) -> Ticket:
        ticket = self.new_ticket(self.products(2, offset))
        self.attach_customer(ticket)
        self.use_reward(kind, ticket)
        self.pay(ticket)
        return ticket

    def step_reward_products(self) -> None:
        """Redeem the free-product code."""
        self._reward_step("products", 4)

    def step_reward_percentage(self) -> None:
        """Redeem the percentage code."""
        self._reward_step("percentage", 6)

    def step_reward_fixed_amount(self) -> None:
        """Redeem the fixed-amount code."""
        self._reward_step("fixed_amount", 8)

    # -- resilience steps: the mock misbehaves, the POS copes ---------------------------------

    def _resilience_order(self, products: list[dict[str, Any]]) -> Ticket:
        plan = self.session.resilience
        if plan is None:
            raise RuntimeError("the session has no resilience plan")
        ticket = self.new_ticket(products)
        ticket.customer = customer_of(plan.customer)
        return ticket

    def _send_paid(self, ticket: Ticket) -> requests.Response | None:
        ticket.status = 4
        body = order_payload(ticket, business=business_of(self.session), branch_id=self.session.branch_id)
        return self.call("order", body)

    def step_retry_lost_answer(self) -> None:
        """Sell to the resilience customer: the answer is lost, the retry policy resends."""
        self._send_paid(self._resilience_order(self.products(1, 1)))

    def step_retry_reward(self) -> None:
        """Redeem the resilience code: its lookup meets a 429, its redeem a 5xx after commit."""
        plan = self.session.resilience
        ticket = self._resilience_order(self.products(2, 5))
        assert plan is not None
        found = self.call("reward", lookup_body(self.session, plan.code, plan.customer))
        if found is not None and found.status_code == 200:
            amount = min(float(found.json().get("discount_amount") or 0), ticket.total)
            body = redeem_body(self.session, plan.code, ticket.id, amount, plan.customer)
            redeemed = self.call("redeem", body)
            if redeemed is not None and redeemed.status_code == 200:
                ticket.discount = {
                    "name": "LoyaPro fixed_amount",
                    "reason": LOYALTY,
                    "reward_code": plan.code,
                    "amount": amount,
                }
        self._send_paid(ticket)

    def step_no_retry_refused(self) -> None:
        """Type the code valid only at another branch: refused, shown, not sent again."""
        plan = self.session.resilience
        if plan is None:
            raise RuntimeError("the session has no resilience plan")
        self.call("reward", lookup_body(self.session, plan.refused_code, plan.customer))

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        """The checklist steps by id, in order (the resilience ones when the session has them)."""
        resilience = [
            ("retry-lost-answer", self.step_retry_lost_answer),
            ("retry-reward", self.step_retry_reward),
            ("no-retry-refused", self.step_no_retry_refused),
        ]
        return self.main_steps() + (resilience if self.session.resilience is not None else [])

    def main_steps(self) -> list[tuple[str, Callable[[], None]]]:
        """The steps of LoyaPro's documented requirements, by id, in order."""
        return [
            ("order-paid", self.step_order_paid),
            ("order-resend", self.step_order_resend),
            ("order-void", self.step_order_void),
            ("order-refund", self.step_order_refund),
            ("reward-products", self.step_reward_products),
            ("reward-percentage", self.step_reward_percentage),
            ("reward-fixed-amount", self.step_reward_fixed_amount),
        ]

    def run(self) -> list[StepResult]:
        """Perform every step; a step that raises is recorded and the next one still runs."""
        results = []
        for step_id, step in self.steps():
            before = len(self.log)
            result = StepResult(step_id)
            try:
                step()
            except Exception as exc:
                result.error = f"{type(exc).__name__}: {exc}"
            result.calls = self.log[before:]
            results.append(result)
        return results
