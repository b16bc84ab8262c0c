"""Outcome checks: what LoyaPro ended up holding after each checklist step.

The other inbound checks judge the messages; these judge the mock's state after the session
(`contracts.inbound.state`): which order ended in which LoyaPro status, with which customer,
what the ledger kept, which code ended redeemed where. A POS can send well-formed messages
and still leave LoyaPro wrong (a void under a new order id, a return pointing nowhere, every
sale attached to the docs' sample customer): only these checks see it. When the state could
not be read they fail; they never pass on the messages alone.
"""

from __future__ import annotations

import shlex
from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlencode

from loyapro_mock.contracts.findings import Evidence, Verdict
from loyapro_mock.contracts.inbound.evidence import INBOUND, InboundEvidence, JournalEntry
from loyapro_mock.contracts.inbound.sales import repeated_sales
from loyapro_mock.contracts.inbound.state import BALANCE_PROGRAMS, MockState, amounts, state_evidence
from loyapro_mock.contracts.inbound.support import (
    PAID,
    RETURNED,
    VOID_STATUSES,
    cite,
    fmt,
    loyalty_discount,
    obj,
)

_EPSILON = 0.005
_KINDS = {"products": "free-product", "percentage": "percentage", "fixed_amount": "fixed-amount"}


# -- reading the evidence ---------------------------------------------------------------------


def _state(evidence: InboundEvidence) -> MockState | Verdict:
    """The mock's state, or the failing verdict that says why it cannot be graded."""
    state = evidence.state
    if state is None:
        return Verdict.failed("the mock's state was not read after the session: no outcome can be graded")
    if state.error:
        return Verdict.failed(
            f"the mock's state could not be read after the session ({state.error}): no outcome can be graded"
        )
    return state


def _sent_and_state(evidence: InboundEvidence) -> tuple[dict[str, list[JournalEntry]], MockState] | Verdict:
    """The session's order calls by order id and the mock's state, or the verdict when there
    is nothing to grade (no order sent) or the state cannot be read."""
    sent = _sent(evidence)
    if not sent:
        return Verdict.not_exercised("the POS sent no order during the session")
    state = _state(evidence)
    if isinstance(state, Verdict):
        return state
    return sent, state


def _sent(evidence: InboundEvidence) -> dict[str, list[JournalEntry]]:
    """Every order call of the session by order id, oldest first (accepted or not)."""
    grouped: dict[str, list[JournalEntry]] = defaultdict(list)
    for entry in evidence.orders():
        if entry.order_id is not None:
            grouped[entry.order_id].append(entry)
    return dict(grouped)


def _first_accepted(calls: list[JournalEntry]) -> JournalEntry | None:
    return next((call for call in calls if call.accepted), None)


def _is_return(entry: JournalEntry) -> bool:
    return isinstance(entry.order.get("original_order"), dict)


def _earned(order: dict[str, Any], customer_id: int | None = None) -> dict[str, float]:
    """What the order earned (for ``customer_id``, or for whoever it earned for)."""
    return _positive(amounts(order, customer_id=customer_id, kinds=("earn",)))


def _taken(order: dict[str, Any], customer_id: int | None) -> dict[str, float]:
    """What was taken back of what the order earned for ``customer_id`` (positive amounts)."""
    reversed_ = amounts(order, customer_id=customer_id, kinds=("reverse",))
    return {program: -value for program, value in reversed_.items() if value < -_EPSILON}


def _who(customer: Any) -> str:
    """``+966 557937530 (faisal)``, or ``no customer``."""
    if not isinstance(customer, dict):
        return "no customer"
    name = f" ({customer['name']})" if customer.get("name") else ""
    return f"+{customer.get('mobile_country_code')} {customer.get('customer_mobile_number')}{name}"


def _session_who(evidence: InboundEvidence) -> str:
    customer = evidence.session.customer
    return f"{customer.international} ({customer.name})"


def _amounts_text(values: dict[str, float]) -> str:
    """``20 points, 1 stamp, 1.04 cashback`` (``nothing`` when empty or all zero)."""
    parts = []
    for program in BALANCE_PROGRAMS:
        value = values.get(program, 0.0)
        if abs(value) < _EPSILON:
            continue
        unit = program[:-1] if program != "cashback" and abs(value) == 1 else program
        parts.append(f"{fmt(value)} {unit}")
    return ", ".join(parts) or "nothing"


