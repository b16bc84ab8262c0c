"""Inbound checks on the session as a whole: its integrity, refusals, identities,
registrations, repeated sales.

The mock accepting a call is not enough; these checks grade what LoyaPro ended up with:
a webhook it refused never happened for LoyaPro, an order for another customer or business
earned for the wrong account, an auto-registered business is a business nobody set up, and
one sale sent under two order ids earned twice.
"""

from __future__ import annotations

from collections import defaultdict

from loyapro_mock.contracts.checklist import build_checklist
from loyapro_mock.contracts.findings import Verdict
from loyapro_mock.contracts.inbound.evidence import INBOUND, InboundEvidence, JournalEntry
from loyapro_mock.contracts.inbound.sales import (
    Sale,
    business_of,
    changed_identifiers,
    customer_of,
    earned,
    earns,
    repeated_sales,
    session_mobile,
)
from loyapro_mock.contracts.inbound.support import (
    PAID,
    RETURNED,
    VOID_STATUSES,
    cite,
    loyalty_discount,
    obj,
    reproduce,
)

AUTO_REGISTERED = "business.auto_registered"
INTEGRITY = "session.integrity"
_CALLS = {"order": "order", "reward": "lookup", "redeem": "redeem"}


# -- integrity ------------------------------------------------------------------------------


@INBOUND.check(
    INTEGRITY,
    requirement="WHK-01",
    area="Session",
    action="The mock, from certify start to certify report",
    expected="The mock keeps the session's world: no reset, no restart on an empty store, no "
    "journal restart and no clock move between certify start and certify report",
)
def integrity(evidence: InboundEvidence) -> Verdict:
    """A session graded on a mock that was reset, restarted or had its clock moved is graded
    on evidence that is not the POS's: that is a failure of the session, named with when."""
    found = evidence.integrity
    if found.disturbances:
        return Verdict.failed(
            found.summary() + ". This is no fault of the POS: keep the mock to the session (run "
            "scenarios without --reset, move no clock) and certify in a new session",
            reproduce=f"curl -s {evidence.session.mock_url}/__admin/health",
        )
    if not found.graded:
        return Verdict.not_exercised(found.reason)
    if not evidence.entries:
        return Verdict.not_exercised(
            "the POS made no call during the session: there is no evidence to keep intact "
            "(the mock was neither reset nor restarted, and its clock did not move)"
        )
    marker = evidence.session.mock_state
    return Verdict.passed(
        f"the mock holds the state the session started in (state {marker.get('state_id')}, "
        f"{int(marker.get('reset_count') or 0)} earlier resets), and its clock did not move"
    )


# -- refusals -------------------------------------------------------------------------------


def _reward_step(evidence: InboundEvidence, codes: list[str]) -> str | None:
    for code in codes:
        kind = evidence.kind_of(code)
        if kind is not None:
            return f"reward-{kind.replace('_', '-')}"
    return None


def step_of(evidence: InboundEvidence, entry: JournalEntry) -> str:
    """The checklist step a call belongs to, inferred from the call and its order's history.

    A session reward code names its reward step (a lookup or redeem by its code, an order by
    the code of its Loyalty Redemption discount or of a redeem naming it); an order's status
    names the rest: a return or an order later returned -> ``order-refund``, a void or an
    order later voided -> ``order-void``, a paid order sent again (the same id, or the same
    sale under a new id) -> ``order-resend``, another paid order -> ``order-paid``; ``""``
    when the call says nothing.
    """
    if entry.operation in ("reward", "redeem"):
        return _reward_step(evidence, [entry.reward_code or ""]) or ""
    if entry.operation != "order":
        return ""
    order_id = entry.order_id
    codes = loyalty_discount(entry.order)[1]
    codes += [
        str(call.reward_code) for call in evidence.of("redeem") if order_id and call.order_id == order_id
    ]
    reward = _reward_step(evidence, codes)
    if reward is not None:
        return reward
    history = [call for call in evidence.orders() if order_id and call.order_id == order_id] or [entry]
    statuses = {call.order_status for call in history}
    if RETURNED in statuses or isinstance(entry.order.get("original_order"), dict):
        return "order-refund"
    if statuses & set(VOID_STATUSES):
        return "order-void"
    if entry.order_status != PAID:
        return ""
    resent = any(call.id < entry.id and call.order_status == PAID for call in history)
    repeat = any(sale.entry.id == entry.id for group in repeated_sales(evidence) for sale in group[1:])
    return "order-resend" if resent or repeat else "order-paid"


