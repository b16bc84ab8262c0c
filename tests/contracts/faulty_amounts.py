"""Faulty POS drivers whose amounts agree with each other but not with an independent source.

Every total of these orders reconciles and every order carries the discount that was
redeemed, so the checks of consistency pass; only grading against the POS's Product API and
the reward's terms catches them.
"""

from __future__ import annotations

from typing import Any

from loyapro_mock.contracts.driver import Driver
from loyapro_mock.contracts.orders import VAT, Ticket, r5


class SendsNetPricesAsGross(Driver):
    """Sells at the products' pre-tax prices as if they were the prices after tax.

    The till reads the net price column of its price list: every line is 15% low and so is
    every total, and the free product is taken off at its net price, yet every identity of
    the order holds.
    """

    CAUGHT_BY = frozenset({"orders.prices_match_catalogue", "rewards.amount_matches_terms"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catalogue = [
            {**product, "price": r5(float(product["price"]) / VAT)} for product in self.catalogue
        ]


class AppliesPercentageAsFixed(Driver):
    """Shows the percentage reward's cap as its value: 20% (at most 15) becomes 15 off.

    The session's percentage order comes to 26, so 20% is 5.2; the POS takes 15 off and
    redeems 15, which the mock accepts (15 is within the cap) and the order carries.
    """

    CAUGHT_BY = frozenset({"rewards.amount_matches_terms"})

    def discount_for(self, details: dict[str, Any], ticket: Ticket) -> tuple[float, str | None]:
        if details.get("kind") == "percentage" and details.get("max_discount_amount"):
            return float(details["max_discount_amount"]), None
        return super().discount_for(details, ticket)


class FreeProductAtNetPrice(Driver):
    """Takes the free product off at its pre-tax price: the customer still pays its VAT.

    The product the customer picked is allowed, named and discounted on its line, and the
    order carries the redeemed amount; the amount is 20.87 for a product listed at 24.
    """

    CAUGHT_BY = frozenset({"rewards.amount_matches_terms"})

    def discount_for(self, details: dict[str, Any], ticket: Ticket) -> tuple[float, str | None]:
        amount, product_id = super().discount_for(details, ticket)
        if details.get("kind") == "products":
            amount = r5(amount / VAT)
        return amount, product_id


FAULTY_AMOUNTS: tuple[type[Driver], ...] = (
    SendsNetPricesAsGross,
    AppliesPercentageAsFixed,
    FreeProductAtNetPrice,
)
