"""Inbound checks on amounts, graded against sources the POS did not write in the same message.

That an order's totals add up (``orders.totals_reconcile``) and that it carries the discount
that was redeemed (``rewards.discount_matches_order``) only shows the POS agrees with itself:
an order whose every price is 15% low, or a 20% reward taken as a fixed 15, passes both.
These checks grade the amounts against what the POS did not write in that message:

- ``orders.prices_match_catalogue``: each line's unit price against the product's price in
  the catalogue the session was started with (the POS's own Product API), in the order's
  pricing mode;
- ``rewards.amount_matches_terms``: each redeemed ``discount_amount`` against the reward's
  terms as the session issued them: a percentage of the order's lines capped at
  ``max_discount_amount``, a fixed amount (no more than the order), or the chosen product's
  catalogue price.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loyapro_mock.contracts.findings import Verdict
from loyapro_mock.contracts.inbound.evidence import INBOUND, InboundEvidence, JournalEntry
from loyapro_mock.contracts.inbound.support import (
    PAID,
    cite,
    close,
    fmt,
    lines,
    number,
    obj,
    reproduce,
)
from loyapro_mock.contracts.session import DEFAULT_VAT_RATE, CatalogueProduct, SessionReward
from loyapro_mock.mockserver.domain.rules import pricing_mode

LOYALTY = "Loyalty Redemption"
_NO_CATALOGUE = (
    "the session has no catalogue of the POS's products: start it with "
    "`certify start --pos-url` so that prices are graded against the POS's Product API"
)


def _source(evidence: InboundEvidence) -> str:
    return evidence.session.catalogue_source or "the session's catalogue"


def _tax_rate(line: dict[str, Any]) -> float:
    """The line's VAT rate in % (the sum of its distinct taxes' rates; 15 when it names none)."""
    rates: dict[str, float] = {}
    taxes = line.get("taxes")
    for tax in taxes if isinstance(taxes, list) else []:
        if not isinstance(tax, dict):
            continue
        rate = number(obj(tax.get("pivot")).get("rate"))
        rate = rate if rate is not None else number(tax.get("rate"))
        if rate is not None:
            rates[str(tax.get("id") or rate)] = rate
    return sum(rates.values()) if rates else DEFAULT_VAT_RATE


def _options_per_unit(line: dict[str, Any]) -> float | None:
    """What the line's modifier options add to one unit (None without priced options)."""
    options = line.get("options")
    totals = [number(o.get("total_price")) for o in options if isinstance(o, dict)] if options else []
    quantity = number(line.get("quantity")) or 0.0
    priced = [total for total in totals if total]
    if not priced or quantity <= 0:
        return None
    return sum(priced) / quantity


# -- prices ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PricedLine:
    """One order line's unit price next to the catalogue's price for it."""

    entry: JournalEntry
    product_id: str
    name: str
    unit: float  # as sent, options included when it has priced options
    expected: float  # the catalogue price in the order's pricing mode
    product: CatalogueProduct
    mode: str
    rate: float

    @property
    def matches(self) -> bool:
        return close(self.unit, self.expected)

    def describe(self, source: str) -> str:
        listed = f"{source} says {self.product.price:.2f} ({self.product.listed_as})"
        if not close(self.expected, self.product.price):
            listed += f", i.e. {self.expected:.2f} in this tax-{self.mode} order"
        return f"line {self.product_id} '{self.name}': unit price {self.unit:.2f}, {listed}"


