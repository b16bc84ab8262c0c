"""Inbound checks on the order webhooks: lifecycle, customer, idempotent re-sends, money.

Every check judges what the POS sent, whatever the mock answered, so one bug fails the
checks about that bug and not the ones downstream of a rejection.
"""

from __future__ import annotations

from collections import defaultdict

from loyapro_mock.contracts.findings import Verdict
from loyapro_mock.contracts.inbound.evidence import INBOUND, InboundEvidence, JournalEntry
from loyapro_mock.contracts.inbound.sales import changed_identifiers, earned, repeated_sales
from loyapro_mock.contracts.inbound.support import PAID, RETURNED, VOID_STATUSES, cite, obj, reproduce
from loyapro_mock.mockserver.domain.rules import check_order


def _has_customer(entry: JournalEntry) -> bool:
    customer = entry.order.get("customer")
    return isinstance(customer, dict) and bool(customer.get("phone") or customer.get("mobile"))


def _by_order(evidence: InboundEvidence) -> dict[str, list[JournalEntry]]:
    grouped: dict[str, list[JournalEntry]] = defaultdict(list)
    for entry in evidence.orders():
        if entry.order_id is not None:
            grouped[entry.order_id].append(entry)
    return grouped


@INBOUND.check(
    "orders.customer_before_paid",
    requirement="POS-03",
    area="Orders",
    action="Attach the session customer to an order, then pay it",
    expected="The customer is on the order in the first paid (status 4) call, not added afterwards",
)
def customer_before_paid(evidence: InboundEvidence) -> Verdict:
    """The customer is attached before the order is paid."""
    late: list[tuple[JournalEntry, JournalEntry]] = []
    attached = []
    for calls in _by_order(evidence).values():
        paid = [entry for entry in calls if entry.order_status == PAID]
        if not paid:
            continue
        first_paid = paid[0]
        if _has_customer(first_paid):
            attached.append(first_paid)
            continue
        later = [entry for entry in calls if entry.id > first_paid.id and _has_customer(entry)]
        if later:
            late.append((first_paid, later[0]))
    if late:
        paid_entry, customer_entry = late[0]
        return Verdict.failed(
            f"{len(late)} orders were sent paid without a customer and got one afterwards; "
            f"order {paid_entry.order_id}: paid in journal #{paid_entry.id}, customer added "
            f"in #{customer_entry.id}",
            cite([entry for pair in late for entry in pair]),
            reproduce(evidence, paid_entry),
        )
    if not attached:
        return Verdict.not_exercised("no paid order carried a customer")
    return Verdict.passed(
        f"paid orders carried their customer when first sent as paid: {len(attached)} of {len(attached)}",
        cite(attached),
    )


def _lifecycle(evidence: InboundEvidence, statuses: tuple[int, ...], what: str) -> Verdict:
    orders = evidence.orders()
    if not orders:
        return Verdict.not_exercised("the POS sent no order during the session")
    matching = [
        entry
        for entry in orders
        if entry.order_status in statuses
        or (what == "refund" and isinstance(entry.order.get("original_order"), dict))
    ]
    if not matching:
        sent = sorted({str(entry.order_status) for entry in orders})
        return Verdict.failed(
            f"no {what} was sent: {len(orders)} order calls with statuses {', '.join(sent)}",
            cite(orders),
        )
    count = len(matching)
    return Verdict.passed(f"{what} sent ({count} call{'s' if count != 1 else ''})", cite(matching))


@INBOUND.check(
    "orders.paid_sent",
    requirement="POS-04",
    area="Orders",
    action="Complete (pay) an order",
    expected="An order call with status 4 (Paid)",
)
def paid_sent(evidence: InboundEvidence) -> Verdict:
    """A completed order is sent."""
    return _lifecycle(evidence, (PAID,), "paid order")


@INBOUND.check(
    "orders.void_sent",
    requirement="POS-04",
    area="Orders",
    action="Delete (void) an order that was already sent",
    expected="An order call with status 7 (Void) or 3 (Declined)",
)
def void_sent(evidence: InboundEvidence) -> Verdict:
    """A deleted order is sent as void."""
    return _lifecycle(evidence, VOID_STATUSES, "void")


@INBOUND.check(
    "orders.refund_sent",
    requirement="POS-04",
    area="Orders",
    action="Cancel (refund) a paid order",
    expected="An order call with status 5 (Returned), or a return order pointing at the original",
)
def refund_sent(evidence: InboundEvidence) -> Verdict:
    """A refunded order is sent."""
    return _lifecycle(evidence, (RETURNED,), "refund")


def _receipt_key(entry: JournalEntry) -> tuple[str, ...] | None:
    order = entry.order
    branch = obj(order.get("branch"))
    parts = (order.get("reference"), order.get("check_number"), order.get("number"))
    if all(part is None for part in parts):
        return None
    return (
        str(branch.get("id")),
        str(order.get("business_date")),
        *(str(part) for part in parts),
        str(entry.order_status),
    )


