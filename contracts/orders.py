"""Orders as a POS builds them: a ticket (lines, customer, discounts) and its webhook body.

The body takes the docs' example order as its template (branch, staff, device and every
field LoyaPro's example carries) and fills in the ticket: tax-inclusive prices with 15%
VAT, amounts rounded to 5 decimals, so every money identity of the contract holds.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from loyapro_mock.openapi import example_path

VAT_RATE = 15.0
VAT = 1 + VAT_RATE / 100
LOYALTY = "Loyalty Redemption"


def r5(value: float) -> float:
    """Round to the contract's 5 decimals."""
    return round(value + 0.0, 5)


@lru_cache(maxsize=1)
def _template() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(example_path("order").read_text("utf-8"))
    return data


@dataclass
class TicketLine:
    """One product line: a product of the POS's catalogue, a quantity, maybe a discount."""

    product: dict[str, Any]  # id, sku, name, name_localized, price (tax-inclusive)
    quantity: int = 1
    discount: dict[str, Any] | None = None  # name, reason, reward_code, amount
    line_id: str = ""

    @property
    def gross(self) -> float:
        """Unit price x quantity, before the line discount."""
        return r5(float(self.product["price"]) * self.quantity)

    @property
    def discount_amount(self) -> float:
        """The line's discount (0 without one)."""
        return r5(float(self.discount["amount"])) if self.discount else 0.0


@dataclass
class Ticket:
    """An order on the POS, from opening to payment, void or refund."""

    id: str
    reference: int
    number: int
    lines: list[TicketLine] = field(default_factory=list)
    customer: dict[str, Any] | None = None  # name, dial_code, mobile
    status: int = 2  # 1 pending, 2 active, 4 closed (paid), 5 returned, 7 void
    discount: dict[str, Any] | None = None  # order-level: name, reason, reward_code, amount
    opened_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def lines_total(self) -> float:
        """The sum of the lines' totals (after line discounts, tax included)."""
        return r5(sum(line.gross - line.discount_amount for line in self.lines))

    @property
    def discount_amount(self) -> float:
        """The order-level discount (0 without one)."""
        return r5(float(self.discount["amount"])) if self.discount else 0.0

    @property
    def total(self) -> float:
        """What the customer pays: lines minus the order discount, tax included."""
        return r5(self.lines_total - self.discount_amount)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _discount_object(discount: dict[str, Any] | None) -> dict[str, Any] | None:
    if not discount:
        return None
    return {
        "id": None,
        "name": discount.get("name") or discount["reason"],
        "reason": discount["reason"],
        "reward_code": discount.get("reward_code"),
        "amount": r5(float(discount["amount"])),
    }


def _line(ticket: Ticket, index: int, line: TicketLine, template: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(template)
    total = r5(line.gross - line.discount_amount)
    exclusive = r5(total / VAT)
    tax = copy.deepcopy(template["options"][0]["taxes"][0]) if template.get("options") else {}
    tax["pivot"] = {"amount": r5(total - exclusive), "rate": VAT_RATE, "tax_exclusive_discount_amount": None}
    product = body["product"]
    product.update(
        id=line.product["id"],
        sku=line.product.get("sku"),
        name=line.product["name"],
        name_localized=line.product.get("name_localized"),
        price=float(line.product["price"]),
    )
    body.update(
        id=line.line_id or f"{ticket.id}-l{index}",
        options=[],
        taxes=[tax] if tax else [],
        discount=_discount_object(line.discount),
        discount_type=None,
        quantity=line.quantity,
        returned_quantity=0,
        unit_price=float(line.product["price"]),
        discount_amount=line.discount_amount,
        total_price=total,
        tax_exclusive_unit_price=r5(float(line.product["price"]) / VAT),
        tax_exclusive_discount_amount=r5(line.discount_amount / VAT),
        tax_exclusive_total_price=exclusive,
        status=3,
        void_reason="customer changed mind" if ticket.status == 7 else None,
        added_at=_stamp(ticket.opened_at),
        closed_at=_stamp(ticket.opened_at) if ticket.status in (4, 5, 7) else None,
    )
    body["meta"] = {"foodics": {"uuid": body["id"]}}
    return body


def _customer(customer: dict[str, Any] | None, template: dict[str, Any]) -> dict[str, Any] | None:
    if customer is None:
        return None
    body = copy.deepcopy(template)
    body.update(
        id=customer.get("id") or f"cust-{customer['mobile']}",
        name=customer["name"],
        dial_code=int(customer["dial_code"]),
        phone=str(customer["mobile"]),
        email=None,
    )
    return body


def order_payload(
    ticket: Ticket,
    *,
    business: dict[str, Any],
    branch_id: str | None = None,
    event: str = "customer.order.updated",
    timestamp: int | None = None,
) -> dict[str, Any]:
    """The order webhook body for ``ticket`` (a fresh dict every call)."""
    base = copy.deepcopy(_template())
    order = base["order"]
    line_template = order["products"][0]
    if branch_id:
        order["branch"]["id"] = branch_id
    order["products"] = [_line(ticket, i, line, line_template) for i, line in enumerate(ticket.lines)]
    subtotal = r5(sum(line["tax_exclusive_total_price"] for line in order["products"]))
    paid = ticket.status in (4, 5)
    payment = copy.deepcopy(order["payments"][0])
    payment.update(
        id=f"{ticket.id}-pay", amount=ticket.total, tendered=ticket.total, added_at=_stamp(ticket.opened_at)
    )
    closed = ticket.status in (4, 5, 7)
    order.update(
        id=ticket.id,
        reference=ticket.reference,
        check_number=100000 + ticket.number,
        number=ticket.number,
        status=ticket.status,
        customer=_customer(ticket.customer, _template()["order"]["customer"]),
        discount=_discount_object(ticket.discount),
        discount_type=2 if ticket.discount else None,
        discount_amount=ticket.discount_amount,
        tax_exclusive_discount_amount=r5(ticket.discount_amount / VAT),
        subtotal_price=subtotal,
        total_price=ticket.total,
        rounding_amount=0,
        payments=[payment] if paid else [],
        business_date=ticket.opened_at.strftime("%Y-%m-%d"),
        opened_at=_stamp(ticket.opened_at),
        created_at=_stamp(ticket.opened_at),
        updated_at=_stamp(datetime.now(UTC)),
        closed_at=_stamp(ticket.opened_at) if closed else None,
    )
    base["business"] = dict(business)
    base["event"] = event
    base["timestamp"] = int(timestamp if timestamp is not None else datetime.now(UTC).timestamp())
    return base
