"""Reading a Foodics-shaped order webhook into the facts the domain acts on.

Pure functions, no store. They never raise on odd payloads (a ``--lenient`` mock still
processes out-of-contract bodies): a missing or mistyped field reads as "unknown".
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

import orjson

from loyapro_mock.mockserver.domain.customers import normalise_mobile

__all__ = [
    "FOODICS_STATUS_NAMES",
    "LOYAPRO_STATUS",
    "OrderFacts",
    "SoldLine",
    "amount_text",
    "loyapro_status",
    "mapping",
    "number",
    "read_order",
]

#: Foodics order status -> LoyaPro order status.
LOYAPRO_STATUS: dict[int, str] = {
    1: "Initiated",
    2: "Initiated",
    8: "Initiated",
    4: "Paid",
    5: "Refunded",
    3: "Void",
    6: "Void",
    7: "Void",
}
FOODICS_STATUS_NAMES: dict[int, str] = {
    1: "pending",
    2: "active",
    3: "declined",
    4: "closed",
    5: "returned",
    6: "joined",
    7: "void",
    8: "draft",
}


def number(value: Any) -> float | None:
    """A JSON number as float; None for anything else (booleans included)."""
    kind = type(value)  # exact types first: this runs ~30 times an order
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is int and -(2**53) <= value <= 2**53:
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        result = float(value)
    except OverflowError:
        return None
    return result if math.isfinite(result) else None


def amount_text(value: float) -> str:
    """A money amount as messages show it: at most 5 decimals, no trailing zeros (``16``,
    ``20.86957``)."""
    text = f"{round(value, 5):.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty dict."""
    return value if isinstance(value, dict) else {}


def loyapro_status(foodics_status: Any) -> str | None:
    """Initiated / Paid / Refunded / Void for a Foodics status code, None if unknown."""
    if isinstance(foodics_status, bool) or not isinstance(foodics_status, int):
        return None
    return LOYAPRO_STATUS.get(foodics_status)


@dataclass(frozen=True, slots=True)
class SoldLine:
    """One product line as loyalty sees it."""

    product_id: str | None
    sku: str | None
    quantity: float
    returned_quantity: float
    total_price: float


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What the domain reads from one order webhook."""

    order_id: str | None
    business_reference: str | None
    foodics_status: int | None
    status: str | None
    customer: tuple[int, str, str | None] | None  # (dial code, mobile, name)
    original_order_id: str | None
    has_original_order: bool
    total_price: float
    subtotal_price: float
    pre_tax_spend: float
    lines_total: float
    lines: tuple[SoldLine, ...]
    returned_fraction: float  # by value, from lines' returned_quantity (0 when none)
    payload_hash: str

    @property
    def state_key(self) -> str:
        """What must change for a re-sent order not to be a duplicate."""
        who = f"{self.customer[0]}:{self.customer[1]}" if self.customer else "-"
        returned = ",".join(f"{line.returned_quantity:g}" for line in self.lines)
        return f"{self.foodics_status}|{who}|{returned}"


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _customer(order: dict[str, Any]) -> tuple[int, str, str | None] | None:
    customer = order.get("customer")
    if not isinstance(customer, dict):
        return None
    phone = customer.get("phone")
    if not isinstance(phone, str | int) or isinstance(phone, bool):
        return None
    dial = customer.get("dial_code")
    try:
        dial_code, mobile = normalise_mobile(phone, dial if isinstance(dial, str | int) else None)
    except ValueError:
        return None
    name = customer.get("name")
    return dial_code, mobile, name if isinstance(name, str) else None


def _lines(order: dict[str, Any]) -> tuple[SoldLine, ...]:
    lines: list[SoldLine] = []
    products = order.get("products")
    for line in products if isinstance(products, list) else []:
        if not isinstance(line, dict):
            continue
        product = mapping(line.get("product"))
        quantity = number(line.get("quantity")) or 0.0
        returned = min(number(line.get("returned_quantity")) or 0.0, quantity)
        lines.append(
            SoldLine(
                product_id=_text(product.get("id")),
                sku=_text(product.get("sku")),
                quantity=quantity,
                returned_quantity=max(returned, 0.0),
                total_price=number(line.get("total_price")) or 0.0,
            )
        )
    return tuple(lines)


def _returned_fraction(lines: tuple[SoldLine, ...]) -> float:
    value = sum(abs(line.total_price) for line in lines)
    if value > 0:
        returned = sum(
            abs(line.total_price) * line.returned_quantity / line.quantity
            for line in lines
            if line.quantity > 0
        )
        return min(1.0, returned / value)
    quantity = sum(line.quantity for line in lines)
    if quantity <= 0:
        return 0.0
    return min(1.0, sum(line.returned_quantity for line in lines) / quantity)


def _serialised(value: Any) -> bytes:
    """The order as JSON, keys in the order sent (sorting them would cost more than all the
    rest of reading an order)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:  # e.g. integers beyond 64 bits
        return json.dumps(value, default=str).encode()


def read_order(payload: Any, raw: bytes | None = None) -> OrderFacts:
    """Extract `OrderFacts` from an order webhook body (tolerant of any shape).

    ``raw``, the body's bytes as received, is what ``payload_hash`` digests when given (the
    order is serialised for it otherwise).
    """
    body = mapping(payload)
    order = mapping(body.get("order"))
    business = mapping(body.get("business"))
    status = order.get("status")
    foodics_status = (
        status if isinstance(status, int) and not isinstance(status, bool) and abs(status) < 2**31 else None
    )
    original = order.get("original_order")
    original_id = _text(original.get("id")) if isinstance(original, dict) else None
    lines = _lines(order)
    subtotal = number(order.get("subtotal_price")) or 0.0
    discount = number(order.get("tax_exclusive_discount_amount")) or 0.0
    digest = hashlib.sha256(raw if raw is not None else _serialised(order)).hexdigest()
    return OrderFacts(
        order_id=_text(order.get("id")),
        business_reference=_text(business.get("reference")),
        foodics_status=foodics_status,
        status=loyapro_status(foodics_status),
        customer=_customer(order),
        original_order_id=original_id,
        has_original_order=original is not None,
        total_price=number(order.get("total_price")) or 0.0,
        subtotal_price=subtotal,
        pre_tax_spend=max(subtotal - discount, 0.0),
        lines_total=sum(line.total_price for line in lines),
        lines=lines,
        returned_fraction=_returned_fraction(lines),
        payload_hash=digest,
    )
