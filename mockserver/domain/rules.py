"""LoyaPro's business rules on an order webhook, reported like schema violations.

`check_order` is pure: it reads the body and returns every rule the order breaks, sorted by
pointer. Rules that need state (a return linked to a known order) live in the order use case
(`mockserver.domain.usecases.order`).

Rule names are stable (clients and the certification match on them):

- ``order.status``: ``order.status`` is a known Foodics status (1-8).
- ``customer.mobile``: an attached customer has a mobile that can be matched.
- ``money.option_total``: option total = unit price x quantity.
- ``money.line_total``: line total = unit price x quantity + options - line discount.
- ``money.line_tax``: a line's taxes agree with its prices (in the order's pricing mode).
- ``money.subtotal``: subtotal = sum of the lines' tax-exclusive totals.
- ``money.order_total``: total = lines - discount + charges + rounding (+ taxes if exclusive).
- ``money.payments``: a paid order (status 4) carries payments adding up to its total.

Pricing mode: **tax-exclusive** when every line's ``total_price`` equals its
``tax_exclusive_total_price`` (within 0.01) and some tax is > 0; otherwise tax-inclusive.
Amounts are compared after rounding to 5 decimals, with a tolerance of 0.01.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from loyapro_mock.mockserver.domain.customers import normalise_mobile
from loyapro_mock.mockserver.domain.orders import FOODICS_STATUS_NAMES, mapping, number
from loyapro_mock.mockserver.domain.orders import amount_text as _fmt
from loyapro_mock.mockserver.domain.violations import Violation

__all__ = ["TOLERANCE", "check_order", "close", "pricing_mode"]

TOLERANCE = 0.01


def close(a: float, b: float) -> bool:
    """Equal within :data:`TOLERANCE` after rounding to 5 decimals."""
    return abs(round(a, 5) - round(b, 5)) <= TOLERANCE + 1e-9


def _dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _tax_parts(taxes: Any) -> list[tuple[str, float, float]]:
    """(tax key, rate, amount) of each tax with a numeric pivot amount."""
    parts: list[tuple[str, float, float]] = []
    for _, tax in _dicts(taxes):
        pivot = mapping(tax.get("pivot"))
        amount = number(pivot.get("amount"))
        if amount is None:
            continue
        rate = number(pivot.get("rate"))
        rate = rate if rate is not None else number(tax.get("rate"))
        key = str(tax.get("id") or f"rate:{rate}")
        parts.append((key, rate or 0.0, amount))
    return parts


def _line_taxes(line: dict[str, Any]) -> list[tuple[str, float, float]]:
    parts = _tax_parts(line.get("taxes"))
    for _, option in _dicts(line.get("options")):
        parts.extend(_tax_parts(option.get("taxes")))
    return parts


class _Line(NamedTuple):
    """What several rules read from one product line, read once."""

    position: int
    line: dict[str, Any]
    total: float | None
    exclusive: float | None
    taxes: list[tuple[str, float, float]]


def _read_lines(order: dict[str, Any]) -> list[_Line]:
    return [
        _Line(
            i,
            line,
            number(line.get("total_price")),
            number(line.get("tax_exclusive_total_price")),
            _line_taxes(line),
        )
        for i, line in _dicts(order.get("products"))
    ]


def _mode(lines: list[_Line]) -> str:
    if not lines:
        return "inclusive"
    for line in lines:
        if line.total is None or line.exclusive is None or not close(line.total, line.exclusive):
            return "inclusive"
    some_tax = any(amount > 0 for line in lines for _, _, amount in line.taxes)
    return "exclusive" if some_tax else "inclusive"


def pricing_mode(order: dict[str, Any]) -> str:
    """``"exclusive"`` or ``"inclusive"`` (see the module docstring)."""
    return _mode(_read_lines(order))


def _check_status(order: dict[str, Any], out: list[Violation]) -> None:
    status = order.get("status")
    if isinstance(status, bool) or status not in FOODICS_STATUS_NAMES:
        known = ", ".join(f"{k} {v}" for k, v in FOODICS_STATUS_NAMES.items())
        out.append(
            Violation(
                "/order/status",
                f"status {status!r} is not a Foodics order status; use one of {known}",
                "order.status",
            )
        )


def _check_customer(order: dict[str, Any], out: list[Violation]) -> None:
    customer = order.get("customer")
    if not isinstance(customer, dict):
        return
    phone = customer.get("phone")
    dial = customer.get("dial_code")
    try:
        if not isinstance(phone, str | int) or isinstance(phone, bool):
            raise ValueError("the customer has no phone")
        normalise_mobile(phone, dial if isinstance(dial, str | int) else None)
    except ValueError as exc:
        out.append(
            Violation(
                "/order/customer/phone",
                f"the customer cannot be matched: {exc}; send dial_code 966 and phone 557937530",
                "customer.mobile",
            )
        )


def _check_line(i: int, line: dict[str, Any], out: list[Violation]) -> None:
    base = f"/order/products/{i}"
    options_total: float | None = 0.0
    for j, option in _dicts(line.get("options")):
        unit = number(option.get("unit_price"))
        qty = number(option.get("quantity"))
        total = number(option.get("total_price"))
        if total is None:
            options_total = None
            continue
        if options_total is not None:
            options_total += total
        if unit is not None and qty is not None and not close(total, unit * qty):
            out.append(
                Violation(
                    f"{base}/options/{j}/total_price",
                    f"option total_price is {_fmt(total)} but unit_price x quantity = "
                    f"{_fmt(unit)} x {_fmt(qty)} = {_fmt(unit * qty)}; send {_fmt(unit * qty)}",
                    "money.option_total",
                )
            )
    unit = number(line.get("unit_price"))
    qty = number(line.get("quantity"))
    total = number(line.get("total_price"))
    discount = number(line.get("discount_amount")) or 0.0
    if unit is None or qty is None or total is None or options_total is None:
        return
    expected = unit * qty + options_total - discount
    if not close(total, expected):
        out.append(
            Violation(
                f"{base}/total_price",
                f"line total_price is {_fmt(total)} but unit_price x quantity + options - "
                f"discount_amount = {_fmt(unit)} x {_fmt(qty)} + {_fmt(options_total)} - "
                f"{_fmt(discount)} = {_fmt(expected)}; send {_fmt(expected)}",
                "money.line_total",
            )
        )


def _check_line_tax(line: _Line, mode: str, out: list[Violation]) -> None:
    total, exclusive = line.total, line.exclusive
    if total is None or exclusive is None:
        return
    taxes = sum(amount for _, _, amount in line.taxes)
    rates = {key: rate for key, rate, _ in line.taxes}
    if mode == "inclusive":
        expected = total - exclusive
    else:
        expected = sum(rate / 100 * exclusive for rate in rates.values())
    if close(taxes, expected):
        return
    if mode == "inclusive":
        how = (
            f"total_price - tax_exclusive_total_price = {_fmt(total)} - {_fmt(exclusive)} = {_fmt(expected)}"
        )
    else:
        how = (
            f"the rates ({', '.join(_fmt(r) + '%' for r in rates.values())}) of "
            f"tax_exclusive_total_price {_fmt(exclusive)} = {_fmt(expected)}"
        )
    out.append(
        Violation(
            f"/order/products/{line.position}/taxes",
            f"the line's taxes (its own and its options') add up to {_fmt(taxes)} but the "
            f"order is tax-{mode} and {how}",
            "money.line_tax",
        )
    )


def _check_subtotal(order: dict[str, Any], lines: list[_Line], out: list[Violation]) -> None:
    subtotal = number(order.get("subtotal_price"))
    if subtotal is None or any(line.exclusive is None for line in lines):
        return
    expected = sum(line.exclusive or 0.0 for line in lines)
    if not close(subtotal, expected):
        out.append(
            Violation(
                "/order/subtotal_price",
                f"subtotal_price is {_fmt(subtotal)} but the lines' tax_exclusive_total_price "
                f"add up to {_fmt(expected)}; send {_fmt(expected)}",
                "money.subtotal",
            )
        )


def _check_totals(order: dict[str, Any], lines: list[_Line], mode: str, out: list[Violation]) -> None:
    _check_subtotal(order, lines, out)
    total = number(order.get("total_price"))
    if total is None or any(line.total is None for line in lines):
        return
    charges = [c for _, c in _dicts(order.get("charges"))]
    lines_sum = sum(line.total or 0.0 for line in lines)
    discount = number(order.get("discount_amount")) or 0.0
    rounding = number(order.get("rounding_amount")) or 0.0
    charges_sum = sum(number(c.get("amount")) or 0.0 for c in charges)
    expected = lines_sum - discount + charges_sum + rounding
    taxes = 0.0
    if mode == "exclusive":
        taxes = sum(a for line in lines for _, _, a in line.taxes)
        taxes += sum(a for c in charges for _, _, a in _tax_parts(c.get("taxes")))
        expected += taxes
    if not close(total, expected):
        how = (
            f"lines {_fmt(lines_sum)} - discount_amount {_fmt(discount)} + charges "
            f"{_fmt(charges_sum)} + rounding_amount {_fmt(rounding)}"
        )
        if mode == "exclusive":
            how += f" + taxes {_fmt(taxes)}"
        out.append(
            Violation(
                "/order/total_price",
                f"total_price is {_fmt(total)} but the order is tax-{mode}: {how} = "
                f"{_fmt(expected)}; send {_fmt(expected)}",
                "money.order_total",
            )
        )
    if order.get("status") == 4:
        _check_payments(order, total, out)


def _check_payments(order: dict[str, Any], total: float, out: list[Violation]) -> None:
    payments = [p for _, p in _dicts(order.get("payments"))]
    paid = sum(number(p.get("amount")) or 0.0 for p in payments)
    if not payments:
        out.append(
            Violation(
                "/order/payments",
                f"a paid order (status 4) must list its payments, adding up to total_price {_fmt(total)}",
                "money.payments",
            )
        )
    elif not close(paid, total):
        out.append(
            Violation(
                "/order/payments",
                f"payments add up to {_fmt(paid)} but total_price is "
                f"{_fmt(total)}; a paid order's payments must cover its total",
                "money.payments",
            )
        )


def check_order(payload: Any) -> list[Violation]:
    """Every business rule the order webhook ``payload`` breaks, sorted by pointer."""
    body = payload if isinstance(payload, dict) else {}
    order = body.get("order")
    if not isinstance(order, dict):
        return []
    out: list[Violation] = []
    _check_status(order, out)
    _check_customer(order, out)
    lines = _read_lines(order)
    mode = _mode(lines)
    for line in lines:
        _check_line(line.position, line.line, out)
        _check_line_tax(line, mode, out)
    _check_totals(order, lines, mode, out)
    return sorted(out, key=lambda v: (v.pointer, v.rule))
