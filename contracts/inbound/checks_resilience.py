"""Resilience checks (RES-nn, LoyaPro best practice): how the POS coped with the faults the
session had the mock inject.

`certify start` installs fault rules scoped to the session's resilience customer and codes
(`contracts.prepare.install_resilience`): the customer's first paid order is committed, then
its answer lost; the first lookup of the resilience code is answered 429 with Retry-After;
its first redeem is committed, then answered 5xx; the refused code's lookup is a 422. The
checks read the journal (which call met which fault, what came after it, when) and the
mock's state after the session (how often the customer earned, where the code ended).

Whether the POS retried at all is one check (``resilience.retries``); how it retried is
graded by the others, which are not exercised when there was no retry to grade.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from loyapro_mock.contracts.findings import Evidence, Verdict
from loyapro_mock.contracts.inbound.evidence import INBOUND, InboundEvidence, JournalEntry
from loyapro_mock.contracts.inbound.sales import received_at
from loyapro_mock.contracts.inbound.state import MockState, amounts, state_evidence
from loyapro_mock.contracts.inbound.support import PAID, cite, fmt, lines, obj, refusal, reproduce
from loyapro_mock.contracts.session import ResiliencePlan

#: How much earlier than Retry-After a retry may arrive: the journal's times have milliseconds.
RETRY_AFTER_TOLERANCE = 0.002
_NO_PLAN = (
    "the session was started without resilience faults (a session of an earlier version, or "
    "started with resilience off): start a new session with `certify start`"
)


def _plan(evidence: InboundEvidence) -> ResiliencePlan | Verdict:
    plan = evidence.session.resilience
    return plan if plan is not None else Verdict.not_exercised(_NO_PLAN)


def _faulted(evidence: InboundEvidence, plan: ResiliencePlan, role: str) -> JournalEntry | None:
    """The first call the plan's rule ``role`` fired on."""
    rule = plan.rules.get(role)
    return next((e for e in evidence.resilience if rule is not None and e.fault_rule == rule), None)


def _after(
    evidence: InboundEvidence, entry: JournalEntry, same: Callable[[JournalEntry], bool]
) -> list[JournalEntry]:
    """The later calls of the resilience steps of ``entry``'s operation that ``same`` accepts."""
    return [e for e in evidence.resilience if e.id > entry.id and e.operation == entry.operation and same(e)]


def _gap(first: JournalEntry, then: JournalEntry) -> float | None:
    """Seconds from the mock's answer to ``first`` to its receiving ``then``."""
    start, end = received_at(first), received_at(then)
    if start is None or end is None:
        return None
    return (end - start).total_seconds() - first.duration_ms / 1000


def _state(evidence: InboundEvidence) -> MockState | Verdict:
    state = evidence.resilience_state
    if state is None or state.error:
        why = state.error if state is not None else "not read"
        return Verdict.failed(f"the mock's state of the resilience steps could not be read ({why})")
    return state


def _earned(order: dict[str, Any], customer_id: int | None) -> dict[str, float]:
    return {k: v for k, v in amounts(order, customer_id=customer_id, kinds=("earn",)).items() if v > 0}


def _earn_entries(order: dict[str, Any]) -> list[str]:
    """The program of each earn entry the order booked."""
    ledger = order.get("ledger")
    if not isinstance(ledger, list):
        return []
    return [
        str(item.get("program")) for item in ledger if isinstance(item, dict) and item.get("kind") == "earn"
    ]


def _text(values: dict[str, float]) -> str:
    return ", ".join(f"{program} {fmt(value)}" for program, value in sorted(values.items())) or "nothing"


def _lines(entry: JournalEntry) -> tuple[tuple[str, ...], float | None]:
    """What a sale is made of: its product ids and its total (None when it is not a number)."""
    ids = tuple(sorted(str(obj(line.get("product")).get("id")) for line in lines(entry.order)))
    total = entry.order.get("total_price")
    if isinstance(total, bool) or not isinstance(total, int | float):
        return ids, None
    return ids, round(float(total), 2)


# -- RES-01 ---------------------------------------------------------------------------------


