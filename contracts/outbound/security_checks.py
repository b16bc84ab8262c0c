"""Credential checks: every operation refuses a call without the POS's token or with a
wrong one (401, as pos-partner.yaml says), and a refused push stores nothing."""

from __future__ import annotations

from collections.abc import Callable

from loyapro_mock.contracts.findings import Verdict
from loyapro_mock.contracts.outbound.checks import OPERATIONS, OUTBOUND
from loyapro_mock.contracts.outbound.evidence import OutboundEvidence, PosCall
from loyapro_mock.contracts.outbound.probes import found_customers
from loyapro_mock.contracts.reference_pos.backend import normalise_mobile

_CREDENTIALS = ("no Authorization header", "a bearer token the POS never issued")


def _refusals(evidence: OutboundEvidence, operation_id: str) -> Verdict:
    calls = evidence.scenario(f"credentials.{operation_id}")
    if len(calls) < 2:
        return Verdict.not_exercised(f"{operation_id} was not called without the right credential")
    refused, items = calls[:2], []
    for call, credential in zip(refused, _CREDENTIALS, strict=True):
        items.append(call.as_evidence(f"with {credential}: {call.answer()}"))
    if operation_id == "upsert_customer" and len(calls) > 2:
        items.append(
            calls[2].as_evidence(f"search for the refused customer: {_stored_summary(evidence, calls[2])}")
        )
    accepted = [
        (call, credential)
        for call, credential in zip(refused, _CREDENTIALS, strict=True)
        if call.status != 401
    ]
    if accepted:
        return Verdict.failed(
            "; ".join(
                f"with {credential}, {call.target} answered {call.answer()}" for call, credential in accepted
            )
            + " (expected 401)",
            items,
            accepted[0][0].curl,
        )
    if operation_id == "upsert_customer":
        if len(calls) < 3 or not calls[2].json_ok:
            answer = calls[2].answer() if len(calls) > 2 else "not made"
            return Verdict.not_exercised(
                f"the search for the refused customer ({answer}) cannot tell whether it was stored"
            )
        stored = _stored(evidence, calls[2])
        if stored:
            return Verdict.failed(
                f"the push was answered 401 but the customer it carried ({evidence.intruder['name']}, "
                f"{evidence.intruder['mobile']}) was stored: a search with the right token finds it",
                items,
                calls[2].curl,
            )
        return Verdict.passed("both pushes answered 401 and stored nobody", items)
    return Verdict.passed("both calls answered 401", items)


def _stored(evidence: OutboundEvidence, search: PosCall) -> list[dict[str, object]]:
    wanted = normalise_mobile(str(evidence.intruder["mobile"]), evidence.intruder["dial_code"])
    return [
        customer
        for customer in found_customers(search)
        if normalise_mobile(str(customer.get("mobile", "")), customer.get("dial_code") or 966) == wanted
    ]


def _stored_summary(evidence: OutboundEvidence, search: PosCall) -> str:
    return (
        f"{search.answer()}, {len(_stored(evidence, search))} with its mobile"
        if search.json_ok
        else search.answer()
    )


def _credential_check(operation_id: str) -> Callable[[OutboundEvidence], Verdict]:
    def check(evidence: OutboundEvidence) -> Verdict:
        return _refusals(evidence, operation_id)

    return check


_ACTIONS = {
    "list_products": f"List products with {_CREDENTIALS[0]}, then with {_CREDENTIALS[1]}",
    "search_customers": f"Search customers by mobile with {_CREDENTIALS[0]}, then with {_CREDENTIALS[1]}",
    "upsert_customer": f"Push a new customer with {_CREDENTIALS[0]}, then with {_CREDENTIALS[1]}; "
    "search for it with the right token",
}

for _operation_id, (_prefix, _requirement, _area) in OPERATIONS.items():
    OUTBOUND.check(
        f"{_prefix}.refuses_bad_credentials",
        requirement=_requirement,
        area=_area,
        action=_ACTIONS[_operation_id],
        expected="401 to both, as pos-partner.yaml documents"
        + ("; the refused customer is not stored" if _operation_id == "upsert_customer" else ""),
    )(_credential_check(_operation_id))