def _refusal(evidence: InboundEvidence, entry: JournalEntry, titles: dict[str, str]) -> str:
    """``#6 order X status 5 -> HTTP 422 business_rule_violated [order.return_unlinked], step ...``."""
    body = obj(entry.response)
    code = str(body.get("code") or "no problem code")
    errors = body.get("errors")
    listed = errors if isinstance(errors, list) and errors else list(entry.violations)
    rules = sorted({str(item.get("rule")) for item in listed if isinstance(item, dict) and item.get("rule")})
    step = step_of(evidence, entry)
    where = f"step {step} ({titles[step]})" if step in titles else "step unknown"
    return f"#{entry.id} {entry.label()} {code}" + (f" [{', '.join(rules)}]" if rules else "") + f", {where}"


@INBOUND.check(
    "session.no_refusals",
    requirement="WHK-01",
    area="Contract",
    action="Every webhook call of the session",
    expected="The mock accepts every call (2xx): a refused order, lookup or redeem never "
    "reached LoyaPro's state",
)
def no_refusals(evidence: InboundEvidence) -> Verdict:
    """Every webhook the mock refused is a finding, with its problem code, rules and step."""
    calls = evidence.entries
    if not calls:
        return Verdict.not_exercised("the POS made no call during the session")
    refused = [entry for entry in calls if entry.status >= 400]
    if refused:
        titles = {step.id: step.title for step in build_checklist(evidence.session)}
        described = [_refusal(evidence, entry, titles) for entry in refused]
        more = f" (+{len(refused) - 3} more)" if len(refused) > 3 else ""
        return Verdict.failed(
            f"{len(refused)} of {len(calls)} calls were refused: " + "; ".join(described[:3]) + more,
            [item for entry, text in zip(refused, described, strict=True) for item in cite([entry], text)],
            reproduce(evidence, refused[0]),
        )
    return Verdict.passed(f"the mock accepted all {len(calls)} calls", cite(calls[:5]))


# -- identities -----------------------------------------------------------------------------


def _calls(entries: list[JournalEntry], operation: str | None) -> str:
    """``3 orders (#1, #5, #9)``: how many calls of one kind, and which."""
    noun = _CALLS.get(str(operation), "call")
    ids = ", ".join(f"#{entry.id}" for entry in entries[:5])
    more = f" +{len(entries) - 5} more" if len(entries) > 5 else ""
    return f"{len(entries)} {noun}{'s' if len(entries) != 1 else ''} ({ids}{more})"


def _foreign(
    evidence: InboundEvidence,
    named: list[tuple[JournalEntry, str]],
    expected: set[str],
    what: str,
    verbs: dict[str, str],
) -> Verdict:
    """Fail listing every value not in ``expected``, by value and kind of call.

    ``what`` names the expected values (``"the session customer"``); ``verbs`` says, per
    operation, how a call relates to its value (``"attached to"``).
    """
    foreign: dict[tuple[str, str], list[JournalEntry]] = defaultdict(list)
    for entry, value in named:
        if value not in expected:
            foreign[(value, str(entry.operation))].append(entry)
    parts = []
    for (value, operation), entries in foreign.items():
        were = "was" if len(entries) == 1 else "were"
        verb = verbs.get(operation, "sent for business")
        parts.append(f"{_calls(entries, operation)} {were} {verb} {value}")
    wanted = " or ".join(sorted(expected))
    cited = sorted((entry for entries in foreign.values() for entry in entries), key=lambda e: e.id)
    return Verdict.failed(
        "; ".join(parts) + f"; {what} is {wanted}",
        cite(cited, f"not {what}"),
        reproduce(evidence, cited[0]),
    )


@INBOUND.check(
    "session.customer_identity",
    requirement="POS-03",
    area="Identity",
    action="Attach the session customer to every order, lookup and redeem of the session",
    expected="Every order's customer mobile and every lookup's and redeem's "
    "customer_mobile_number is the session customer's",
)
def customer_identity(evidence: InboundEvidence) -> Verdict:
    """The session's calls earn and redeem for the session's customer, not another one."""
    named = [(entry, who) for entry in evidence.webhooks() if (who := customer_of(entry)) is not None]
    if not named:
        return Verdict.not_exercised("no order, lookup or redeem of the session named a customer")
    expected = {session_mobile(customer) for customer in evidence.session.customers}
    if any(who not in expected for _, who in named):
        verbs = {"order": "attached to", "reward": "for", "redeem": "for"}
        return _foreign(evidence, named, expected, "the session customer", verbs)
    return Verdict.passed(
        f"all {len(named)} calls that name a customer name the session customer",
        cite([entry for entry, _ in named[:5]]),
    )