@INBOUND.check(
    "resilience.lost_answer_same_order",
    requirement="RES-01",
    area="Resilience",
    action="Take payment while LoyaPro's answer is lost (step retry-lost-answer)",
    expected="The paid order is sent again under the same order id (answered duplicate: true); "
    "LoyaPro holds the sale once and the customer earned on it once",
)
def lost_answer_same_order(evidence: InboundEvidence) -> Verdict:
    """A retry under a new order id is a second sale for LoyaPro: the customer earns twice."""
    plan = _plan(evidence)
    if isinstance(plan, Verdict):
        return plan
    lost = _faulted(evidence, plan, "lost_answer")
    if lost is None:
        return Verdict.not_exercised(
            f"no paid order of the resilience customer {plan.customer.international} reached the mock "
            "(step retry-lost-answer), so no answer was lost"
        )
    if not (lost.fault or {}).get("committed"):
        return Verdict.not_exercised(
            f"the paid order {lost.order_id} (#{lost.id}) was refused ({refusal(lost)}), so no answer "
            "was lost"
        )
    later = _after(evidence, lost, lambda e: e.order_status == PAID)
    same = [e for e in later if e.order_id == lost.order_id]
    sale = _lines(lost)
    others = [e for e in later if e.order_id != lost.order_id and _lines(e) == sale]
    state = _state(evidence)
    if isinstance(state, Verdict):
        return state
    if others:
        other = others[0]
        both = [state.order(e.order_id) for e in (lost, other)]
        earned = [_text(_earned(o, state.customer_id)) if o else "nothing (not held)" for o in both]
        return Verdict.failed(
            f"after the answer to paid order {lost.order_id} (#{lost.id}) was lost, the POS sent the "
            f"same sale again as order {other.order_id} (#{other.id}), under a new order id: LoyaPro "
            f"holds it twice and the customer earned twice ({earned[0]} on the first, {earned[1]} "
            "on the second). A retry must resend the same order, under its id",
            cite([lost], "answer lost") + cite([other], "the retry, under a new order id"),
            reproduce(evidence, other),
        )
    if not same:
        return Verdict.not_exercised(
            f"the POS did not send order {lost.order_id} again after its answer was lost (#{lost.id}); "
            "resilience.retries grades that"
        )
    retry = same[0]
    held = state.order(lost.order_id)
    if not retry.accepted:
        return Verdict.failed(
            f"the retry of order {lost.order_id} (#{retry.id}) was refused ({refusal(retry)})",
            cite([lost, retry]),
            reproduce(evidence, retry),
        )
    duplicate = obj(retry.response).get("duplicate") is True
    programs = _earn_entries(held or {})
    once = held is not None and len(programs) == len(set(programs))
    if held is None or held.get("status") != "Paid" or not once or not duplicate:
        status = held.get("status") if held else "not held"
        return Verdict.failed(
            f"order {lost.order_id} was sent again (#{retry.id}, duplicate: {duplicate}) but LoyaPro "
            f"holds it {status} with {len(programs)} earn entries ({', '.join(programs) or 'none'})",
            cite([lost, retry]),
            reproduce(evidence, retry),
        )
    gap = _gap(lost, retry)
    after = f" {gap:.2f} s after the lost answer" if gap is not None else ""
    return Verdict.passed(
        f"order {lost.order_id} was sent again under its id{after} (#{retry.id}), answered duplicate: "
        f"true; LoyaPro holds it once, Paid, and the customer earned "
        f"{_text(_earned(held, state.customer_id))} on it once",
        [
            *cite([lost], "answer lost"),
            *cite([retry], "the retry"),
            state_evidence(f"order {lost.order_id}", "Paid"),
        ],
    )


# -- RES-02 ---------------------------------------------------------------------------------


