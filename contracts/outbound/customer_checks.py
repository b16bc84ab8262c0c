"""Customer round-trip checks: a pushed customer is found by mobile and by partial Latin
and Arabic name, a second push does not duplicate it, a renamed push updates it; and the
negative of each: a search lists only the customers matching it (the run's decoys left
out), and a search without a valid filter is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from loyapro_mock.contracts.findings import Verdict
from loyapro_mock.contracts.outbound.checks import OUTBOUND, refused_verdict
from loyapro_mock.contracts.outbound.evidence import OutboundEvidence, PosCall
from loyapro_mock.contracts.outbound.probes import found_customers
from loyapro_mock.contracts.reference_pos.backend import fold_name, normalise_mobile


def _matches(customer: dict[str, Any], push: dict[str, Any]) -> bool:
    mobile = normalise_mobile(str(customer.get("mobile", "")), customer.get("dial_code") or 966)
    return mobile == normalise_mobile(str(push["mobile"]), push["dial_code"])


def _id(call: PosCall) -> Any:
    return call.response.get("id") if isinstance(call.response, dict) else None


def _push_problem(evidence: OutboundEvidence) -> Verdict | None:
    calls = evidence.scenario("push")
    if not calls:
        return Verdict.not_exercised("the customer round trip was not run")
    push = calls[0]
    if push.status not in (200, 201):
        return Verdict.failed(
            f"pushing the customer answered {push.answer()}, expected 200 or 201",
            [push.as_evidence()],
            push.curl,
        )
    return None


def _search_verdict(evidence: OutboundEvidence, scenario: str, what: str) -> Verdict:
    problem = _push_problem(evidence)
    if problem is not None:
        return problem
    calls = evidence.scenario(scenario)
    if not calls:
        return Verdict.not_exercised(f"no search {what} was made")
    push = evidence.customer
    missing = [call for call in calls if not any(_matches(c, push) for c in found_customers(call))]
    items = [call.as_evidence(f"{call.answer()}, {len(found_customers(call))} found") for call in calls]
    if missing:
        return Verdict.failed(
            f"the pushed customer ({push['name']}, {push['mobile']}) was not found by "
            + ", ".join(
                f"{call.target} ({call.answer()}, {len(found_customers(call))} found)" for call in missing
            ),
            items,
            missing[0].curl,
        )
    return Verdict.passed(f"found {what} ({len(calls)} of {len(calls)} searches)", items)


@OUTBOUND.check(
    "customers.findable_by_mobile",
    requirement="POS-01",
    area="Customer push",
    action="Push a new customer, then search by its mobile (as pushed, with +966, with a leading 0)",
    expected="The pushed customer is found at once by each form of its mobile number",
)
def findable_by_mobile(evidence: OutboundEvidence) -> Verdict:
    """A pushed customer appears on the POS at once, found by mobile."""
    return _search_verdict(evidence, "find_by_mobile", "by mobile")


@OUTBOUND.check(
    "customers.findable_by_latin_name",
    requirement="POS-02",
    area="Customer search",
    action="Search by a part of the Latin name in another letter case",
    expected="The pushed customer is among the results (partial, case-insensitive match)",
)
def findable_by_latin_name(evidence: OutboundEvidence) -> Verdict:
    """Search by a part of the Latin name, case-insensitive."""
    return _search_verdict(evidence, "find_by_latin_name", "by partial Latin name")


@OUTBOUND.check(
    "customers.findable_by_arabic_name",
    requirement="POS-02",
    area="Customer search",
    action="Search by a part of the Arabic name",
    expected="The pushed customer is among the results (partial match on the Arabic name)",
)
def findable_by_arabic_name(evidence: OutboundEvidence) -> Verdict:
    """Search by a part of the Arabic name."""
    return _search_verdict(evidence, "find_by_arabic_name", "by partial Arabic name")


@OUTBOUND.check(
    "customers.push_idempotent",
    requirement="POS-01",
    area="Customer push",
    action="Push the same customer (same dial code and mobile) a second time",
    expected="Still exactly one customer with that mobile, with the same id",
)
def push_idempotent(evidence: OutboundEvidence) -> Verdict:
    """A second push updates the customer instead of creating a duplicate."""
    problem = _push_problem(evidence)
    if problem is not None:
        return problem
    calls = evidence.scenario("push_again")
    if len(calls) < 2:
        return Verdict.not_exercised("the second push was not made")
    first, (again, search) = evidence.scenario("push")[0], calls
    items = [first.as_evidence("first push"), again.as_evidence("second push"), search.as_evidence()]
    if again.status not in (200, 201):
        return Verdict.failed(f"the second push answered {again.answer()}", items, again.curl)
    matching = [c for c in found_customers(search) if _matches(c, evidence.customer)]
    first_id, again_id = _id(first), _id(again)
    if len(matching) != 1:
        return Verdict.failed(
            f"after two pushes a search by mobile found {len(matching)} customers with that mobile "
            f"(ids {', '.join(str(c.get('id')) for c in matching) or '-'})",
            items,
            search.curl,
        )
    if first_id is not None and again_id is not None and first_id != again_id:
        return Verdict.failed(
            f"the second push answered another id ({again_id}) than the first ({first_id})",
            items,
            again.curl,
        )
    return Verdict.passed(f"one customer after two pushes (second push answered {again.answer()})", items)


def _mobile_matches(customer: dict[str, Any], call: PosCall) -> bool:
    """The customer has the mobile the call searched for (in the customer's own dial code)."""
    dial_code = customer.get("dial_code") or 966
    wanted = normalise_mobile(str(call.query.get("mobile", "")), dial_code)
    return bool(wanted) and normalise_mobile(str(customer.get("mobile", "")), dial_code) == wanted


def _name_matches(customer: dict[str, Any], call: PosCall) -> bool:
    """The customer's Latin or Arabic name contains what the call searched for."""
    wanted = fold_name(str(call.query.get("name", "")))
    names = (str(customer.get("name") or ""), str(customer.get("name_localized") or ""))
    return bool(wanted) and any(wanted in fold_name(name) for name in names)


def _described(customer: dict[str, Any]) -> str:
    return f"{customer.get('name')} / {customer.get('name_localized')} ({customer.get('mobile')})"


def _exclusion_verdict(
    evidence: OutboundEvidence,
    scenarios: tuple[str, ...],
    what: str,
    matches: Callable[[dict[str, Any], PosCall], bool],
) -> Verdict:
    calls = [call for scenario in scenarios for call in evidence.scenario(scenario)]
    graded = [call for call in calls if call.json_ok and isinstance(call.response.get("data"), list)]
    if not graded:
        return Verdict.not_exercised(f"no search {what} answered a list of customers")
    strays = [(call, c) for call in graded for c in found_customers(call) if not matches(c, call)]
    items = [
        call.as_evidence(
            f"{call.answer()}, {len(found_customers(call))} found, "
            f"{sum(1 for c in found_customers(call) if not matches(c, call))} not matching"
        )
        for call in graded
    ]
    if strays:
        call, customer = strays[0]
        return Verdict.failed(
            f"{len(strays)} listed customers do not match their search; first: {call.target} "
            f"listed {_described(customer)}",
            items,
            call.curl,
        )
    stored = [
        decoy
        for decoy, push in zip(evidence.decoys, evidence.scenario("push_decoys"), strict=False)
        if push.status in (200, 201)
    ]
    if not stored:
        return Verdict.not_exercised("no decoy customer was accepted: the searches had nobody to leave out")
    return Verdict.passed(
        f"{len(graded)} searches {what} listed only matching customers, leaving out the decoys "
        + ", ".join(f"{decoy['name']} ({decoy['mobile']})" for decoy in stored),
        items,
    )


@OUTBOUND.check(
    "customers.search_by_mobile_excludes_others",
    requirement="POS-02",
    area="Customer search",
    action="Push decoy customers whose mobiles contain the pushed customer's (a digit before, "
    "a digit after), then search by the pushed customer's mobile in each form",
    expected="Only customers with that mobile are listed: no decoy, no other customer",
)
def search_by_mobile_excludes_others(evidence: OutboundEvidence) -> Verdict:
    """A search by mobile lists that mobile only (not everyone, not a prefix or suffix match)."""
    return _exclusion_verdict(evidence, ("find_by_mobile",), "by mobile", _mobile_matches)


@OUTBOUND.check(
    "customers.search_by_name_excludes_others",
    requirement="POS-02",
    area="Customer search",
    action="Push decoy customers with the same family name and other given names and tags, "
    "then search by a part of the pushed customer's Latin and Arabic names",
    expected="Only customers whose Latin or Arabic name contains the query are listed: no decoy",
)
def search_by_name_excludes_others(evidence: OutboundEvidence) -> Verdict:
    """A search by name lists matching names only."""
    return _exclusion_verdict(
        evidence, ("find_by_latin_name", "find_by_arabic_name"), "by partial name", _name_matches
    )


@OUTBOUND.check(
    "customers.push_updates_existing",
    requirement="POS-01",
    area="Customer push",
    action="Push the customer again with a new Latin and Arabic name and its mobile with a "
    "trunk 0, then search by its mobile and by a part of the new name",
    expected="200 with the same id; one customer with that mobile, showing the new names, "
    "found by the new name",
)
def push_updates_existing(evidence: OutboundEvidence) -> Verdict:
    """A push of an existing customer (mobile written another way) updates it in place."""
    problem = _push_problem(evidence)
    if problem is not None:
        return problem
    calls = evidence.scenario("push_update")
    if len(calls) < 3:
        return Verdict.not_exercised("the renamed push was not made")
    first, (update, by_mobile, by_name) = evidence.scenario("push")[0], calls
    renamed = evidence.update
    items = [
        first.as_evidence("first push"),
        update.as_evidence(f"renamed push (mobile {renamed['mobile']}): {update.answer()}"),
        by_mobile.as_evidence(f"{by_mobile.answer()}, {len(found_customers(by_mobile))} found"),
        by_name.as_evidence(f"{by_name.answer()}, {len(found_customers(by_name))} found"),
    ]
    if update.status != 200:
        return Verdict.failed(
            f"pushing the existing customer renamed, with mobile {renamed['mobile']}, answered "
            f"{update.answer()}; expected 200 (an existing customer was updated)",
            items,
            update.curl,
        )
    first_id = _id(first)
    if first_id is not None and _id(update) is not None and _id(update) != first_id:
        return Verdict.failed(
            f"the renamed push answered another id ({_id(update)}) than the first push ({first_id})",
            items,
            update.curl,
        )
    if not by_mobile.json_ok:
        return Verdict.failed(
            f"searching by mobile after the renamed push answered {by_mobile.answer()}", items, by_mobile.curl
        )
    matching = [c for c in found_customers(by_mobile) if _matches(c, evidence.customer)]
    if len(matching) != 1:
        return Verdict.failed(
            f"after the renamed push a search by mobile found {len(matching)} customers with that "
            f"mobile ({'; '.join(_described(c) for c in matching) or 'none'})",
            items,
            by_mobile.curl,
        )
    found = matching[0]
    if first_id is not None and found.get("id") != first_id:
        return Verdict.failed(
            f"the customer now has another id ({found.get('id')}) than the first push answered ({first_id})",
            items,
            by_mobile.curl,
        )
    stale = found.get("name") != renamed["name"] or (
        found.get("name_localized") is not None and found.get("name_localized") != renamed["name_localized"]
    )
    if stale:
        return Verdict.failed(
            f"the customer still shows {found.get('name')} / {found.get('name_localized')} after the "
            f"push renamed it {renamed['name']} / {renamed['name_localized']}",
            items,
            by_mobile.curl,
        )
    if not any(c.get("id") == found.get("id") for c in found_customers(by_name)):
        return Verdict.failed(
            f"a search by the new name ({by_name.query.get('name')}) answered {by_name.answer()} "
            "without the renamed customer",
            items,
            by_name.curl,
        )
    return Verdict.passed(
        f"one customer {found.get('id')} after the renamed push, now {renamed['name']}, "
        "found by the new name",
        items,
    )


@OUTBOUND.check(
    "customer_search.rejects_invalid_query",
    requirement="POS-02",
    area="Customer search",
    action="Search customers with no filter, with a mobile that is not digits, with an empty name",
    expected="A 4xx answer to each (a search without a valid filter lists nobody)",
)
def search_rejects_invalid_query(evidence: OutboundEvidence) -> Verdict:
    """A search must name a customer: no filter, or a broken one, is a 4xx."""
    return refused_verdict(
        evidence.scenario("search_invalid"),
        not_sent="no invalid search was sent",
        requests="invalid searches",
        answered=lambda call: (
            call.answer() + (f" with {len(found_customers(call))} customers" if call.json_ok else "")
        ),
    )
