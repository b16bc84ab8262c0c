"""What LoyaPro accepts on an order webhook but a certification check fails: warnings.

The mock answers such an order as usual and lists each finding under ``violations`` with
severity ``warning``, so a POS developer sees while developing what certification will fail.
`payload_warnings` is pure, like `mockserver.domain.rules.check_order`; `redemption_warnings`
also reads the redemptions made on the order, which the order use case
(`mockserver.domain.usecases.order`) looks up in its transaction.

Rule names are stable; in brackets the certification check each one mirrors:

- ``order.timestamp``: ``timestamp`` is a Unix time in seconds (``payload.event_time``).
- ``order.line_status``: every product line carries its ``status`` (``payload.product_status``).
- ``order.discount_amount``: ``order.discount.amount`` equals ``order.discount_amount``
  (``payload.discount_amount``).
- ``order.discount_reason``: a discount of more than 0 names its reason
  (``payload.discount_reason``).
- ``redemption.discount``: a paid order carries a Loyalty Redemption discount of exactly what was
  redeemed on it, and none when nothing was (``rewards.discount_matches_order``).
- ``redemption.product``: a products reward's discount is on the line of the product chosen
  at redeem (``rewards.product_choice``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from loyapro_mock.mockserver.domain.orders import amount_text as _fmt
from loyapro_mock.mockserver.domain.orders import mapping, number
from loyapro_mock.mockserver.domain.rules import close
from loyapro_mock.mockserver.domain.violations import WARNING, Violation

__all__ = [
    "LOYALTY_REDEMPTION",
    "Discount",
    "describe_discounts",
    "loyalty_discount",
    "order_discounts",
    "payload_warnings",
    "redemption_warnings",
]

LOYALTY_REDEMPTION = "Loyalty Redemption"
#: 2000-01-01 .. 2100-01-01 in Unix seconds: what an event time in seconds looks like.
_SECONDS = (946_684_800, 4_102_444_800)
#: Fields of an order a POS might send as the redeem's ``order_id`` instead of its id.
_OTHER_IDS = ("reference", "number", "check_number")


class Discount(NamedTuple):
    """One discount an order carries: on the whole order, or on one product line."""

    pointer: str  # "/order/discount" or "/order/products/<i>/discount"
    reason: str | None
    amount: float
    reward_code: str | None
    product_id: str | None  # the line's product; None for the order-level discount

    def describe(self) -> str:
        """``a Coupon discount of 16`` / ``a discount of 5 with no reason on product P-1``."""
        text = f"a {self.reason} discount" if self.reason else "a discount"
        text += f" of {_fmt(self.amount)}"
        if not self.reason:
            text += " with no reason"
        if self.product_id is not None:
            text += f" on product {self.product_id}"
        return text


def _discount(pointer: str, holder: dict[str, Any], product_id: str | None) -> Discount | None:
    discount = holder.get("discount")
    details = discount if isinstance(discount, dict) else {}
    amount = number(holder.get("discount_amount")) or number(details.get("amount")) or 0.0
    reason = details.get("reason")
    if amount <= 0 and not reason:
        return None
    code = details.get("reward_code")
    return Discount(
        pointer,
        str(reason) if reason else None,
        amount,
        str(code) if code else None,
        product_id,
    )


def order_discounts(order: Mapping[str, Any]) -> list[Discount]:
    """Every discount ``order`` (the webhook's ``order`` object) carries, order level first.

    The amount is the holder's ``discount_amount`` (else the discount's own ``amount``); a
    discount object without a reason and of amount 0 is not a discount.
    """
    found: list[Discount] = []
    order = mapping(order)
    whole = _discount("/order/discount", order, None)
    if whole is not None:
        found.append(whole)
    products = order.get("products")
    for index, line in enumerate(products if isinstance(products, list) else []):
        if not isinstance(line, dict):
            continue
        product = mapping(line.get("product")).get("id")
        on_line = _discount(
            f"/order/products/{index}/discount", line, None if product is None else str(product)
        )
        if on_line is not None:
            found.append(on_line)
    return found


def describe_discounts(discounts: Iterable[Discount]) -> str:
    """``a Coupon discount of 16 and a Loyalty Redemption discount of 5`` (``no discount``)."""
    texts = [discount.describe() for discount in discounts]
    return " and ".join(texts) if texts else "no discount"


def loyalty_discount(order: Mapping[str, Any]) -> tuple[float, list[str]]:
    """The total Loyalty Redemption discount ``order`` carries, and the reward codes it names."""
    loyalty = [d for d in order_discounts(order) if d.reason == LOYALTY_REDEMPTION]
    return sum(d.amount for d in loyalty), [d.reward_code for d in loyalty if d.reward_code]


def _warning(pointer: str, message: str, rule: str) -> Violation:
    return Violation(pointer, message, rule, WARNING)


def _timestamp(body: Mapping[str, Any], out: list[Violation]) -> None:
    value = number(body.get("timestamp"))
    if value is None or _SECONDS[0] <= value <= _SECONDS[1]:
        return
    if value > _SECONDS[1] * 100:
        how = f"it looks like milliseconds (JavaScript's Date.now()); send {int(value // 1000)}"
    else:
        how = "it is before 2000 or after 2100"
    out.append(
        _warning(
            "/timestamp",
            f"timestamp {value:.0f} is not a Unix time in seconds: {how}",
            "order.timestamp",
        )
    )


def _line_status(order: Mapping[str, Any], out: list[Violation]) -> None:
    products = order.get("products")
    for index, line in enumerate(products if isinstance(products, list) else []):
        if isinstance(line, dict) and number(line.get("status")) is None:
            sent = "null" if "status" in line else "absent"
            out.append(
                _warning(
                    f"/order/products/{index}/status",
                    f"the line's status is {sent}; send the Foodics line status LoyaPro reads "
                    "as Added, Paid, Voided or Refunded",
                    "order.line_status",
                )
            )


def _discount_amount(order: Mapping[str, Any], out: list[Violation]) -> None:
    amount = number(order.get("discount_amount"))
    discount = order.get("discount")
    stated = number(discount.get("amount")) if isinstance(discount, dict) else None
    if amount is not None and stated is not None and abs(stated - amount) > 0.01:
        out.append(
            _warning(
                "/order/discount/amount",
                f"the discount's amount is {_fmt(stated)} but the order's discount_amount is "
                f"{_fmt(amount)}; send the same amount in both",
                "order.discount_amount",
            )
        )


def _reason(holder: Mapping[str, Any], pointer: str, out: list[Violation]) -> None:
    amount = number(holder.get("discount_amount")) or 0.0
    if amount <= 0:
        return
    discount = holder.get("discount")
    if isinstance(discount, dict) and discount.get("reason") in ("Coupon", LOYALTY_REDEMPTION):
        return
    sent = (
        "has no reason"
        if isinstance(discount, dict)
        else f"is {'null' if 'discount' in holder else 'absent'}"
    )
    out.append(
        _warning(
            f"{pointer}/discount",
            f"discount_amount is {_fmt(amount)} but the discount {sent}; send a discount with "
            "reason 'Coupon' or 'Loyalty Redemption'",
            "order.discount_reason",
        )
    )


def payload_warnings(payload: Any) -> list[Violation]:
    """Every warning rule the order webhook ``payload`` breaks, sorted by pointer."""
    body = payload if isinstance(payload, dict) else {}
    order = body.get("order")
    if not isinstance(order, dict):
        return []
    out: list[Violation] = []
    _timestamp(body, out)
    _line_status(order, out)
    _discount_amount(order, out)
    _reason(order, "/order", out)
    products = order.get("products")
    for index, line in enumerate(products if isinstance(products, list) else []):
        if isinstance(line, dict):
            _reason(line, f"/order/products/{index}", out)
    return sorted(out, key=lambda v: (v.pointer, v.rule))


def _named_by(order: Mapping[str, Any], order_id: str, other: str) -> str:
    """``; 329053 is the reference of order X, not its id`` when ``other`` (the order id a
    code was redeemed on) is another of the order's numbers; else ``""``."""
    for field in _OTHER_IDS:
        value = order.get(field)
        if value is not None and str(value) == other:
            return f"; {other} is the {field.replace('_', ' ')} of order {order_id}, not its id"
    return ""


