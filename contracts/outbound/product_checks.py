"""Product API round-trip checks: the pages together list every product once with stable
ids; and the negative of each: a page holds the size asked for and no more, a page past the
end is empty, paging parameters the contract forbids are refused, never clamped.
"""

from __future__ import annotations

from loyapro_mock.contracts.findings import Evidence, Verdict
from loyapro_mock.contracts.outbound.checks import OUTBOUND, refused_verdict
from loyapro_mock.contracts.outbound.evidence import OutboundEvidence, PosCall
from loyapro_mock.contracts.outbound.probes import LARGE_PAGE, MAX_PER_PAGE, SMALL_PAGE, page_items


def _walk_problem(calls: list[PosCall]) -> str:
    for call in calls:
        if not call.json_ok:
            return f"{call.target} answered {call.answer()}"
        meta = call.response.get("meta")
        if not isinstance(meta, dict) or not isinstance(call.response.get("data"), list):
            return f"{call.target} has no 'data' list or no 'meta' object"
    return ""


def _two_walks(
    evidence: OutboundEvidence, first: str, second: str, not_walked: str
) -> tuple[list[PosCall], list[PosCall], list[Evidence]] | Verdict:
    """The two named walks of the product list and the evidence of all their pages; or the
    verdict when either was not made or one of its pages has no data list and meta object."""
    one, two = evidence.scenario(first), evidence.scenario(second)
    if not one or not two:
        return Verdict.not_exercised(not_walked)
    items = [call.as_evidence(_page_summary(call)) for call in one + two]
    for calls in (one, two):
        problem = _walk_problem(calls)
        if problem:
            return Verdict.failed(problem, items, calls[-1].curl)
    return one, two, items


@OUTBOUND.check(
    "products.pages_complete",
    requirement="POS-09",
    area="Product API",
    action=f"Walk every page of the product list with per_page={SMALL_PAGE} and with per_page={LARGE_PAGE}",
    expected="Every product once, as many as meta.total, the same products whatever the page size",
)
def pages_complete(evidence: OutboundEvidence) -> Verdict:
    """The pages together list every product exactly once."""
    walks = _two_walks(evidence, "products_small", "products_large", "the product list was not walked")
    if isinstance(walks, Verdict):
        return walks
    small, large, items_evidence = walks
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
    walks = _two_walks(
        evidence, "products_small", "products_small_again", "the product list was not walked twice"
    )
    if isinstance(walks, Verdict):
        return walks
    first, second, items_evidence = walks
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


def _page_problem(call: PosCall) -> str:
    """What is wrong with one page's size and meta (empty: nothing)."""
    page, per_page = int(call.query["page"]), int(call.query["per_page"])
    data, meta = call.response["data"], call.response["meta"]
    if meta.get("per_page") != per_page or meta.get("current_page") != page:
        return (
            f"{call.target} answered meta.current_page {meta.get('current_page')} and meta.per_page "
            f"{meta.get('per_page')}, not the page and size asked for"
        )
    if len(data) > per_page:
        return f"{call.target} listed {len(data)} products, more than per_page={per_page}"
    last_page = meta.get("last_page")
    if isinstance(last_page, int) and page < last_page and len(data) != per_page:
        return (
            f"{call.target} listed {len(data)} products on page {page} of {last_page}, "
            f"not per_page={per_page}"
        )
    return ""


@OUTBOUND.check(
    "products.page_size_honoured",
    requirement="POS-09",
    area="Product API",
    action=f"Walk the product list with per_page={SMALL_PAGE} and with per_page={LARGE_PAGE} (the maximum)",
    expected="Each page but the last holds per_page products, none more; meta names the page and "
    "size asked for",
)
def page_size_honoured(evidence: OutboundEvidence) -> Verdict:
    """The POS pages by the size LoyaPro asks for, up to the maximum."""
    calls = evidence.scenario("products_small") + evidence.scenario("products_large")
    pages = [
        call
        for call in calls
        if call.json_ok
        and isinstance(call.response.get("data"), list)
        and isinstance(call.response.get("meta"), dict)
    ]
    if not pages:
        return Verdict.not_exercised("no product page answered data and meta")
    items = [call.as_evidence(_page_summary(call)) for call in pages]
    for call in pages:
        problem = _page_problem(call)
        if problem:
            return Verdict.failed(problem, items, call.curl)
    return Verdict.passed(f"{len(pages)} pages, each of the size asked for", items)


@OUTBOUND.check(
    "products.past_last_page_empty",
    requirement="POS-09",
    area="Product API",
    action=f"Ask for pages 1 and 10 past meta.last_page (per_page={SMALL_PAGE})",
    expected="200 with an empty data list: no product is listed twice, no page repeats",
)
def past_last_page_empty(evidence: OutboundEvidence) -> Verdict:
    """A page past the end lists nothing (it does not repeat the last page)."""
    calls = evidence.scenario("products_past_end")
    if not calls:
        return Verdict.not_exercised("the product list did not say its last page")
    items = [call.as_evidence(_page_summary(call)) for call in calls]
    for call in calls:
        data = call.response.get("data") if call.json_ok else None
        if call.status != 200 or data != []:
            listed = f" listing {len(data)} products" if isinstance(data, list) else ""
            return Verdict.failed(
                f"{call.target}, past the last page, answered {call.answer()}{listed}; expected 200 "
                "with an empty data list",
                items,
                call.curl,
            )
    return Verdict.passed(f"{len(calls)} pages past the end, each 200 and empty", items)


@OUTBOUND.check(
    "products.rejects_invalid_paging",
    requirement="POS-09",
    area="Product API",
    action=f"List products with page=0, -1, abc and per_page=0, -1, abc, {MAX_PER_PAGE + 1}",
    expected="A 4xx answer to each: an invalid page or page size is refused, never clamped",
)
def rejects_invalid_paging(evidence: OutboundEvidence) -> Verdict:
    """Paging parameters out of the contract's bounds are refused."""
    return refused_verdict(
        evidence.scenario("products_invalid"),
        not_sent="no invalid paging parameter was sent",
        requests="invalid paging requests",
        answered=_page_summary,
        summary=_page_summary,
    )