@INBOUND.check(
    "session.business_identity",
    requirement="ORD-01",
    area="Identity",
    action="Every order, lookup and redeem of the session",
    expected="Every call names the session's business reference (order business.reference, "
    "lookup and redeem business_reference)",
)
def business_identity(evidence: InboundEvidence) -> Verdict:
    """The session's calls go to the session's business, not another one."""
    calls = evidence.webhooks()
    if not calls:
        return Verdict.not_exercised("the POS made no webhook call during the session")
    named = [(entry, business_of(entry) or "(none)") for entry in calls]
    expected = {str(evidence.session.business_reference)}
    if any(ref not in expected for _, ref in named):
        return _foreign(evidence, named, expected, "the session's business", {})
    return Verdict.passed(
        f"all {len(calls)} calls name business {evidence.session.business_reference}", cite(calls[:5])
    )


def _registered(entry: JournalEntry) -> bool:
    """The mock's answer says this call registered its business."""
    return obj(entry.response).get("business_registered") is True or any(
        item.get("rule") == AUTO_REGISTERED for item in entry.violations
    )


@INBOUND.check(
    "session.no_auto_registration",
    requirement="ORD-01",
    area="Identity",
    action="Every order of the session",
    expected="No order registers a new business: the mock knows the business reference the "
    "session was prepared for",
)
def no_auto_registration(evidence: InboundEvidence) -> Verdict:
    """An order the mock had to register a business for went to a business nobody set up."""
    orders = evidence.of("order")
    if not orders:
        return Verdict.not_exercised("the POS sent no order during the session")
    registered = [entry for entry in orders if _registered(entry)]
    if registered:
        first = registered[0]
        refs = sorted({business_of(entry) or "?" for entry in registered})
        into = [entry for entry in orders if business_of(entry) in refs]
        return Verdict.failed(
            f"the mock registered business {', '.join(refs)} on order call #{first.id} "
            f"({first.label()}), and {_calls(into, 'order')} went to it; the session's business "
            f"is {evidence.session.business_reference}: the reference only worked because the "
            "mock registers an unknown business (auto_register)",
            cite(registered, "registered a new business"),
            reproduce(evidence, first),
        )
    return Verdict.passed(f"none of the {len(orders)} order calls registered a business", cite(orders[:5]))


# -- repeated sales -------------------------------------------------------------------------


def _apart(first: Sale, repeat: Sale) -> str:
    """`` received 0.4 s apart`` (empty when the journal has no usable times)."""
    if first.at is None or repeat.at is None:
        return ""
    return f" received {round(abs((repeat.at - first.at).total_seconds()), 3):g} s apart"


@INBOUND.check(
    "orders.no_duplicate_sales",
    requirement="POS-04",
    area="Orders",
    action="Every paid order of the session",
    expected="No two paid orders with different ids carry the same customer, lines and total "
    "within 10 minutes: a retry keeps the order's id, so the customer earns once",
)
def no_duplicate_sales(evidence: InboundEvidence) -> Verdict:
    """One sale sent under two order ids is a retry with new identifiers: it earns twice."""
    paid = [entry for entry in evidence.orders() if entry.order_status == PAID]
    if not paid:
        return Verdict.not_exercised("the POS sent no paid order during the session")
    groups = repeated_sales(evidence)
    if groups:
        first, repeat = groups[0][0], groups[0][1]
        described = "; ".join(
            f"order {sale.entry.order_id} (#{sale.entry.id}) earned {earned(sale.entry)}"
            for sale in groups[0]
        )
        repeats = sum(len(group) - 1 for group in groups)
        earning = sum(1 for sale in groups[0] if earns(sale.entry))
        twice = f": the customer earned {earning} times for one sale" if earning > 1 else ""
        return Verdict.failed(
            f"{repeats} paid order{'s' if repeats != 1 else ''} repeat{'s' if repeats == 1 else ''} an "
            f"earlier sale under new identifiers, a likely retry: {len(groups[0])} orders for "
            f"{first.customer} with {first.describe()}{_apart(first, repeat)} "
            f"({changed_identifiers(first, repeat)}); {described}{twice}",
            [item for group in groups for sale in group for item in cite([sale.entry], earned(sale.entry))],
            reproduce(evidence, repeat.entry),
        )
    return Verdict.passed(f"the {len(paid)} paid order calls repeat no earlier sale", cite(paid[:5]))
