"""What each checklist step looks like in the mock's journal, so that the mock's inspector
(``/__admin/ui``) can tick the steps as the POS performs them.

``certify start`` registers the session with the mock (``POST /__admin/sessions``): its POS,
the journal id it starts at, and for each step of :func:`contracts.checklist.build_checklist`
the requests it expects, in order, as matchers the mock evaluates on its journal without
knowing certification (operation, verdict, values at JSON pointers of the body and the
answer). Ticked steps are progress, not a grade: ``certify report`` grades the session.
"""

from __future__ import annotations

from typing import Any

from loyapro_mock.contracts.checklist import build_checklist
from loyapro_mock.contracts.session import CertSession

__all__ = ["resilience_matchers", "session_registration", "step_matchers"]


def _paid(session: CertSession) -> dict[str, Any]:
    return {
        "description": f"an order answered Paid with the session customer +{session.customer.dial_code} "
        f"{session.customer.mobile}",
        "operation": "order",
        "response": {"/status": "Paid", "/customer/customer_mobile_number": session.customer.mobile},
    }


def resilience_matchers(session: CertSession) -> dict[str, list[dict[str, Any]]]:
    """The requests of the resilience steps (none without a resilience plan): the calls the
    mock's faults answer are refused on purpose (``verdict: rejected``), then the retries."""
    plan = session.resilience
    if plan is None:
        return {}
    mobile = plan.customer.mobile

    def code(value: str, operation: str, what: str, **extra: Any) -> dict[str, Any]:
        return {"description": what, "operation": operation, "body": {"/reward_code": value}, **extra}

    return {
        "retry-lost-answer": [
            {
                "description": f"a paid order of the resilience customer {plan.customer.international}, "
                "its answer lost",
                "operation": "order",
                "verdict": "rejected",
                "body": {"/order/customer/phone": mobile, "/order/status": 4},
            },
            {
                "description": "the same order sent again, answered duplicate: true",
                "operation": "order",
                "response": {"/duplicate": True, "/customer/customer_mobile_number": mobile},
            },
        ],
        "retry-reward": [
            code(
                plan.code,
                "reward",
                f"a lookup of {plan.code} answered 429",
                verdict="rejected",
                response={"/code": "rate_limited"},
            ),
            code(plan.code, "reward", f"the lookup of {plan.code} again, answered"),
            code(plan.code, "redeem", f"a redeem of {plan.code} answered 5xx", verdict="rejected"),
            code(plan.code, "redeem", f"the redeem of {plan.code} again, answered"),
            {
                "description": "an order answered Paid with the resilience customer "
                f"{plan.customer.international}",
                "operation": "order",
                "response": {"/status": "Paid", "/customer/customer_mobile_number": mobile},
            },
        ],
        "no-retry-refused": [
            code(
                plan.refused_code,
                "reward",
                f"a lookup of {plan.refused_code} refused (valid only at another branch)",
                verdict="rejected",
                response={"/code": "reward_not_valid_for_branch"},
            )
        ],
    }


def step_matchers(session: CertSession) -> dict[str, list[dict[str, Any]]]:
    """The requests each checklist step expects, by step id, in the order they come."""
    matchers: dict[str, list[dict[str, Any]]] = {
        "order-paid": [_paid(session)],
        "order-resend": [
            _paid(session),
            {
                "description": "the same order sent again, answered duplicate: true",
                "operation": "order",
                "response": {"/duplicate": True},
            },
        ],
        "order-void": [
            {"description": "an order answered Void", "operation": "order", "response": {"/status": "Void"}}
        ],
        "order-refund": [
            {
                "description": "an order answered Refunded",
                "operation": "order",
                "response": {"/status": "Refunded"},
            }
        ],
    }
    for reward in session.rewards:
        matchers[f"reward-{reward.kind.replace('_', '-')}"] = [
            {
                "description": f"a lookup of {reward.code}",
                "operation": "reward",
                "body": {"/reward_code": reward.code},
            },
            {
                "description": f"a redeem of {reward.code}",
                "operation": "redeem",
                "body": {"/reward_code": reward.code},
            },
        ]
    return matchers | resilience_matchers(session)


def session_registration(session: CertSession) -> dict[str, Any]:
    """The ``POST /__admin/sessions`` body of a session: its checklist with each step's matchers."""
    matchers = step_matchers(session)
    return {
        "id": session.id,
        "pos_name": session.pos_name,
        "business_reference": session.business_reference,
        "since_id": session.since_id,
        "created_at": session.created_at,
        "steps": [
            {"id": step.id, "title": step.title, "expects": matchers[step.id]}
            for step in build_checklist(session)
        ],
    }