def _positive(values: dict[str, float]) -> dict[str, float]:
    return {program: value for program, value in values.items() if value > _EPSILON}


def _refusal(entry: JournalEntry) -> str:
    """``HTTP 422 business_rule_violated (order.return_unlinked)``: why the mock refused a call."""
    code = entry.response.get("code") if isinstance(entry.response, dict) else None
    rules = sorted({str(v.get("rule")) for v in entry.violations if v.get("rule")})
    text = f"HTTP {entry.status}" + (f" {code}" if code else "")
    return text + (f" ({', '.join(rules)})" if rules else "")


def _refused_orders(sent: dict[str, list[JournalEntry]], state: MockState) -> list[JournalEntry]:
    """The last call of each session order the mock refused every time (so holds nothing of)."""
    return [
        calls[-1]
        for order_id, calls in sent.items()
        if state.order(order_id) is None and not any(call.accepted for call in calls)
    ]


def _held_summary(evidence: InboundEvidence, state: MockState) -> str:
    """What the mock holds of the session's orders: ``A Paid, B Void; refused: C (HTTP 422 ...)``."""
    sent = _sent(evidence)
    held = [
        f"{order_id} {state.orders[order_id].get('status')}" for order_id in sent if order_id in state.orders
    ]
    refused = [f"{entry.order_id} ({_refusal(entry)})" for entry in _refused_orders(sent, state)]
    parts = []
    if held:
        parts.append("LoyaPro holds " + ", ".join(held[:8]) + (" ..." if len(held) > 8 else ""))
    if refused:
        parts.append("the mock refused " + ", ".join(refused[:4]) + (" ..." if len(refused) > 4 else ""))
    return "; ".join(parts) or "LoyaPro holds none of them"


def _order_evidence(state: MockState, orders: Iterable[dict[str, Any]], note: str = "") -> list[Evidence]:
    cited = []
    for order in list(orders)[:10]:
        customer = _who(order.get("customer"))
        summary = f"{order.get('status')}, customer {customer}" + (f": {note}" if note else "")
        cited.append(state_evidence(f"order {order.get('id')}", summary))
    return cited


def _calls(evidence: InboundEvidence, order_ids: Iterable[str]) -> list[JournalEntry]:
    wanted = set(order_ids)
    return [entry for entry in evidence.orders() if entry.order_id in wanted]


def _reproduce(evidence: InboundEvidence, state: MockState, order_id: str | None = None) -> str:
    """The admin call that shows what the mock holds (of one order when ``order_id`` is given)."""
    session = evidence.session
    query = state.orders_query
    if order_id is not None:
        query = urlencode({"business": session.business_reference, "id": order_id})
    url = f"{session.mock_url.rstrip('/')}/__admin/orders?{query}"
    return f"curl -s {shlex.quote(url)} | jq '.orders'"


def _reproduce_code(evidence: InboundEvidence, code: str) -> str:
    url = f"{evidence.session.mock_url.rstrip('/')}/__admin/rewards/{quote(code, safe='')}"
    return f"curl -s {shlex.quote(url)} | jq"


# -- order-paid -------------------------------------------------------------------------------


def _voids(evidence: InboundEvidence, order_id: str) -> list[JournalEntry]:
    """The accepted calls that sent ``order_id`` as void (or declined)."""
    return [
        entry
        for entry in evidence.orders()
        if entry.order_id == order_id and entry.accepted and entry.order_status in VOID_STATUSES
    ]


def _taken_text(taken: dict[str, float], earned: dict[str, float]) -> str:
    if all(abs(taken.get(p, 0.0) - v) < _EPSILON for p, v in earned.items()):
        return f"all it earned ({_amounts_text(earned)}) was taken back"
    return f"{_amounts_text(taken)} of the {_amounts_text(earned)} it earned was taken back"


