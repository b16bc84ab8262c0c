"""The outbound registry and its conformance checks, one per operation and schemathesis
category (e.g. ``products.no_server_errors``).

The round-trip checks register after these, each family in its own module:
:mod:`.customer_checks` (push, search, and what a search must leave out),
:mod:`.product_checks` (pages and paging parameters), :mod:`.security_checks`
(every operation refuses a missing or a wrong credential).
"""

from __future__ import annotations

from collections.abc import Callable

from loyapro_mock.contracts.findings import Verdict
from loyapro_mock.contracts.outbound.evidence import CATEGORIES, OutboundEvidence, PosCall
from loyapro_mock.contracts.registry import CheckSpec, Registry

OUTBOUND: Registry[OutboundEvidence] = Registry("outbound")


def refused_verdict(
    calls: list[PosCall],
    *,
    not_sent: str,
    requests: str,
    answered: Callable[[PosCall], str],
    summary: Callable[[PosCall], str] = lambda call: "",
) -> Verdict:
    """Passed when every one of ``calls`` (requests the contract forbids) was answered 4xx.

    ``not_sent`` is the reason when there were none, ``requests`` names them in the passed
    message, ``answered`` says what a call that was not refused answered, ``summary`` sums
    up each call in the evidence.
    """
    if not calls:
        return Verdict.not_exercised(not_sent)
    items = [call.as_evidence(summary(call)) for call in calls]
    accepted = [call for call in calls if call.status is None or not 400 <= call.status < 500]
    if accepted:
        return Verdict.failed(
            "; ".join(f"{call.target} answered {answered(call)}" for call in accepted) + " (expected 4xx)",
            items,
            accepted[0].curl,
        )
    return Verdict.passed(f"{len(calls)} {requests}, each answered 4xx", items)


# operation id -> (check name prefix, requirement, area)
OPERATIONS: dict[str, tuple[str, str, str]] = {
    "list_products": ("products", "POS-09", "Product API"),
    "upsert_customer": ("customer_push", "POS-01", "Customer push"),
    "search_customers": ("customer_search", "POS-02", "Customer search"),
}

_CATEGORY_TEXT: dict[str, tuple[str, str, str]] = {
    "server_errors": (
        "no_server_errors",
        "Call {label} with generated valid and invalid input, and with query parameters the "
        "contract does not declare",
        "No 5xx answer and no dropped connection, whatever the input",
    ),
    "status_codes": (
        "status_codes",
        "Call {label} with generated input",
        "Only the status codes pos-partner.yaml documents for the operation",
    ),
    "response_schemas": (
        "response_schema",
        "Call {label} with generated input",
        "Every response body matches the schema pos-partner.yaml gives for its status",
    ),
    "content_types": (
        "content_type",
        "Call {label} with generated input",
        "Every response has a Content-Type pos-partner.yaml documents for its status",
    ),
    "negative_rejected": (
        "rejects_invalid_input",
        "Call {label} with input that breaks the contract (wrong types, missing fields, out-of-range values)",
        "A 4xx answer to every invalid request",
    ),
}


def _conformance_check(operation_id: str, category: str) -> Callable[[OutboundEvidence], Verdict]:
    def check(evidence: OutboundEvidence) -> Verdict:
        run = evidence.conformance.get(operation_id)
        if run is None:
            return Verdict.not_exercised(f"schemathesis did not run {operation_id}")
        if category == "server_errors":  # a request nobody answered is a failure here
            cases = run.positive_cases + run.negative_cases
        elif category == "negative_rejected":
            cases = run.negative_answered
        else:
            cases = run.positive_answered + run.negative_answered
        failures = run.failures_in(category)
        if failures:
            first = failures[0]
            titles = sorted({failure.title for failure in failures})
            return Verdict.failed(
                f"{len(failures)} of {cases} generated requests failed: {'; '.join(titles)}. "
                f"First: {first.target} answered "
                f"{'HTTP ' + str(first.status) if first.status is not None else 'nothing'}: "
                f"{first.message.strip().splitlines()[0] if first.message.strip() else first.title}",
                [failure.as_evidence() for failure in failures[:20]],
                first.curl,
            )
        if run.error and cases == 0:
            return Verdict.not_exercised(run.error)
        if cases == 0:
            return Verdict.not_exercised(f"no generated request got an answer to grade ({run.label})")
        return Verdict.passed(f"{cases} generated requests, none failed")

    return check


for _operation_id, (_prefix, _requirement, _area) in OPERATIONS.items():
    for _category in CATEGORIES:
        _suffix, _action, _expected = _CATEGORY_TEXT[_category]
        OUTBOUND.add(
            CheckSpec(
                name=f"{_prefix}.{_suffix}",
                requirement=_requirement,
                area=_area,
                action=_action.format(label=_operation_id),
                expected=_expected,
                function=_conformance_check(_operation_id, _category),
            )
        )
