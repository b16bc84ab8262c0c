"""The resilience steps' evidence: their calls, kept apart from the rest of the session, and
what the mock holds for their customer, codes and orders.

A session's resilience plan (`contracts.session.ResiliencePlan`) has the mock inject faults
on the calls of its own customer and codes. Those calls are the resilience checks' evidence
only: a lost answer, a 429 or a 5xx the mock injected is no refusal of the POS's order, and a
retry is no second sale of the main customer.
"""

from __future__ import annotations

from dataclasses import replace

from loyapro_mock.contracts.inbound.evidence import JournalEntry
from loyapro_mock.contracts.inbound.sales import customer_of, session_mobile
from loyapro_mock.contracts.inbound.state import MockState, read_state
from loyapro_mock.contracts.mock_admin import MockAdmin
from loyapro_mock.contracts.session import CertSession, SessionReward

__all__ = ["read_resilience_state", "split_resilience"]


def split_resilience(
    session: CertSession, entries: list[JournalEntry]
) -> tuple[list[JournalEntry], list[JournalEntry]]:
    """The session's entries without the resilience steps' calls, and those calls.

    A call is the resilience steps' when it names the resilience customer or one of the
    resilience codes, or is an order call for an order such a call named.
    """
    plan = session.resilience
    if plan is None:
        return entries, []
    mobile = session_mobile(plan.customer)
    codes = {plan.code, plan.refused_code}
    own = {e.id for e in entries if customer_of(e) == mobile or (e.reward_code or "") in codes}
    orders = {e.order_id for e in entries if e.id in own and e.order_id}
    own |= {e.id for e in entries if e.operation == "order" and e.order_id in orders}
    return [e for e in entries if e.id not in own], [e for e in entries if e.id in own]


def read_resilience_state(
    session: CertSession, entries: list[JournalEntry], admin: MockAdmin
) -> MockState | None:
    """The resilience customer, codes and orders as the mock holds them (None without a plan)."""
    plan = session.resilience
    if plan is None:
        return None
    codes = [
        SessionReward(code=code, kind="fixed_amount", customer_mobile=plan.customer.mobile, discount_amount=0)
        for code in (plan.code, plan.refused_code)
    ]
    view = replace(session, customers=[plan.customer], rewards=codes)
    order_ids = [e.order_id for e in entries if e.operation in ("order", "redeem") and e.order_id]
    return read_state(view, order_ids=order_ids, admin=admin)