def _sale_problem(evidence: InboundEvidence, state: MockState, order: dict[str, Any]) -> str | None:
    """Why a Paid sale does not leave the session customer with what it earned (None: it does)."""
    customer = order.get("customer")
    if not isinstance(customer, dict):
        return "ends Paid with no customer attached, so nobody earned on it"
    if customer.get("id") != state.customer_id:
        return f"ends Paid attached to the customer {_who(customer)}, not the session customer"
    earned = _earned(order, state.customer_id)
    if not earned and (order.get("total_price") or 0) > 0:
        return "ends Paid with the session customer, who earned nothing on it"
    taken = _taken(order, state.customer_id)
    if taken and not state.returns_of(str(order.get("id"))):
        voids = _voids(evidence, str(order.get("id")))
        why = (
            f"it was sent void in journal #{voids[0].id}, then paid again"
            if voids
            else "no return points to it"
        )
        return f"ends Paid, but {_taken_text(taken, earned)} ({why})"
    return None


@INBOUND.check(
    "outcomes.order_paid",
    requirement="POS-04",
    area="Outcomes",
    action="Sell to the session customer and take payment (step order-paid)",
    expected="An order of the session ends Paid in LoyaPro, attached to the session customer, "
    "who keeps what it earned (earn entries in their ledger, none taken back)",
)
def order_paid(evidence: InboundEvidence) -> Verdict:
    """A sale ends Paid with the session customer, who earned on it."""
    read = _sent_and_state(evidence)
    if isinstance(read, Verdict):
        return read
    sent, state = read
    sales = state.sales()
    if not sales:
        return Verdict.failed(
            f"no order of the session ends Paid in LoyaPro: {_held_summary(evidence, state)}",
            cite([calls[-1] for calls in sent.values()]),
            _reproduce(evidence, state),
        )
    judged = [(order, _sale_problem(evidence, state, order)) for order in sales]
    good = [order for order, problem in judged if problem is None]
    if not good:
        order, problem = judged[0]
        more = f" (and {len(judged) - 1} more Paid orders like it)" if len(judged) > 1 else ""
        return Verdict.failed(
            f"no order of the session ends Paid with the session customer {_session_who(evidence)} "
            f"keeping its earnings: order {order['id']} {problem}{more}",
            cite(_calls(evidence, [str(o["id"]) for o in sales]))
            + _order_evidence(state, [o for o, _ in judged]),
            _reproduce(evidence, state, str(order["id"])),
        )
    first = good[0]
    earned = _earned(first, state.customer_id)
    return Verdict.passed(
        f"{len(good)} session orders end Paid with the session customer {_session_who(evidence)}, "
        f"who kept what they earned (order {first['id']}: {_amounts_text(earned)})",
        cite(_calls(evidence, [str(first["id"])])) + _order_evidence(state, good),
    )


# -- order-resend -----------------------------------------------------------------------------


def _receipt(entry: JournalEntry) -> tuple[str, ...] | None:
    """The receipt an order call is for (branch, business date, reference, check, number)."""
    order = entry.order
    parts = (order.get("reference"), order.get("check_number"), order.get("number"))
    if all(part is None for part in parts):
        return None
    return (str(obj(order.get("branch")).get("id")), str(order.get("business_date")), *map(str, parts))


def _earn_counts(order: dict[str, Any]) -> dict[str, int]:
    """How many earn entries the order has, per program (1 each when it earned once)."""
    counts: dict[str, int] = defaultdict(int)
    for entry in order.get("ledger") or []:
        if (
            isinstance(entry, dict)
            and entry.get("kind") == "earn"
            and entry.get("program") in BALANCE_PROGRAMS
        ):
            counts[str(entry["program"])] += 1
    return dict(counts)


