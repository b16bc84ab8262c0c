"""Inbound checks on rewards: code entry, lookup before redeem, choice, redemption, discount."""

from __future__ import annotations

from collections import defaultdict

from loyapro_mock.contracts.findings import Verdict
from loyapro_mock.contracts.inbound.evidence import INBOUND, InboundEvidence, JournalEntry
from loyapro_mock.contracts.inbound.support import (
    VOID_STATUSES,
    cite,
    close,
    describe_discounts,
    fmt,
    lines,
    loyalty_discount,
    named_by,
    number,
    order_discounts,
    refusal,
    reproduce,
)
from loyapro_mock.contracts.session import REWARD_KINDS
from loyapro_mock.mockserver.domain.customers import normalise_mobile


def _session_calls(evidence: InboundEvidence) -> list[JournalEntry]:
    codes = {reward.code for reward in evidence.session.rewards}
    return [entry for entry in evidence.of("reward") + evidence.of("redeem") if entry.reward_code in codes]


@INBOUND.check(
    "rewards.code_with_customer",
    requirement="POS-05",
    area="Rewards",
    action="Type each session reward code in the POS's reward field for its customer",
    expected="Lookups and redeems carry the code exactly as issued and the mobile of the "
    "customer it was issued to",
)
def code_with_customer(evidence: InboundEvidence) -> Verdict:
    """The code field reaches LoyaPro with the right customer."""
    calls = sorted(_session_calls(evidence), key=lambda entry: entry.id)
    if not calls:
        return Verdict.not_exercised("no session reward code was looked up or redeemed")
    owners = {reward.code: reward.customer_mobile for reward in evidence.session.rewards}
    wrong = [
        entry
        for entry in calls
        if _mobile(entry.field("customer_mobile_number"), entry.field("mobile_country_code"))
        != _mobile(owners[str(entry.reward_code)], 966)
    ]
    if wrong:
        first = wrong[0]
        return Verdict.failed(
            f"{len(wrong)} calls sent a code with another customer's mobile: "
            f"{first.field('customer_mobile_number')!r} for {first.reward_code}, which was issued to "
            f"{owners[str(first.reward_code)]} ({first.operation} in journal #{first.id}, mock answered "
            f"{refusal(first)})",
            cite(wrong),
            reproduce(evidence, wrong[0]),
        )
    return Verdict.passed(f"{len(calls)} lookups and redeems with the code's customer", cite(calls))


def _mobile(value: object, dial_code: object) -> tuple[int, str] | None:
    try:
        return normalise_mobile(str(value or ""), dial_code if isinstance(dial_code, str | int) else None)
    except ValueError:
        return None


@INBOUND.check(
    "rewards.lookup_before_redeem",
    requirement="POS-06",
    area="Rewards",
    action="Enter a reward code, then confirm the reward",
    expected="Each redeem follows a successful lookup (/reward) of the same code",
)
def lookup_before_redeem(evidence: InboundEvidence) -> Verdict:
    """The POS verifies a code with LoyaPro before redeeming it."""
    redeems = evidence.of("redeem")
    if not redeems:
        return Verdict.not_exercised("the POS redeemed no reward")
    lookups = [entry for entry in evidence.of("reward") if entry.accepted]
    blind = [
        redeem
        for redeem in redeems
        if not any(seen.reward_code == redeem.reward_code and seen.id < redeem.id for seen in lookups)
    ]
    if blind:
        first = blind[0]
        return Verdict.failed(
            f"{len(blind)} of {len(redeems)} redeems had no successful lookup of their code "
            f"before them; first: {first.reward_code}, redeemed in journal #{first.id} "
            f"{_lookups_of(evidence, first)}",
            cite(blind),
            reproduce(evidence, first),
        )
    return Verdict.passed(f"all {len(redeems)} redeems followed a lookup", cite(redeems))


def _lookups_of(evidence: InboundEvidence, redeem: JournalEntry) -> str:
    """What lookups of a redeem's code there were: none, refused ones, later ones."""
    lookups = [entry for entry in evidence.of("reward") if entry.reward_code == redeem.reward_code]
    before = [entry for entry in lookups if entry.id < redeem.id]
    if before:
        return "after lookups the mock refused: " + ", ".join(
            f"#{entry.id} {refusal(entry)}" for entry in before
        )
    if lookups:
        return f"and looked up only afterwards, in journal #{lookups[0].id}"
    return "with no lookup of the code at all"


def _redemptions_by_order(evidence: InboundEvidence) -> dict[str, list[JournalEntry]]:
    grouped: dict[str, list[JournalEntry]] = defaultdict(list)
    for redeem in evidence.of("redeem"):
        if redeem.accepted and redeem.order_id is not None:
            grouped[redeem.order_id].append(redeem)
    return grouped