def _read_lines(
    evidence: InboundEvidence,
) -> tuple[list[_PricedLine], list[tuple[JournalEntry, str, str]]]:
    """The session's distinct order lines: priced against the catalogue, or of unknown products."""
    priced: list[_PricedLine] = []
    unknown: list[tuple[JournalEntry, str, str]] = []
    seen: set[tuple[str, ...]] = set()
    for entry in evidence.orders():
        mode = pricing_mode(entry.order)
        for index, line in enumerate(lines(entry.order)):
            product = obj(line.get("product"))
            unit = number(line.get("unit_price"))
            if product.get("id") is None or unit is None:
                continue  # the payload checks grade missing ids and prices
            product_id, name = str(product["id"]), str(product.get("name") or "")
            options = _options_per_unit(line)
            sent = unit + options if options is not None else unit
            key = (str(entry.order_id), str(line.get("id") or index), product_id, f"{sent:.5f}", mode)
            if key in seen:
                continue
            seen.add(key)
            known = evidence.session.product(product_id)
            if known is None:
                unknown.append((entry, product_id, name))
                continue
            rate = _tax_rate(line)
            expected = known.price_in(mode, rate)
            if options is not None and close(unit, expected):
                sent = unit  # the catalogue price is the base price; the options are extra
            priced.append(_PricedLine(entry, product_id, name, sent, expected, known, mode, rate))
    return priced, unknown


def _pattern(wrong: list[_PricedLine], graded: int) -> str:
    """What the mispriced lines have in common (every line 13.04% low: net prices?)."""
    ratios = [item.unit / item.expected for item in wrong if item.expected > 0]
    if len(wrong) < graded or len(ratios) < len(wrong) or max(ratios) - min(ratios) > 0.002:
        return f"{len(wrong)} of {graded} lines differ from it"
    ratio = sum(ratios) / len(ratios)
    off = (1 - ratio) * 100
    text = f"every line is {abs(off):.2f}% {'low' if off > 0 else 'high'}"
    factor = 1 + wrong[0].rate / 100
    if abs(ratio - 1 / factor) < 0.002:
        text += " — net prices sent as prices after tax?"
    elif abs(ratio - factor) < 0.002:
        text += " — tax added to prices that already include it?"
    return text


@INBOUND.check(
    "orders.prices_match_catalogue",
    requirement="ORD-05",
    area="Money",
    action="Sell products of the POS's catalogue",
    expected="Each order line's unit price (and so its totals) is the product's price in the POS's "
    "Product API, in the order's pricing mode (tax-inclusive: after 15% VAT; tax-exclusive: before)",
)
def prices_match_catalogue(evidence: InboundEvidence) -> Verdict:
    """The prices LoyaPro receives are the POS's own prices, not merely self-consistent ones."""
    if not evidence.session.catalogue:
        return Verdict.not_exercised(_NO_CATALOGUE)
    if not evidence.orders():
        return Verdict.not_exercised("the POS sent no order during the session")
    priced, unknown = _read_lines(evidence)
    if not priced and not unknown:
        return Verdict.not_exercised("no order line carried a product id and a unit_price")
    source = _source(evidence)
    wrong = [item for item in priced if not item.matches]
    if wrong:
        more = f"; and {len(unknown)} lines of products it does not list" if unknown else ""
        first_per_entry = {line.entry.id: line for line in reversed(wrong)}
        return Verdict.failed(
            f"{wrong[0].describe(source)}; {_pattern(wrong, len(priced))}{more}",
            [
                item
                for line in sorted(first_per_entry.values(), key=lambda line: line.entry.id)
                for item in cite(
                    [line.entry], f"{line.product_id} at {line.unit:.2f}, not {line.expected:.2f}"
                )
            ],
            reproduce(evidence, wrong[0].entry),
        )
    if unknown:
        entry, product_id, name = unknown[0]
        more = f" (+{len(unknown) - 1} more)" if len(unknown) > 1 else ""
        return Verdict.failed(
            f"line {product_id} '{name}' of order {entry.order_id}: {source} lists no product "
            f"{product_id} (it lists {len(evidence.session.catalogue)}): LoyaPro cannot match the "
            f"line to a product of the POS{more}",
            cite([item[0] for item in unknown], "product not in the catalogue"),
            reproduce(evidence, entry),
        )
    modes = sorted({f"tax-{item.mode}" for item in priced})
    return Verdict.passed(
        f"{len(priced)} order lines at the prices {source} lists ({', '.join(modes)} orders)",
        cite(list({item.entry.id: item.entry for item in priced}.values())[:5]),
    )


# -- redeemed amounts --------------------------------------------------------------------