@INBOUND.check(
    "outcomes.order_resend",
    requirement="POS-04",
    area="Outcomes",
    action="Re-send a paid order, as after a lost answer (step order-resend)",
    expected="LoyaPro still holds the sale once: one order per receipt, which earned once",
)
def order_resend(evidence: InboundEvidence) -> Verdict:
    """A retried sale changes nothing in LoyaPro: no second order, no second earning."""
    paid = [entry for entry in evidence.orders() if entry.order_status == PAID and not _is_return(entry)]
    by_id: dict[str, list[JournalEntry]] = defaultdict(list)
    by_receipt: dict[tuple[str, ...], list[JournalEntry]] = defaultdict(list)
    for entry in paid:
        by_id[str(entry.order_id)].append(entry)
        key = _receipt(entry)
        if key is not None:
            by_receipt[key].append(entry)
    resent = {order_id: calls for order_id, calls in by_id.items() if len(calls) > 1}
    split = [calls for calls in by_receipt.values() if len({call.order_id for call in calls}) > 1]
    # a retry that regenerated every identifier is still the same sale (customer, lines, total)
    split += [[sale.entry for sale in group] for group in repeated_sales(evidence)]
    if not resent and not split:
        return Verdict.not_exercised("no paid order was sent twice (by order id or by receipt)")
    state = _state(evidence)
    if isinstance(state, Verdict):
        return state
    for calls in split:
        ids = list(dict.fromkeys(str(call.order_id) for call in calls))
        earning = [state.orders[i] for i in ids if i in state.orders and _earned(state.orders[i])]
        if len(earning) > 1:
            order = calls[0].order
            each = ", ".join(f"{o['id']} ({_amounts_text(_earned(o))})" for o in earning)
            references = list(dict.fromkeys(str(call.order.get("reference")) for call in calls))
            sale = (
                f"the receipt reference {order.get('reference')} (check {order.get('check_number')})"
                if len(references) == 1
                else f"one sale, sent under the references {', '.join(references)},"
            )
            return Verdict.failed(
                f"{sale} is held by LoyaPro as {len(earning)} paid orders that each earned: {each}; "
                "the customer earned on the same sale more than once",
                cite(calls) + _order_evidence(state, earning),
                _reproduce(evidence, state),
            )
    for order_id, calls in resent.items():
        held = state.order(order_id)
        if held is None:
            refused = _refusal(calls[-1])
            where = (
                ""
                if not calls[-1].accepted
                else f" in the session's business {evidence.session.business_reference}"
            )
            return Verdict.failed(
                f"order {order_id} was sent paid {len(calls)} times but LoyaPro holds no such order{where} "
                f"(the mock answered {refused})",
                cite(calls),
                _reproduce(evidence, state, order_id),
            )
        twice = {program: n for program, n in _earn_counts(held).items() if n > 1}
        if twice:
            return Verdict.failed(
                f"order {order_id} was sent paid {len(calls)} times and earned "
                + ", ".join(f"{program} {n} times" for program, n in twice.items()),
                cite(calls) + _order_evidence(state, [held]),
                _reproduce(evidence, state, order_id),
            )
    order_id, calls = next(iter(resent.items())) if resent else (str(split[0][0].order_id), split[0])
    held = state.order(order_id) or {}
    return Verdict.passed(
        f"order {order_id} was sent paid {len(calls)} times; LoyaPro holds it once "
        f"({held.get('status')}) and it earned once ({_amounts_text(_earned(held))})",
        cite(calls) + _order_evidence(state, [held] if held else []),
    )


# -- order-void -------------------------------------------------------------------------------


def _void_problem(order: dict[str, Any]) -> str | None:
    """Why a Void order still counts for something (None when it keeps nothing)."""
    earned = _earned(order)
    reversed_any = any(isinstance(e, dict) and e.get("kind") == "reverse" for e in order.get("ledger") or [])
    if earned and not reversed_any:
        return f"ends Void but keeps the {_amounts_text(earned)} it earned"
    still = [
        str(r.get("reward_code")) for r in order.get("redemptions") or [] if r.get("status") == "redeemed"
    ]
    if still:
        return f"ends Void but code {', '.join(still)} is still redeemed on it (not released)"
    return None