@INBOUND.check(
    "resilience.redeem_retried_same",
    requirement="RES-02",
    area="Resilience",
    action="Confirm a reward while LoyaPro answers the redeem with a 5xx (step retry-reward)",
    expected="The same redeem is sent again (the same code and order id); the code ends redeemed "
    "once, on that order",
)
def redeem_retried_same(evidence: InboundEvidence) -> Verdict:
    """After a 5xx on redeem the POS retries that redemption, not another one."""
    plan = _plan(evidence)
    if isinstance(plan, Verdict):
        return plan
    failed = _faulted(evidence, plan, "redeem_error")
    if failed is None:
        return Verdict.not_exercised(
            f"no redeem of code {plan.code} reached the mock (step retry-reward), so none met the 5xx"
        )
    later = _after(evidence, failed, lambda e: e.reward_code == plan.code)
    if not later:
        return Verdict.not_exercised(
            f"the POS did not send the redeem of {plan.code} again after its {failed.status} (#{failed.id}); "
            "resilience.retries grades that"
        )
    state = _state(evidence)
    if isinstance(state, Verdict):
        return state
    redemptions = state.redemptions(plan.code)
    changed = [e for e in later if e.order_id != failed.order_id]
    evidence_items: list[Evidence] = cite([failed], f"answered {failed.status}") + cite(later, "the retry")
    if changed:
        other = changed[0]
        return Verdict.failed(
            f"after the {failed.status} on redeeming {plan.code} for order {failed.order_id} (#{failed.id}), "
            f"the POS redeemed it again for order {other.order_id} (#{other.id}, {refusal(other)}): LoyaPro "
            f"had committed the first redemption, so the retry must name the same order",
            evidence_items,
            reproduce(evidence, other),
        )
    retry = later[0]
    if not retry.accepted or len(redemptions) != 1 or str(redemptions[0].get("order_id")) != failed.order_id:
        return Verdict.failed(
            f"the redeem of {plan.code} was sent again (#{retry.id}, {refusal(retry)}), and LoyaPro holds "
            f"{len(redemptions)} redemption(s) of it: "
            + ", ".join(f"on order {r.get('order_id')}" for r in redemptions),
            evidence_items,
            reproduce(evidence, retry),
        )
    return Verdict.passed(
        f"the redeem of {plan.code} for order {failed.order_id} answered {failed.status} (#{failed.id}) was "
        f"sent again unchanged (#{retry.id}, {refusal(retry)}); the code is redeemed once, on that order",
        [*evidence_items, state_evidence(f"code {plan.code}", "redeemed once")],
    )


# -- RES-03 ---------------------------------------------------------------------------------


@INBOUND.check(
    "resilience.waits_retry_after",
    requirement="RES-03",
    area="Resilience",
    action="Look a code up while LoyaPro answers 429 (step retry-reward)",
    expected="The lookup is sent again no sooner than the Retry-After seconds after the 429",
)
def waits_retry_after(evidence: InboundEvidence) -> Verdict:
    """A retry that ignores Retry-After adds to the load that made LoyaPro refuse it."""
    plan = _plan(evidence)
    if isinstance(plan, Verdict):
        return plan
    limited = _faulted(evidence, plan, "rate_limited")
    if limited is None:
        return Verdict.not_exercised(
            f"no lookup of code {plan.code} reached the mock (step retry-reward), so none met the 429"
        )
    later = _after(evidence, limited, lambda e: e.reward_code == plan.code)
    if not later:
        return Verdict.not_exercised(
            f"the POS did not look {plan.code} up again after the 429 (#{limited.id}); "
            "resilience.retries grades that"
        )
    retry = later[0]
    gap = _gap(limited, retry)
    if gap is None:
        return Verdict.failed(f"the journal has no usable times for #{limited.id} and #{retry.id}")
    cited = cite([limited], f"429, Retry-After: {plan.retry_after}") + cite([retry], f"{gap:.3f} s later")
    if gap + RETRY_AFTER_TOLERANCE < plan.retry_after:
        return Verdict.failed(
            f"the POS looked {plan.code} up again {gap:.3f} s after the 429 (#{limited.id} -> #{retry.id}); "
            f"Retry-After asked it to wait {plan.retry_after} s",
            cited,
            reproduce(evidence, retry),
        )
    return Verdict.passed(
        f"the POS looked {plan.code} up again {gap:.3f} s after the 429 (Retry-After: {plan.retry_after})",
        cited,
    )


# -- RES-04 ---------------------------------------------------------------------------------


def _unchanged(evidence: InboundEvidence, entry: JournalEntry) -> list[JournalEntry]:
    """The later calls that repeat ``entry`` exactly (the same operation and body)."""
    return _after(evidence, entry, lambda e: e.body == entry.body)