def _following_order(evidence: InboundEvidence, order_id: str, after: int) -> JournalEntry | None:
    for entry in evidence.orders():
        if entry.order_id == order_id and entry.id > after:
            return entry
    return None


@INBOUND.check(
    "rewards.discount_matches_order",
    requirement="POS-08",
    area="Rewards",
    action="Redeem a reward, then send the order it was redeemed on",
    expected="That order carries a discount with reason 'Loyalty Redemption' of exactly the "
    "redeemed amount, and no order carries a loyalty discount nobody redeemed",
)
def discount_matches_order(evidence: InboundEvidence) -> Verdict:
    """The discount on the order is the discount that was redeemed."""
    by_order = _redemptions_by_order(evidence)
    if not by_order:
        return Verdict.not_exercised("no reward was redeemed successfully")
    problems: list[tuple[str, list[JournalEntry]]] = []
    matched: list[JournalEntry] = []
    for order_id, redeems in by_order.items():
        redeemed = sum(number(r.field("discount_amount")) or 0.0 for r in redeems)
        codes = ", ".join(f"{r.reward_code} for {fmt(number(r.field('discount_amount')))}" for r in redeems)
        order = _following_order(evidence, order_id, max(r.id for r in redeems))
        if order is None:
            other = named_by(evidence, order_id)
            text = f"the redeem of {codes} names order_id {order_id}, " + (
                f"but {other}" if other else "and no order of that id was sent after it"
            )
            problems.append((text, redeems))
            continue
        carried, _ = loyalty_discount(order.order)
        if not close(carried, redeemed):
            problems.append(
                (
                    f"order {order_id} carries {describe_discounts(order_discounts(order.order))} "
                    f"where a Loyalty Redemption discount of {fmt(redeemed)} was expected "
                    f"(redeemed: {codes})",
                    [*redeems, order],
                )
            )
        else:
            matched.extend([*redeems, order])
    for entry in evidence.orders():
        carried, named = loyalty_discount(entry.order)
        if carried > 0 and entry.order_id not in by_order:
            problems.append(
                (
                    f"order {entry.order_id} carries a Loyalty Redemption discount of "
                    f"{fmt(carried)} that was never redeemed on it{_what_became_of(evidence, named)}",
                    [entry],
                )
            )
    if problems:
        text, entries = problems[0]
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        return Verdict.failed(
            text + more,
            cite([entry for _, group in problems for entry in group]),
            reproduce(evidence, entries[-1]),
        )
    return Verdict.passed(
        f"orders carrying exactly the redeemed discount: {len(by_order)} of {len(by_order)}", cite(matched)
    )


def _what_became_of(evidence: InboundEvidence, codes: list[str]) -> str:
    """``; code FIX-1 was redeemed on order 329053`` / ``; its redeem ... was refused``."""
    notes = []
    for code in codes:
        redeems = [entry for entry in evidence.of("redeem") if entry.reward_code == code]
        accepted = [entry for entry in redeems if entry.accepted]
        if accepted:
            notes.append(f"code {code} was redeemed on order {accepted[-1].order_id}")
        elif redeems:
            notes.append(f"the redeem of {code} was refused ({refusal(redeems[-1])})")
        else:
            notes.append(f"code {code} was never redeemed")
    return "".join(f"; {note}" for note in notes)


@INBOUND.check(
    "rewards.single_use",
    requirement="POS-08",
    area="Rewards",
    action="Redeem each reward code",
    expected="No code is redeemed for a second order (unless its first order was voided)",
)
def single_use(evidence: InboundEvidence) -> Verdict:
    """One code, one order."""
    redeems = evidence.of("redeem")
    if not redeems:
        return Verdict.not_exercised("the POS redeemed no reward")
    voided = {
        (entry.order_id, entry.id) for entry in evidence.orders() if entry.order_status in VOID_STATUSES
    }
    reused = []
    by_code: dict[str | None, list[JournalEntry]] = defaultdict(list)
    for redeem in redeems:
        by_code[redeem.reward_code].append(redeem)
    for code_redeems in by_code.values():
        first = code_redeems[0]
        for later in code_redeems[1:]:
            released = any(order_id == first.order_id and first.id < at < later.id for order_id, at in voided)
            if later.order_id != first.order_id and not released:
                reused.append((first, later))
    if reused:
        first, later = reused[0]
        return Verdict.failed(
            f"code {first.reward_code} was redeemed for order {first.order_id} and again for "
            f"order {later.order_id} (mock answered {refusal(later)})",
            cite([entry for pair in reused for entry in pair]),
            reproduce(evidence, later),
        )
    return Verdict.passed(f"{len(by_code)} codes, each redeemed for one order", cite(redeems))