@INBOUND.check(
    "outcomes.order_void",
    requirement="POS-04",
    area="Outcomes",
    action="Open an order, save it, then delete (void) it (step order-void)",
    expected="An order the POS opened (first seen not void) ends Void in LoyaPro, anything it "
    "earned reversed and codes redeemed on it released; no order the POS opened during the "
    "session is left Initiated",
)
def order_void(evidence: InboundEvidence) -> Verdict:
    """The order the POS opened is the order that ends Void."""
    read = _sent_and_state(evidence)
    if isinstance(read, Verdict):
        return read
    sent, state = read
    opened: dict[str, JournalEntry] = {}
    born_void: dict[str, JournalEntry] = {}
    for order_id, calls in sent.items():
        first = _first_accepted(calls)
        if first is not None:
            (born_void if first.order_status in VOID_STATUSES else opened)[order_id] = first
    left_open = [i for i in opened if (state.order(i) or {}).get("status") == "Initiated"]
    if left_open:
        order_id = left_open[0]
        text = (
            f"order {order_id}, opened in journal #{opened[order_id].id} (status "
            f"{opened[order_id].order_status}), is left Initiated in LoyaPro"
        )
        if len(left_open) > 1:
            text += f" (and {len(left_open) - 1} more opened orders)"
        if born_void:
            void_id, void_entry = next(iter(born_void.items()))
            text += (
                f"; a void was sent under another order id, {void_id} (journal #{void_entry.id}), "
                "which the mock first saw already void, so it voided nothing the POS had opened"
            )
        cited = cite(_calls(evidence, [*left_open, *born_void]))
        held = [state.orders[i] for i in [*left_open, *born_void] if i in state.orders]
        return Verdict.failed(
            text, cited + _order_evidence(state, held), _reproduce(evidence, state, order_id)
        )
    voided = [state.orders[i] for i in opened if (state.order(i) or {}).get("status") == "Void"]
    if not voided:
        text = f"no order the POS opened during the session ends Void: {_held_summary(evidence, state)}"
        if born_void:
            text += "; voids went only to order ids the mock first saw already void: " + ", ".join(born_void)
        return Verdict.failed(text, cite([calls[-1] for calls in sent.values()]), _reproduce(evidence, state))
    judged = [(order, _void_problem(order)) for order in voided]
    good = [order for order, problem in judged if problem is None]
    if not good:
        order, problem = judged[0]
        return Verdict.failed(
            f"order {order['id']} {problem}",
            cite(_calls(evidence, [str(order["id"])])) + _order_evidence(state, [order]),
            _reproduce(evidence, state, str(order["id"])),
        )
    done = good[0]
    released = [str(r.get("reward_code")) for r in done.get("redemptions") or []]
    return Verdict.passed(
        f"order {done['id']}, opened in journal #{opened[str(done['id'])].id}, ends Void "
        f"keeping nothing (codes released: {', '.join(released) or 'none redeemed on it'}); "
        "no order of the session is left Initiated",
        cite(_calls(evidence, [str(done["id"])])) + _order_evidence(state, good),
    )


# -- order-refund -----------------------------------------------------------------------------


def _refund_problem(state: MockState, order: dict[str, Any], how: str) -> str | None:
    """Why a refunded order did not take back the session customer's earnings (None: it did)."""
    earned = _earned(order, state.customer_id)
    if not earned:
        others = _earned(order)
        if others:
            return (
                f"{how}, but what it earned ({_amounts_text(others)}) was the customer "
                f"{_who(order.get('customer'))}'s, not the session customer's"
            )
        return f"{how}, but the session customer never earned on it (it was not paid with them)"
    taken = _taken(order, state.customer_id)
    if not taken:
        return f"{how}, but the session customer kept the {_amounts_text(earned)} it earned"
    return None


def _refund_how(returns: list[dict[str, Any]]) -> str:
    """How an order was refunded: by return orders linked to it, or by its own status 5."""
    if returns:
        return f"is returned by order {', '.join(str(r['id']) for r in returns)}"
    return "ends Refunded"


def _refund_attempts(evidence: InboundEvidence) -> list[JournalEntry]:
    """The session's order calls that refund: status 5, or a return order (``original_order``)."""
    return [entry for entry in evidence.orders() if entry.order_status == RETURNED or _is_return(entry)]


def _kept_on(evidence: InboundEvidence, state: MockState, attempts: list[JournalEntry]) -> str:
    """Which sale the refund left alone and what the session customer kept on it: the paid
    order a refund call names (by id, original order or receipt), else the last one paid
    before the first refund call."""
    paid = [
        o
        for o in state.sales()
        if _positive(amounts(o, customer_id=state.customer_id, kinds=("earn", "reverse")))
    ]
    if not paid:
        return "and the session customer holds no earnings from a paid session order either"
    sent = _sent(evidence)
    target = None
    for attempt in attempts:
        original = obj(attempt.order.get("original_order")).get("id")
        receipt = (attempt.order.get("reference"), attempt.order.get("number"))
        for order in paid:
            calls = sent.get(str(order["id"]), [])
            same_receipt = any((c.order.get("reference"), c.order.get("number")) == receipt for c in calls)
            if str(order["id"]) in (str(original), attempt.order_id) or same_receipt:
                target = order
    before = attempts[0].id if attempts else None
    if target is None:
        earlier = [
            o for o in paid if before is None or any(c.id < before for c in sent.get(str(o["id"]), []))
        ]
        target = (earlier or paid)[-1]
    kept = _positive(amounts(target, customer_id=state.customer_id, kinds=("earn", "reverse")))
    first_paid = next((c for c in sent.get(str(target["id"]), []) if c.order_status == PAID), None)
    where = f", paid in journal #{first_paid.id}," if first_paid else ""
    return (
        f"the session customer kept the {_amounts_text(kept)} earned on order {target['id']}{where} "
        "which ends Paid"
    )