@dataclass(frozen=True)
class _Grade:
    """One redeem graded against its reward's terms."""

    outcome: str  # "ok" | "wrong" | "ungraded"
    text: str
    entries: tuple[JournalEntry, ...]


def _order_after(evidence: InboundEvidence, redeem: JournalEntry) -> JournalEntry | None:
    """The order the redeem was made on, as sent after it (its paid call when there is one)."""
    after = [e for e in evidence.orders() if e.order_id == redeem.order_id and e.id > redeem.id]
    paid = [e for e in after if e.order_status == PAID]
    return (paid or after)[0] if after else None


def _lookup_before(evidence: InboundEvidence, redeem: JournalEntry) -> dict[str, Any]:
    """What the mock answered to the last successful lookup of the code before the redeem."""
    for entry in reversed(evidence.of("reward")):
        if entry.id < redeem.id and entry.accepted and entry.reward_code == redeem.reward_code:
            return entry.response if isinstance(entry.response, dict) else {}
    return {}


def _eligible(order: dict[str, Any], code: str) -> float:
    """The order's lines before this reward's own discount (what the mock caps a percentage by)."""
    total = 0.0
    for line in lines(order):
        total += number(line.get("total_price")) or 0.0
        discount = line.get("discount")
        if (
            isinstance(discount, dict)
            and discount.get("reason") == LOYALTY
            and discount.get("reward_code") == code
        ):
            total += number(line.get("discount_amount")) or 0.0
    return total


def _capped(share: float, cap: float | None) -> float:
    return min(share, cap) if cap is not None else share


def _order_share(
    evidence: InboundEvidence, redeem: JournalEntry, reward: SessionReward, got: float
) -> _Grade:
    """A percentage or fixed-amount redeem against the order it was redeemed on."""
    code, order_id = reward.code, redeem.order_id
    order = _order_after(evidence, redeem)
    if order is None:
        return _Grade("ungraded", f"no order {order_id} was sent after the redeem of {code}", (redeem,))
    eligible = _eligible(order.order, code)
    cap = reward.max_discount_amount
    if reward.kind == "percentage":
        share = round(eligible * reward.discount_amount / 100, 5)
        expected = _capped(share, cap)
        terms = f"{reward.discount_amount:g}% of the order's {fmt(eligible)} = {fmt(share)}"
        terms += f", at most {fmt(cap)}" if cap is not None else ""
    else:
        expected = min(reward.discount_amount, eligible)
        terms = f"a fixed {fmt(reward.discount_amount)}"
        terms += f", no more than the order's {fmt(eligible)}" if eligible < reward.discount_amount else ""
    entries = (redeem, order)
    if close(got, expected):
        return _Grade("ok", f"{reward.kind} {fmt(got)} ({terms})", entries)
    hint = ""
    if reward.kind == "percentage" and cap is not None and close(got, cap):
        hint = " — the cap taken as a fixed amount?"
    elif reward.kind == "percentage" and close(got, reward.discount_amount):
        hint = " — the percentage taken as an amount?"
    return _Grade(
        "wrong",
        f"redeem {code} on order {order_id} took {fmt(got)} off; the reward is {terms}: "
        f"expected {fmt(expected)}{hint}",
        entries,
    )