@INBOUND.check(
    "rewards.all_kinds_redeemed",
    requirement="POS-08",
    area="Rewards",
    action="Redeem the session's products, percentage and fixed-amount codes",
    expected="A successful redeem of each of the three reward kinds",
)
def all_kinds_redeemed(evidence: InboundEvidence) -> Verdict:
    """Each reward kind went through the POS's redemption flow."""
    if not evidence.session.rewards:
        return Verdict.not_exercised("the session issued no reward code")
    codes = {reward.code for reward in evidence.session.rewards}
    if not any(entry.reward_code in codes for entry in evidence.of("redeem")):
        # the reward steps were not performed: nothing to grade (a POS that redeems some
        # kinds but not another, or whose redeem is refused, fails below)
        return Verdict.not_exercised("the POS sent no redeem of a session reward code")
    redeemed = {
        evidence.kind_of(entry.reward_code): entry
        for entry in evidence.of("redeem")
        if entry.accepted and evidence.kind_of(entry.reward_code)
    }
    missing = [kind for kind in REWARD_KINDS if kind not in redeemed]
    if missing:
        refused = [
            entry
            for entry in evidence.of("redeem")
            if not entry.accepted and evidence.kind_of(entry.reward_code) in missing
        ]
        fates = [_fate(evidence, kind, refused) for kind in missing]
        why = (
            fates[0]
            if len(fates) == 1
            else "; ".join(f"{k}: {f}" for k, f in zip(missing, fates, strict=True))
        )
        return Verdict.failed(
            f"no successful redeem of the {', '.join(missing)} code{'s' if len(missing) > 1 else ''}: {why}",
            cite([*redeemed.values(), *refused]),
            reproduce(evidence, refused[0]) if refused else "",
        )
    return Verdict.passed("products, percentage and fixed_amount codes redeemed", cite(redeemed.values()))


def _fate(evidence: InboundEvidence, kind: str, refused: list[JournalEntry]) -> str:
    """What became of a kind's code: the last redeem of it the mock refused, or none."""
    mine = [entry for entry in refused if evidence.kind_of(entry.reward_code) == kind]
    if not mine:
        codes = [reward.code for reward in evidence.session.rewards if reward.kind == kind]
        return f"{codes[0] if codes else 'the code'} was never redeemed"
    last = mine[-1]
    return (
        f"the mock refused the redeem of {last.reward_code} with {refusal(last)} "
        f"(discount_amount {last.field('discount_amount')!r}, journal #{last.id})"
    )


@INBOUND.check(
    "rewards.product_choice",
    requirement="POS-07",
    area="Rewards",
    action="Redeem the products code for the product the customer picks",
    expected="The redeem names the chosen product (product_id, one the reward allows) and the "
    "order discounts that product's line",
)
def product_choice(evidence: InboundEvidence) -> Verdict:
    """The cashier's choice of free product reaches LoyaPro and the order."""
    redeems = [
        entry
        for entry in evidence.of("redeem")
        if entry.accepted and evidence.kind_of(entry.reward_code) == "products"
    ]
    if not redeems:
        return Verdict.not_exercised("the products code was not redeemed")
    for redeem in redeems:
        product_id = redeem.field("product_id")
        allowed = _allowed_products(evidence, redeem)
        if not product_id:
            return Verdict.failed(
                f"the redeem of {redeem.reward_code} names no product_id",
                cite([redeem]),
                reproduce(evidence, redeem),
            )
        if allowed and str(product_id) not in allowed:
            return Verdict.failed(
                f"product {product_id} is not one the reward allows ({', '.join(sorted(allowed))})",
                cite([redeem]),
                reproduce(evidence, redeem),
            )
        order = _following_order(evidence, str(redeem.order_id), redeem.id)
        discounted = [
            str((line.get("product") or {}).get("id"))
            for line in lines(order.order if order else {})
            if isinstance(line.get("discount"), dict)
            and line["discount"].get("reason") == "Loyalty Redemption"
        ]
        if order is not None and str(product_id) not in discounted:
            return Verdict.failed(
                f"order {redeem.order_id} discounts {', '.join(discounted) or 'no line'} "
                f"but the customer chose {product_id}",
                cite([redeem, order]),
                reproduce(evidence, order),
            )
    return Verdict.passed(
        f"product redemptions naming the chosen product: {len(redeems)} of {len(redeems)}", cite(redeems)
    )


def _allowed_products(evidence: InboundEvidence, redeem: JournalEntry) -> set[str]:
    for lookup in reversed(evidence.of("reward")):
        if lookup.id < redeem.id and lookup.accepted and lookup.reward_code == redeem.reward_code:
            allowed = lookup.response.get("allowed_products") if isinstance(lookup.response, dict) else None
            if isinstance(allowed, list):
                return {str(item.get("id")) for item in allowed if isinstance(item, dict)}
    for reward in evidence.session.rewards:
        if reward.code == redeem.reward_code:
            return set(reward.allowed_products)
    return set()
