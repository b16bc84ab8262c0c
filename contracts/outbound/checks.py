"""Outbound checks: grade what the POS's Product and customer API answered.

Two families: contract conformance per operation and schemathesis category (generated
below, e.g. ``products.no_server_errors``), and round trips (a pushed customer is found by
mobile, partial Latin and partial Arabic name, a second push does not duplicate it, the
product pages are complete and their ids stable).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from loyapro_mock.contracts.findings import Verdict
from loyapro_mock.contracts.outbound.evidence import CATEGORIES, OutboundEvidence, PosCall
from loyapro_mock.contracts.outbound.probes import LARGE_PAGE, SMALL_PAGE, found_customers, page_items
from loyapro_mock.contracts.reference_pos.backend import normalise_mobile
from loyapro_mock.contracts.registry import CheckSpec, Registry

OUTBOUND: Registry[OutboundEvidence] = Registry("outbound")

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


def _matches(customer: dict[str, Any], push: dict[str, Any]) -> bool:
    mobile = normalise_mobile(str(customer.get("mobile", "")), customer.get("dial_code") or 966)
    return mobile == normalise_mobile(str(push["mobile"]), push["dial_code"])


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
    first_id = first.response.get("id") if isinstance(first.response, dict) else None
    again_id = again.response.get("id") if isinstance(again.response, dict) else None
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


def _walk_problem(calls: list[PosCall]) -> str:
    for call in calls:
        if not call.json_ok:
            return f"{call.target} answered {call.answer()}"
        meta = call.response.get("meta")
        if not isinstance(meta, dict) or not isinstance(call.response.get("data"), list):
            return f"{call.target} has no 'data' list or no 'meta' object"
    return ""


@OUTBOUND.check(
    "products.pages_complete",
    requirement="POS-09",
    area="Product API",
    action=f"Walk every page of the product list with per_page={SMALL_PAGE} and with per_page={LARGE_PAGE}",
    expected="Every product once, as many as meta.total, the same products whatever the page size",
)
def pages_complete(evidence: OutboundEvidence) -> Verdict:
    """The pages together list every product exactly once."""
    small, large = evidence.scenario("products_small"), evidence.scenario("products_large")
    if not small or not large:
        return Verdict.not_exercised("the product list was not walked")
    items_evidence = [call.as_evidence(_page_summary(call)) for call in small + large]
    for calls in (small, large):
        problem = _walk_problem(calls)
        if problem:
            return Verdict.failed(problem, items_evidence, calls[-1].curl)
    small_ids = [str(item.get("id")) for item in page_items(small)]
    large_ids = [str(item.get("id")) for item in page_items(large)]
    total = small[0].response["meta"].get("total")
    if len(set(small_ids)) != len(small_ids):
        duplicated = sorted({i for i in small_ids if small_ids.count(i) > 1})
        return Verdict.failed(
            f"products listed on more than one page: {', '.join(duplicated[:10])}",
            items_evidence,
            small[-1].curl,
        )
    if isinstance(total, int) and len(small_ids) != total:
        return Verdict.failed(
            f"the {len(small)} pages of {SMALL_PAGE} listed {len(small_ids)} products but "
            f"meta.total says {total}",
            items_evidence,
            small[-1].curl,
        )
    if set(small_ids) != set(large_ids):
        only_large = sorted(set(large_ids) - set(small_ids))
        only_small = sorted(set(small_ids) - set(large_ids))
        return Verdict.failed(
            f"pages of {SMALL_PAGE} and pages of {LARGE_PAGE} list different products "
            f"(only with {LARGE_PAGE}: {', '.join(only_large[:10]) or '-'}; "
            f"only with {SMALL_PAGE}: {', '.join(only_small[:10]) or '-'})",
            items_evidence,
            small[-1].curl,
        )
    return Verdict.passed(
        f"{len(small_ids)} products over {len(small)} pages of {SMALL_PAGE} "
        f"(meta.total {total}), the same {len(large_ids)} with pages of {LARGE_PAGE}",
        items_evidence,
    )


@OUTBOUND.check(
    "products.stable_ids",
    requirement="POS-09",
    area="Product API",
    action=f"Walk the product list twice with per_page={SMALL_PAGE}",
    expected="The same ids in the same order, each id naming the same product both times",
)
def stable_ids(evidence: OutboundEvidence) -> Verdict:
    """Product ids do not change between two walks of the list."""
    first, second = evidence.scenario("products_small"), evidence.scenario("products_small_again")
    if not first or not second:
        return Verdict.not_exercised("the product list was not walked twice")
    items_evidence = [call.as_evidence(_page_summary(call)) for call in first + second]
    for calls in (first, second):
        problem = _walk_problem(calls)
        if problem:
            return Verdict.failed(problem, items_evidence, calls[-1].curl)
    one, two = page_items(first), page_items(second)
    if not one:
        return Verdict.not_exercised("the product list is empty: no id to compare")
    ids_one = [str(item.get("id")) for item in one]
    ids_two = [str(item.get("id")) for item in two]
    if ids_one != ids_two:
        return Verdict.failed(
            "the two walks listed different ids or orders "
            f"(first: {', '.join(ids_one[:6])}...; second: {', '.join(ids_two[:6])}...)",
            items_evidence,
            first[0].curl,
        )
    changed = [
        a.get("id")
        for a, b in zip(one, two, strict=True)
        if (a.get("sku"), a.get("name")) != (b.get("sku"), b.get("name"))
    ]
    if changed:
        return Verdict.failed(
            f"the same id named another product on the second walk: {', '.join(map(str, changed[:10]))}",
            items_evidence,
            first[0].curl,
        )
    return Verdict.passed(f"{len(ids_one)} ids identical over two walks", items_evidence)


def _page_summary(call: PosCall) -> str:
    if not call.json_ok:
        return call.answer()
    data = call.response.get("data")
    meta = call.response.get("meta") or {}
    count = len(data) if isinstance(data, list) else "?"
    return f"{call.answer()}, {count} products, meta {meta}"