@INBOUND.check(
    "outcomes.order_refund",
    requirement="POS-04",
    area="Outcomes",
    action="Refund a paid order (step order-refund)",
    expected="An order that was Paid ends Refunded in LoyaPro (fully or partly: status 5 on the "
    "order, or a return order linked to it) and the session customer's earnings on it are reversed",
)
def order_refund(evidence: InboundEvidence) -> Verdict:
    """The refund reaches the order it refunds, and takes back what it earned."""
    read = _sent_and_state(evidence)
    if isinstance(read, Verdict):
        return read
    sent, state = read
    refunded = []
    for order in state.orders.values():
        if order.get("original_order_id"):
            continue
        returns = state.returns_of(str(order["id"]))
        if order.get("status") == "Refunded" or returns:
            refunded.append((order, returns))
    attempts = _refund_attempts(evidence)
    if not refunded:
        refused = [entry for entry in attempts if not entry.accepted]
        if refused:
            entry = refused[-1]
            original = obj(entry.order.get("original_order")).get("id")
            what = f"order {entry.order_id}" + (f" (a return of order {original})" if original else "")
            text = (
                f"no order of the session ends Refunded and nothing was reversed: the mock refused "
                f"the refund, {what} -> {_refusal(entry)}"
            )
        elif attempts:
            text = (
                "no order of the session ends Refunded: the refund calls reached no paid order "
                f"({_held_summary(evidence, state)})"
            )
        else:
            held = _held_summary(evidence, state)
            text = f"no order of the session ends Refunded: no refund was sent ({held})"
        return Verdict.failed(
            f"{text}; {_kept_on(evidence, state, attempts)}",
            cite(attempts or [calls[-1] for calls in sent.values()]),
            _reproduce(evidence, state),
        )
    judged = [
        (order, returns, _refund_problem(state, order, _refund_how(returns))) for order, returns in refunded
    ]
    good = [(order, returns) for order, returns, problem in judged if problem is None]
    if not good:
        order, returns, problem = judged[0]
        ids = [str(order["id"]), *(str(r["id"]) for r in returns)]
        return Verdict.failed(
            f"order {order['id']} {problem}",
            cite(_calls(evidence, ids)) + _order_evidence(state, [order, *returns]),
            _reproduce(evidence, state, str(order["id"])),
        )
    order, returns = good[0]
    earned = _earned(order, state.customer_id)
    taken = _taken(order, state.customer_id)
    how = _refund_how(returns)
    return Verdict.passed(
        f"order {order['id']} {how} ({fmt(float(order.get('reversed_fraction') or 0) * 100)}% of it); "
        f"the session customer's earnings on it were reversed: {_amounts_text(taken)} of the "
        f"{_amounts_text(earned)} it earned",
        cite(_calls(evidence, [str(order["id"]), *(str(r["id"]) for r in returns)]))
        + _order_evidence(state, [order, *returns]),
    )


# -- reward steps -----------------------------------------------------------------------------


def _code_calls(evidence: InboundEvidence, code: str) -> list[JournalEntry]:
    """The session's calls naming ``code``: lookups, redeems, orders whose discount names it."""
    return [
        entry
        for entry in evidence.entries
        if entry.reward_code == code
        or (entry.operation == "order" and code in loyalty_discount(entry.order)[1])
    ]