@INBOUND.check(
    "resilience.no_unchanged_retry",
    requirement="RES-04",
    area="Resilience",
    action="Type a code LoyaPro refuses (step no-retry-refused)",
    expected="A call answered 4xx (other than 429) is not sent again unchanged",
)
def no_unchanged_retry(evidence: InboundEvidence) -> Verdict:
    """Sent again unchanged, a refused call is refused again: the POS must show why instead."""
    plan = _plan(evidence)
    if isinstance(plan, Verdict):
        return plan
    refused = [e for e in evidence.resilience if 400 <= e.status < 500 and e.status != 429]
    if not refused:
        return Verdict.not_exercised(
            f"no call of the resilience steps was refused (the lookup of {plan.refused_code} in step "
            "no-retry-refused is)"
        )
    repeats = [(entry, again) for entry in refused for again in _unchanged(evidence, entry)[:1]]
    if repeats:
        entry, again = repeats[0]
        return Verdict.failed(
            f"{len(repeats)} refused call(s) were sent again unchanged: #{entry.id} {entry.label()} "
            f"({refusal(entry)}) came again as #{again.id} ({refusal(again)}); a 4xx "
            "is final: show the cashier why instead of retrying",
            [item for pair in repeats for item in cite(pair)],
            reproduce(evidence, again),
        )
    return Verdict.passed(
        f"none of the {len(refused)} refused call(s) was sent again unchanged: "
        + "; ".join(f"#{e.id} {e.label()} {obj(e.response).get('code') or ''}".rstrip() for e in refused[:3]),
        cite(refused),
    )


# -- RES-05 ---------------------------------------------------------------------------------

_CONSEQUENCES = {
    "lost_answer": "LoyaPro committed the sale, but the POS does not know it did",
    "rate_limited": "the code was never looked up, so the cashier could not use it",
    "redeem_error": "LoyaPro committed the redemption, but the POS does not know it did",
}


@INBOUND.check(
    "resilience.retries",
    requirement="RES-05",
    area="Resilience",
    action="Every call of the resilience steps that got no answer, a 5xx or a 429",
    expected="Each is sent again: the lost paid order, the rate-limited lookup, the failed redeem",
)
def retries(evidence: InboundEvidence) -> Verdict:
    """A POS that never retries leaves LoyaPro and the till disagreeing, and is told so."""
    plan = _plan(evidence)
    if isinstance(plan, Verdict):
        return plan
    met = [(role, entry) for role in _CONSEQUENCES if (entry := _faulted(evidence, plan, role)) is not None]
    if not met:
        return Verdict.not_exercised(
            "no call of the resilience steps met an injected fault (steps retry-lost-answer and retry-reward)"
        )
    given_up = [(role, entry) for role, entry in met if not _retries_of(evidence, role, entry)]
    if given_up:
        described = "; ".join(
            f"{entry.label()} (#{entry.id}, {_fault_text(entry)}) was never sent again: {_CONSEQUENCES[role]}"
            for role, entry in given_up
        )
        never = "the POS never retries" if len(given_up) == len(met) else "the POS gave up"
        return Verdict.failed(
            f"{never}: {described}. Retry a call that got no answer, a 5xx or a 429, unchanged "
            "(after Retry-After when given)",
            cite([entry for _, entry in given_up], "not retried"),
            reproduce(evidence, given_up[0][1]),
        )
    return Verdict.passed(
        f"each of the {len(met)} calls that met a fault was sent again: "
        + "; ".join(f"#{entry.id} {_fault_text(entry)}" for _, entry in met),
        cite([entry for _, entry in met]),
    )


def _retries_of(evidence: InboundEvidence, role: str, first: JournalEntry) -> list[JournalEntry]:
    """The later calls that send ``first`` again, in any form: for a lost order the same
    order id or the same sale under another id, for a lookup or redeem the same code."""
    if role == "lost_answer":
        return _after(evidence, first, lambda e: e.order_id == first.order_id or _lines(e) == _lines(first))
    return _after(evidence, first, lambda e: e.reward_code == first.reward_code)


def _fault_text(entry: JournalEntry) -> str:
    fault = entry.fault or {}
    if fault.get("answered") is False:
        return "answer lost"
    return f"answered {entry.status}"