def redemption_warnings(
    order: Mapping[str, Any],
    order_id: str,
    redemptions: Iterable[Mapping[str, Any]],
    elsewhere: Mapping[str, Mapping[str, Any]],
) -> list[Violation]:
    """How a paid order's loyalty discount disagrees with the rewards redeemed on it.

    ``order`` is the webhook's ``order`` object, ``redemptions`` the active redemptions made
    on ``order_id`` (``{code, discount_amount, product_id}``) and ``elsewhere`` the active
    redemption of each reward code the order's discounts name that was redeemed on another
    order (code -> ``{order_id, ...}``).
    """
    order = mapping(order)
    redemptions = list(redemptions)
    discounts = order_discounts(order)
    loyalty = [d for d in discounts if d.reason == LOYALTY_REDEMPTION]
    carried = sum(d.amount for d in loyalty)
    out: list[Violation] = []
    if redemptions:
        redeemed = sum(number(r.get("discount_amount")) or 0.0 for r in redemptions)
        if not close(carried, redeemed):
            codes = ", ".join(
                f"{r.get('code')} for {_fmt(number(r.get('discount_amount')) or 0.0)}" for r in redemptions
            )
            where = (loyalty or discounts)[0].pointer if discounts else "/order/discount"
            out.append(
                _warning(
                    where,
                    f"the order carries {describe_discounts(discounts)} where a Loyalty Redemption "
                    f"discount of {_fmt(redeemed)} was expected (redeemed on order {order_id}: "
                    f"{codes}); send the redeemed amount as a discount with reason "
                    "'Loyalty Redemption'",
                    "redemption.discount",
                )
            )
        out.extend(_product_warnings(redemptions, loyalty, discounts))
    elif carried > 0:
        text = (
            f"the order carries a Loyalty Redemption discount of {_fmt(carried)} but no reward "
            f"was redeemed on order {order_id}"
        )
        for code in sorted({d.reward_code for d in loyalty if d.reward_code}):
            other = elsewhere.get(code)
            if other is not None:
                other_id = str(other.get("order_id"))
                text += (
                    f"; code {code} was redeemed on order {other_id}{_named_by(order, order_id, other_id)}"
                )
        text += "; redeem each code with /redeem on this order's id before sending it paid"
        out.append(_warning(loyalty[0].pointer, text, "redemption.discount"))
    return out


def _product_warnings(
    redemptions: list[Mapping[str, Any]], loyalty: list[Discount], discounts: list[Discount]
) -> list[Violation]:
    out: list[Violation] = []
    on_lines = {d.product_id for d in loyalty if d.product_id is not None}
    for redemption in redemptions:
        product = redemption.get("product_id")
        if product is None or str(product) in on_lines:
            continue
        out.append(
            _warning(
                "/order/products",
                f"reward {redemption.get('code')} was redeemed for product {product} but the "
                f"order carries {describe_discounts(discounts)}; put the Loyalty Redemption "
                f"discount on the line of product {product}",
                "redemption.product",
            )
        )
    return out