@INBOUND.check(
    "orders.resend_idempotent",
    requirement="POS-04",
    area="Orders",
    action="Re-send a paid order after a lost answer (network retry)",
    expected="The retry carries the same order id and the same content",
)
def resend_idempotent(evidence: InboundEvidence) -> Verdict:
    """A retried order keeps its id, so LoyaPro can recognise it as the same order.

    A retry that regenerated the order's id (and number and reference) is found by its
    content: the same customer, lines and total paid again moments later under a new id.
    """
    by_receipt: dict[tuple[str, ...], list[JournalEntry]] = defaultdict(list)
    for entry in evidence.orders():
        key = _receipt_key(entry)
        if key is not None:
            by_receipt[key].append(entry)
    renamed = [calls for calls in by_receipt.values() if len({c.order_id for c in calls}) > 1]
    if renamed:
        calls = renamed[0]
        return Verdict.failed(
            f"the same receipt (reference {calls[0].order.get('reference')}, check "
            f"{calls[0].order.get('check_number')}) was sent under {len({c.order_id for c in calls})} "
            f"order ids: {', '.join(sorted({str(c.order_id) for c in calls}))}",
            cite([call for group in renamed for call in group]),
            reproduce(evidence, calls[-1]),
        )
    repeated = repeated_sales(evidence)
    if repeated:
        first, retry = repeated[0][0], repeated[0][1]
        return Verdict.failed(
            f"a paid sale was sent again under new identifiers ({changed_identifiers(first, retry)}): "
            f"order {retry.entry.order_id} (#{retry.entry.id}) repeats order {first.entry.order_id} "
            f"(#{first.entry.id}) for {first.customer} with {first.describe()}, so LoyaPro took it "
            f"for a second sale: it earned {earned(first.entry)}, then {earned(retry.entry)}",
            cite([sale.entry for group in repeated for sale in group]),
            reproduce(evidence, retry.entry),
        )
    resends: list[list[JournalEntry]] = []
    for calls in _by_order(evidence).values():
        by_status: dict[int | None, list[JournalEntry]] = defaultdict(list)
        for call in calls:
            by_status[call.order_status].append(call)
        resends.extend(group for group in by_status.values() if len(group) > 1)
    if not resends:
        return Verdict.not_exercised("no order was re-sent in the same state")
    changed = [
        call
        for group in resends
        for call in group
        if call.order.get("total_price") != group[0].order.get("total_price")
    ]
    if changed:
        return Verdict.failed(
            f"a re-sent order changed its total ({changed[0].order.get('total_price')})",
            cite(changed),
            reproduce(evidence, changed[0]),
        )
    flat = [call for group in resends for call in group[1:]]
    duplicates = [call for call in flat if isinstance(call.response, dict) and call.response.get("duplicate")]
    return Verdict.passed(
        f"re-sends kept their order id: {len(flat)} (the mock saw duplicates: {len(duplicates)})",
        cite(flat),
    )


def _money_check(evidence: InboundEvidence, rules: tuple[str, ...], what: str) -> Verdict:
    orders = evidence.orders()
    if not orders:
        return Verdict.not_exercised("the POS sent no order during the session")
    broken = []
    for entry in orders:
        violations = [v for v in check_order(entry.body) if v.rule in rules]
        if violations:
            broken.append((entry, violations))
    if broken:
        entry, violations = broken[0]
        return Verdict.failed(
            f"{len(broken)} of {len(orders)} orders: {violations[0].pointer}: {violations[0].message}",
            [
                item
                for entry, found in broken
                for item in cite([entry], f"{found[0].rule}: {found[0].message}")
            ],
            reproduce(evidence, entry),
        )
    return Verdict.passed(f"{what} reconcile on all {len(orders)} order calls", cite(orders[:5]))


@INBOUND.check(
    "orders.totals_reconcile",
    requirement="ORD-11",
    area="Money",
    action="Every order call of the session",
    expected="total_price = lines - discount + charges + rounding (+ taxes when tax-exclusive); "
    "a paid order's payments add up to its total",
)
def totals_reconcile(evidence: InboundEvidence) -> Verdict:
    """The order total and the payments agree with the lines."""
    return _money_check(evidence, ("money.order_total", "money.payments"), "order totals")


@INBOUND.check(
    "orders.subtotal_reconciles",
    requirement="ORD-08",
    area="Money",
    action="Every order call of the session",
    expected="subtotal_price = the sum of the lines' tax_exclusive_total_price",
)
def subtotal_reconciles(evidence: InboundEvidence) -> Verdict:
    """The subtotal is the sum of the tax-exclusive line totals."""
    return _money_check(evidence, ("money.subtotal",), "subtotals")


@INBOUND.check(
    "orders.line_prices_reconcile",
    requirement="ORD-05",
    area="Money",
    action="Every order line of the session",
    expected="line total_price (after tax) = unit price x quantity + options - line discount, "
    "and its taxes agree with its tax-exclusive price",
)
def line_prices_reconcile(evidence: InboundEvidence) -> Verdict:
    """Each line's price after tax agrees with its unit price, quantity, options and taxes."""
    return _money_check(evidence, ("money.line_total", "money.option_total", "money.line_tax"), "line prices")