def _reward_outcome(evidence: InboundEvidence, kind: str) -> Verdict:
    try:
        code = evidence.session.reward(kind).code
    except KeyError:
        return Verdict.not_exercised(f"the session issued no {kind} code")
    state = _state(evidence)
    if isinstance(state, Verdict):
        return state
    calls = _code_calls(evidence, code)
    reward = state.reward(code)
    status = reward.get("status")
    redemptions = state.redemptions(code)
    active = [r for r in redemptions if r.get("status") == "redeemed"]
    code_evidence = [
        state_evidence(
            f"code {code}",
            f"{status}; redemptions: "
            + (", ".join(f"{r.get('order_id')} {r.get('status')}" for r in redemptions) or "none"),
        )
    ]
    if status == "redeemed" and active:
        redemption = active[-1]
        order_id = str(redemption.get("order_id"))
        order = state.order(order_id)
        cited = cite(calls) + code_evidence + _order_evidence(state, [order] if order else [])
        if order is None:
            sent = _sent(evidence).get(order_id)
            why = (
                "the POS sent no order with that id during the session"
                if not sent
                else f"the mock refused it ({_refusal(sent[-1])})"
                if not sent[-1].accepted
                else f"the mock accepted it ({_refusal(sent[-1])}) but not in the session's business "
                f"{evidence.session.business_reference}"
            )
            return Verdict.failed(
                f"code {code} ends redeemed on order {order_id}, which LoyaPro does not hold: {why}",
                cited + cite(sent or []),
                _reproduce_code(evidence, code),
            )
        if order.get("status") != "Paid":
            return Verdict.failed(
                f"code {code} ends redeemed on order {order_id}, which ends {order.get('status')} in "
                "LoyaPro, not Paid",
                cited,
                _reproduce(evidence, state, order_id),
            )
        return Verdict.passed(
            f"code {code} ends redeemed on order {order_id} ({fmt(redemption.get('discount_amount'))} off), "
            "which ends Paid",
            cited,
        )
    if not calls and status == "issued" and not redemptions:
        return Verdict.not_exercised(f"code {code} was never used: no lookup, redeem or order names it")
    if not reward:
        text = f"LoyaPro holds no code {code}"
    elif redemptions:
        last = redemptions[-1]
        order_id = str(last.get("order_id"))
        order = state.order(order_id)
        voids = _voids(evidence, order_id)
        text = f"code {code} ends {status}: its redemption on order {order_id} was {last.get('status')}"
        if voids:
            text += f" when the order was sent void (journal #{voids[0].id})"
        if order is not None:
            text += f"; order {order_id} ends {order.get('status')}"
        text += ", and the code was not redeemed on a paid order again"
        calls = calls + voids
    else:
        refused = [entry for entry in calls if entry.operation == "redeem" and not entry.accepted]
        why = f" (the mock refused its redeem: {_refusal(refused[-1])})" if refused else ""
        text = f"code {code} ends {status}: it was never redeemed{why}"
    return Verdict.failed(text, cite(calls) + code_evidence, _reproduce_code(evidence, code))


def _reward_check(kind: str) -> None:
    words = _KINDS[kind]

    @INBOUND.check(
        f"outcomes.reward_{kind}",
        requirement="POS-08",
        area="Outcomes",
        action=f"Redeem the session's {words} code on an order and take payment "
        f"(step reward-{kind.replace('_', '-')})",
        expected=f"The {words} code ends redeemed in LoyaPro on an order of the session that ends Paid",
    )
    def reward_outcome(evidence: InboundEvidence) -> Verdict:
        return _reward_outcome(evidence, kind)

    reward_outcome.__doc__ = f"The {words} code ends redeemed on a paid order."


for _kind in _KINDS:
    _reward_check(_kind)


# -- the session customer's balances ----------------------------------------------------------


def _net(orders: Iterable[dict[str, Any]], customer_id: int | None) -> dict[str, float]:
    """What the orders' ledger entries moved, per program, for ``customer_id``."""
    total: dict[str, float] = defaultdict(float)
    for order in orders:
        for program, value in amounts(order, customer_id=customer_id).items():
            total[program] += value
    return dict(total)


