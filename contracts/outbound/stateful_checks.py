"""The check of the stateful run: each generated customer pushed is listed by the search
the spec's ``FindByMobile`` link leads to, as pushed. (Whom else a search lists is graded
by ``customers.search_by_mobile_excludes_others``, on decoys of the run.)"""

from __future__ import annotations

from typing import Any

from loyapro_mock.contracts.findings import Verdict
from loyapro_mock.contracts.outbound.checks import OUTBOUND
from loyapro_mock.contracts.outbound.evidence import OutboundEvidence, PosCall
from loyapro_mock.contracts.outbound.probes import found_customers


def _problem(search: PosCall, pushed: dict[int, tuple[Any, PosCall]]) -> str:
    """What is wrong with one linked search (empty: nothing)."""
    listed = found_customers(search)
    mobile = search.query["mobile"]
    for dial_code, (customer_id, push) in pushed.items():
        matching = [c for c in listed if c.get("id") == customer_id]
        if not matching:
            return (
                f"{search.target} did not list the customer pushed with dial code {dial_code} and mobile "
                f"{mobile} (id {customer_id}, {push.answer()}); it listed {len(listed)}"
            )
        if matching[0].get("dial_code") != dial_code:
            return (
                f"{search.target} listed customer {customer_id} with dial code "
                f"{matching[0].get('dial_code')}; it was pushed with {dial_code}"
            )
    return ""


def _pushed(step: PosCall) -> tuple[str, int, Any] | None:
    """``(mobile, dial code, id)`` of a push the POS accepted (None: refused or unreadable)."""
    body, answer = step.body, step.response
    if step.status not in (200, 201) or not isinstance(body, dict) or not isinstance(answer, dict):
        return None
    mobile, dial_code = body.get("mobile"), body.get("dial_code")
    if not isinstance(mobile, str) or isinstance(dial_code, bool) or not isinstance(dial_code, int | float):
        return None
    if dial_code != int(dial_code):
        return None
    return mobile, int(dial_code), answer.get("id")


@OUTBOUND.check(
    "customers.stateful_push_then_search",
    requirement="POS-01",
    area="Customer push",
    action="schemathesis stateful run: push generated customers (any valid CustomerPush: dial codes "
    "1 to 9999, mobiles of 6 to 15 digits), then follow the FindByMobile link to search by the mobile "
    "each was pushed with",
    expected="Every linked search lists the pushed customer: the id the push answered, the dial code "
    "it was pushed with",
)
def stateful_push_then_search(evidence: OutboundEvidence) -> Verdict:
    """Customers the contract allows, not only Saudi ones, are found by their mobile."""
    if evidence.stateful is None:
        return Verdict.not_exercised("the stateful run was not made")
    pushed: dict[str, dict[int, tuple[Any, PosCall]]] = {}
    graded: list[PosCall] = []
    for step in evidence.stateful:
        if step.method == "POST" and step.path == "/customers":
            identity = _pushed(step)
            if identity is not None:
                mobile, dial_code, customer_id = identity
                pushed.setdefault(mobile, {})[dial_code] = (customer_id, step)
        elif (
            step.method == "GET"
            and step.path == "/customers"
            and set(step.query) == {"mobile"}
            and step.query["mobile"] in pushed
            and step.json_ok
        ):
            graded.append(step)
            problem = _problem(step, pushed[step.query["mobile"]])
            if problem:
                items = [step.as_evidence(f"{step.answer()}, {len(found_customers(step))} found")]
                items += [push.as_evidence("the push") for _, push in pushed[step.query["mobile"]].values()]
                return Verdict.failed(problem, items, step.curl)
    if not graded:
        why = f" ({evidence.stateful_error})" if evidence.stateful_error else ""
        return Verdict.not_exercised(
            f"no search followed a successful push in {len(evidence.stateful)} stateful steps{why}"
        )
    items = [step.as_evidence(f"{step.answer()}, {len(found_customers(step))} found") for step in graded[:20]]
    stopped = (
        f"; the run stopped early: {evidence.stateful_error.splitlines()[0]}"
        if evidence.stateful_error
        else ""
    )
    return Verdict.passed(
        f"{len(graded)} linked searches after {sum(len(v) for v in pushed.values())} generated pushes "
        f"({len(evidence.stateful)} steps) listed the pushed customer{stopped}",
        items,
    )