def _product_price(
    evidence: InboundEvidence, redeem: JournalEntry, reward: SessionReward, got: float
) -> _Grade:
    """A free-product redeem against the chosen product's price in the catalogue."""
    code, order_id = reward.code, redeem.order_id
    lookup = _lookup_before(evidence, redeem)
    product_id = redeem.field("product_id")
    allowed = lookup.get("allowed_products") or [{"id": item} for item in reward.allowed_products]
    if not product_id and isinstance(allowed, list) and len(allowed) == 1 and isinstance(allowed[0], dict):
        product_id = allowed[0].get("id")  # the mock's rule: a single allowed product is implied
    if not product_id:
        return _Grade(
            "ungraded",
            f"the redeem of {code} names no product to price (see rewards.product_choice)",
            (redeem,),
        )
    if not evidence.session.catalogue:
        return _Grade(
            "ungraded", f"the free product {product_id} cannot be priced: {_NO_CATALOGUE}", (redeem,)
        )
    source = _source(evidence)
    product = evidence.session.product(product_id)
    if product is None:
        return _Grade(
            "wrong", f"redeem {code} names product {product_id}, which {source} does not list", (redeem,)
        )
    order = _order_after(evidence, redeem)
    line = next(
        (
            item
            for item in lines(order.order if order else {})
            if str(obj(item.get("product")).get("id")) in (product.id, product.sku)
        ),
        None,
    )
    mode = pricing_mode(order.order) if order else "inclusive"
    rate = _tax_rate(line) if line is not None else DEFAULT_VAT_RATE
    price = product.price_in(mode, rate)
    cap, percent = reward.max_discount_amount, reward.discount_amount
    expected = _capped(round(price * percent / 100, 5), cap)
    accepted = [expected]
    options = _options_per_unit(line) if line is not None else None
    if options is not None and lookup.get("discount_includes_modifiers", True):
        accepted.append(_capped(round((price + options) * percent / 100, 5), cap))
    entries = (redeem, order) if order else (redeem,)
    what = "free" if percent == 100 else f"{percent:g}% off"
    if any(close(got, amount) for amount in accepted):
        return _Grade("ok", f"products {fmt(got)} ({product.name or product.id} {what})", entries)
    listed = f"{source} lists it at {product.price:.2f} ({product.listed_as})"
    if not close(price, product.price):
        listed += f", i.e. {price:.2f} in this tax-{mode} order"
    hint = ""
    if close(got, product.price_in("exclusive", rate)) and not close(price, got):
        hint = " — its price before tax?"
    return _Grade(
        "wrong",
        f"redeem {code} on order {order_id} took {fmt(got)} off for product {product.id} "
        f"'{product.name}' ({what}); {listed}: expected {fmt(expected)}{hint}",
        entries,
    )


def _grade(evidence: InboundEvidence, redeem: JournalEntry, reward: SessionReward) -> _Grade:
    got = number(redeem.field("discount_amount"))
    if got is None:
        return _Grade("ungraded", f"the redeem of {reward.code} carries no discount_amount", (redeem,))
    if reward.kind == "products":
        return _product_price(evidence, redeem, reward, got)
    return _order_share(evidence, redeem, reward, got)


@INBOUND.check(
    "rewards.amount_matches_terms",
    requirement="POS-08",
    area="Rewards",
    action="Redeem each session reward code",
    expected="Each redeemed discount_amount is what the reward's terms give on that order: the "
    "percentage of the order's lines (capped at max_discount_amount), the fixed amount (at most "
    "the order), or the chosen product's price in the POS's Product API",
)
def amount_matches_terms(evidence: InboundEvidence) -> Verdict:
    """LoyaPro records what the reward is worth, not whatever the POS took off."""
    rewards = {reward.code: reward for reward in evidence.session.rewards}
    redeems = [entry for entry in evidence.of("redeem") if entry.accepted and entry.reward_code in rewards]
    if not redeems:
        return Verdict.not_exercised("no session reward code was redeemed successfully")
    grades = [_grade(evidence, redeem, rewards[str(redeem.reward_code)]) for redeem in redeems]
    wrong = [grade for grade in grades if grade.outcome == "wrong"]
    if wrong:
        more = f" (+{len(wrong) - 1} more)" if len(wrong) > 1 else ""
        return Verdict.failed(
            wrong[0].text + more,
            cite([entry for grade in wrong for entry in grade.entries]),
            reproduce(evidence, wrong[0].entries[0]),
        )
    ungraded = [grade for grade in grades if grade.outcome == "ungraded"]
    ok = [grade for grade in grades if grade.outcome == "ok"]
    if ungraded:
        graded = f"; {len(ok)} other redeems match their terms" if ok else ""
        return Verdict.not_exercised(f"not graded: {'; '.join(grade.text for grade in ungraded)}{graded}")
    return Verdict.passed(
        "redeemed amounts match the rewards' terms: " + "; ".join(grade.text for grade in ok),
        cite([entry for grade in ok for entry in grade.entries]),
    )