@INBOUND.check(
    "outcomes.customer_balances",
    requirement="POS-03",
    area="Outcomes",
    action="Every sale of the session, to the session customer",
    expected="Every paid sale earned for the session customer and they kept it; their balances "
    "equal what the Paid and Refunded session orders left in their ledger (void and open orders "
    "leave nothing)",
)
def customer_balances(evidence: InboundEvidence) -> Verdict:
    """The session customer ends with what their sales earned them, and only that."""
    paid_sent = [entry for entry in evidence.orders() if entry.order_status == PAID and not _is_return(entry)]
    if not paid_sent:
        return Verdict.not_exercised("the POS sent no paid order during the session")
    state = _state(evidence)
    if isinstance(state, Verdict):
        return state
    me, who = state.customer_id, _session_who(evidence)
    balances = state.balances
    sales = state.sales()
    if not sales:
        return Verdict.failed(
            f"no sale of the session ends Paid, so the session customer {who} earned nothing "
            f"(balances: {_amounts_text(balances)}): {_held_summary(evidence, state)}",
            cite(paid_sent),
            _reproduce(evidence, state),
        )
    elsewhere: dict[str, list[str]] = defaultdict(list)
    unkept: list[tuple[dict[str, Any], str]] = []
    for order in sales:
        customer = order.get("customer")
        if not isinstance(customer, dict) or customer.get("id") != me:
            elsewhere[_who(customer)].append(str(order["id"]))
            continue
        problem = _sale_problem(evidence, state, order)
        if problem is not None:
            unkept.append((order, problem))
    counted = [o for o in state.orders.values() if o.get("status") in ("Paid", "Refunded")]
    session_net = _net(counted, me)
    standing = f"{_amounts_text(balances)}, of which {_amounts_text(session_net)} from this session"
    if elsewhere:
        count = sum(len(ids) for ids in elsewhere.values())
        went = "; ".join(f"to {name}: orders {', '.join(ids)}" for name, ids in elsewhere.items())
        return Verdict.failed(
            f"{count} of {len(sales)} paid session orders went to another customer, so the session "
            f"customer {who} earned nothing on them ({went}); the session customer's balances: "
            f"{standing}",
            cite(_calls(evidence, [i for ids in elsewhere.values() for i in ids]))
            + _order_evidence(
                state, [o for o in sales if str(o["id"]) in {i for v in elsewhere.values() for i in v}]
            ),
            _reproduce(evidence, state),
        )
    if unkept:
        order, problem = unkept[0]
        more = f" (and {len(unkept) - 1} more)" if len(unkept) > 1 else ""
        return Verdict.failed(
            f"order {order['id']} {problem}{more}; the session customer's balances: {standing}",
            cite(_calls(evidence, [str(o["id"]) for o, _ in unkept]))
            + _order_evidence(state, [o for o, _ in unkept]),
            _reproduce(evidence, state, str(order["id"])),
        )
    others = [o for o in state.orders.values() if o.get("status") not in ("Paid", "Refunded")]
    left = _positive({p: abs(v) for p, v in _net(others, me).items()})
    if left:
        holders = [o for o in others if _positive({p: abs(v) for p, v in amounts(o, customer_id=me).items()})]
        return Verdict.failed(
            f"the session customer's balances still count {_amounts_text(left)} from orders that end "
            + ", ".join(f"{o['id']} {o.get('status')}" for o in holders),
            cite(_calls(evidence, [str(o["id"]) for o in holders])) + _order_evidence(state, holders),
            _reproduce(evidence, state, str(holders[0]["id"])),
        )
    outside: dict[str, float] = defaultdict(float)
    for entry in state.ledger():
        if entry.get("order_id") not in state.orders and entry.get("program") in BALANCE_PROGRAMS:
            outside[str(entry["program"])] += float(entry.get("amount") or 0)
    mismatched = [
        p for p in BALANCE_PROGRAMS if abs(balances[p] - outside.get(p, 0.0) - session_net.get(p, 0.0)) > 0.01
    ]
    if mismatched:
        program = mismatched[0]
        return Verdict.failed(
            f"the session customer's {program} balance is {fmt(balances[program])}, but their ledger "
            f"holds {fmt(outside.get(program, 0.0))} from outside the session and "
            f"{fmt(session_net.get(program, 0.0))} from the session's Paid and Refunded orders",
            cite(paid_sent) + _order_evidence(state, counted),
            _reproduce(evidence, state),
        )
    return Verdict.passed(
        f"all {len(sales)} paid session orders earned for the session customer {who}, who kept it; "
        + "; ".join(
            f"{p} {fmt(balances[p])} = {fmt(outside.get(p, 0.0))} from outside the session + "
            f"{fmt(session_net.get(p, 0.0))} from its Paid and Refunded orders"
            for p in BALANCE_PROGRAMS
        ),
        cite(_calls(evidence, [str(o["id"]) for o in sales])) + _order_evidence(state, counted),
    )
