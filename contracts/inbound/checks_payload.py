"""Inbound checks on the order payload contents the LoyaPro docs list (ORD-01 ... ORD-12).

Each check looks at every order call of the session and names the calls (and the JSON
pointer) where the content is missing or unusable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from loyapro_mock.contracts.findings import Verdict
from loyapro_mock.contracts.inbound.evidence import INBOUND, InboundEvidence, JournalEntry
from loyapro_mock.contracts.inbound.support import cite, lines, number, obj, reproduce
from loyapro_mock.contracts.registry import CheckSpec

DISCOUNT_REASONS = ("Coupon", "Loyalty Redemption")
FOODICS_STATUSES = range(1, 9)

Problem = Callable[[dict[str, Any]], str | None]


def _each_order(evidence: InboundEvidence, problem: Problem, what: str) -> Verdict:
    orders = evidence.orders()
    if not orders:
        return Verdict.not_exercised("the POS sent no order during the session")
    broken: list[tuple[JournalEntry, str]] = []
    for entry in orders:
        found = problem(entry.body if isinstance(entry.body, dict) else {})
        if found:
            broken.append((entry, found))
    if broken:
        entry, text = broken[0]
        return Verdict.failed(
            f"{len(broken)} of {len(orders)} order calls: {text} (first: journal #{entry.id})",
            [item for entry, text in broken for item in cite([entry], text)],
            reproduce(evidence, entry),
        )
    return Verdict.passed(f"{what} on all {len(orders)} order calls", cite(orders[:3]))


def _shown(holder: Any, key: str) -> str:
    """What ``holder[key]`` is, for a message: ``absent``, ``null``, ``''``, ``0``..."""
    if not isinstance(holder, dict) or key not in holder:
        return "absent"
    value = holder[key]
    return "null" if value is None else repr(value)


def _business_reference(body: dict[str, Any]) -> str | None:
    business = body.get("business")
    if not isinstance(business, dict):
        return f"/business is {_shown(body, 'business')}, so there is no business reference"
    if business.get("reference") in (None, ""):
        return f"/business/reference is {_shown(business, 'reference')}"
    return None


def _event_time(body: dict[str, Any]) -> str | None:
    value = number(body.get("timestamp"))
    if value is None:
        return f"/timestamp is {_shown(body, 'timestamp')}, not a number"
    if not 946_684_800 <= value <= 4_102_444_800:  # 2000-01-01 .. 2100-01-01, in seconds
        shown = f"{value:.0f}" if value == int(value) else f"{value:g}"
        guess = " (milliseconds, it seems)" if value > 4_102_444_800 * 100 else ""
        return f"/timestamp {shown} is not a Unix time in seconds{guess}"
    return None


def _branch(body: dict[str, Any]) -> str | None:
    order = obj(body.get("order"))
    branch = order.get("branch")
    if not isinstance(branch, dict):
        return f"/order/branch is {_shown(order, 'branch')}"
    if not branch.get("id"):
        return f"/order/branch/id is {_shown(branch, 'id')}"
    return None


def _line_problem(
    body: dict[str, Any],
    test: Callable[[dict[str, Any]], bool],
    what: Callable[[dict[str, Any]], str],
) -> str | None:
    order = obj(body.get("order"))
    products = lines(order)
    if not products:
        return f"/order/products is {_shown(order, 'products')}, with no product line"
    for index, line in enumerate(products):
        if not test(line):
            return f"/order/products/{index}: {what(line)}"
    return None


def _product_id(body: dict[str, Any]) -> str | None:
    return _line_problem(
        body,
        lambda line: isinstance(line.get("product"), dict) and bool(line["product"].get("id")),
        lambda line: (
            f"product.id is {_shown(line['product'], 'id')}"
            if isinstance(line.get("product"), dict)
            else f"product is {_shown(line, 'product')}"
        ),
    )


def _quantity(body: dict[str, Any]) -> str | None:
    return _line_problem(
        body,
        lambda line: (number(line.get("quantity")) or 0) > 0,
        lambda line: f"quantity is {_shown(line, 'quantity')}, not a number > 0",
    )


def _line_status(body: dict[str, Any]) -> str | None:
    return _line_problem(
        body,
        lambda line: number(line.get("status")) is not None,
        lambda line: f"status is {_shown(line, 'status')}",
    )


def _discount_amount(body: dict[str, Any]) -> str | None:
    order = obj(body.get("order"))
    amount = number(order.get("discount_amount"))
    if amount is None or amount < 0:
        return f"/order/discount_amount is {_shown(order, 'discount_amount')}, not an amount >= 0"
    discount = order.get("discount")
    stated = number(discount.get("amount")) if isinstance(discount, dict) else None
    if stated is not None and abs(stated - amount) > 0.01:
        return f"/order/discount/amount {stated:g} differs from /order/discount_amount {amount:g}"
    return None


def _reason_problem(holder: dict[str, Any], pointer: str) -> str | None:
    amount = number(holder.get("discount_amount")) or 0
    if amount <= 0:
        return None
    discount = holder.get("discount")
    if not isinstance(discount, dict):
        return (
            f"{pointer}/discount_amount is {amount:g} but {pointer}/discount is "
            f"{_shown(holder, 'discount')}, so no reason is given (expected Coupon or Loyalty Redemption)"
        )
    if discount.get("reason") not in DISCOUNT_REASONS:
        return (
            f"{pointer}/discount/reason is {_shown(discount, 'reason')} on a discount of {amount:g}, "
            "expected Coupon or Loyalty Redemption"
        )
    return None


def _discount_reason(body: dict[str, Any]) -> str | None:
    order = obj(body.get("order"))
    found = _reason_problem(order, "/order")
    for index, line in enumerate(lines(order)):
        found = found or _reason_problem(line, f"/order/products/{index}")
    return found


def _order_status(body: dict[str, Any]) -> str | None:
    order = obj(body.get("order"))
    status = order.get("status")
    if isinstance(status, bool) or status not in FOODICS_STATUSES:
        return f"/order/status {status!r} is not a known order status (1-8)"
    return None


def _discounted_orders_exist(evidence: InboundEvidence) -> bool:
    for entry in evidence.orders():
        order = entry.order
        if (number(order.get("discount_amount")) or 0) > 0:
            return True
        if any((number(line.get("discount_amount")) or 0) > 0 for line in lines(order)):
            return True
    return False


def _discount_reason_check(evidence: InboundEvidence) -> Verdict:
    if evidence.orders() and not _discounted_orders_exist(evidence):
        return Verdict.not_exercised("no order call carried a discount")
    return _each_order(evidence, _discount_reason, "every discount names its reason")


# (name, requirement, action, expected, problem finder, what passing means)
_CONTENTS: tuple[tuple[str, str, str, str, Problem, str], ...] = (
    (
        "payload.business_reference",
        "ORD-01",
        "Every order call",
        "business.reference: the POS's business reference",
        _business_reference,
        "business reference present",
    ),
    (
        "payload.event_time",
        "ORD-02",
        "Every order call",
        "timestamp: the event's date and time (Unix seconds)",
        _event_time,
        "event time present",
    ),
    ("payload.branch", "ORD-03", "Every order call", "order.branch with its id", _branch, "branch present"),
    (
        "payload.product_id",
        "ORD-04",
        "Every order line",
        "products[].product.id on every line",
        _product_id,
        "product ids present",
    ),
    (
        "payload.product_quantity",
        "ORD-06",
        "Every order line",
        "products[].quantity > 0 on every line",
        _quantity,
        "quantities present",
    ),
    (
        "payload.product_status",
        "ORD-07",
        "Every order line",
        "products[].status on every line",
        _line_status,
        "line statuses present",
    ),
    (
        "payload.discount_amount",
        "ORD-09",
        "Every order call",
        "order.discount_amount (0 when no discount), equal to order.discount.amount",
        _discount_amount,
        "discount amount present",
    ),
    (
        "payload.order_status",
        "ORD-12",
        "Every order call",
        "order.status: a known order status (maps to Initiated, Paid, Void or Refunded)",
        _order_status,
        "order status known",
    ),
)


def _content_check(problem: Problem, what: str) -> Callable[[InboundEvidence], Verdict]:
    def check(evidence: InboundEvidence) -> Verdict:
        return _each_order(evidence, problem, what)

    return check


for _name, _requirement, _action, _expected, _problem, _what in _CONTENTS:
    INBOUND.add(
        CheckSpec(
            name=_name,
            requirement=_requirement,
            area="Order payload",
            action=_action,
            expected=_expected,
            function=_content_check(_problem, _what),
        )
    )

INBOUND.add(
    CheckSpec(
        name="payload.discount_reason",
        requirement="ORD-10",
        area="Order payload",
        action="Every discounted order or line",
        expected="discount.reason is Coupon or Loyalty Redemption wherever a discount applies",
        function=_discount_reason_check,
    )
)
