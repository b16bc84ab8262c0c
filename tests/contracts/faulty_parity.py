"""Faulty POS drivers whose bug one request shows: certification fails them, and `serve`
already says so on the answer (a warning or an error), so a developer sees it while
developing.

Each class names the inbound checks that must catch its bug (``CAUGHT_BY``), and the
rules of the violations the mock journals for it (``SERVE_RULES``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from loyapro_mock.contracts.driver import Driver
from loyapro_mock.contracts.orders import Ticket, r5
from loyapro_mock.contracts.session import SessionReward


class LabelsRedemptionAsCoupon(Driver):
    """Its order-level discount screen files every discount as a Coupon, loyalty ones too."""

    CAUGHT_BY = frozenset({"rewards.discount_matches_order"})
    SERVE_RULES = frozenset({"redemption.discount"})

    def apply_discount(
        self, ticket: Ticket, reward: SessionReward, amount: float, product_id: str | None
    ) -> None:
        super().apply_discount(ticket, reward, amount, product_id)
        if product_id is None and ticket.discount is not None:
            ticket.discount["reason"] = "Coupon"


class RedeemsOnOrderReference(Driver):
    """Sends the receipt reference the cashier sees as the redeem's order_id, not the order id."""

    # the codes end redeemed on orders LoyaPro never receives
    CAUGHT_BY = frozenset(
        {
            "rewards.discount_matches_order",
            "outcomes.reward_products",
            "outcomes.reward_percentage",
            "outcomes.reward_fixed_amount",
        }
    )
    #: the redeems name orders that never arrive, so their amounts cannot be graded
    UNGRADED = frozenset({"rewards.amount_matches_terms"})
    SERVE_RULES = frozenset({"redemption.discount"})

    def redeem(
        self, reward: SessionReward, ticket: Ticket, amount: float, product_id: str | None = None
    ) -> bool:
        on_reference = dataclasses.replace(ticket, id=str(ticket.reference))
        return super().redeem(reward, on_reference, amount, product_id)


class AcceptsAnything(Driver):
    """Keeps its HTTP client's default 'Accept: */*' instead of asking for JSON."""

    CAUGHT_BY = frozenset({"headers.accept"})
    SERVE_RULES = frozenset({"header.accept"})

    def headers(self) -> dict[str, str]:
        return {**super().headers(), "Accept": "*/*"}


class RedeemsFixedAmountWithVat(Driver):
    """Adds VAT on top of a fixed-amount reward, so it asks for more than the reward gives."""

    CAUGHT_BY = frozenset(
        {"rewards.all_kinds_redeemed", "session.no_refusals", "outcomes.reward_fixed_amount"}
    )
    SERVE_RULES = frozenset({"discount_exceeds_reward"})

    def discount_for(self, details: dict[str, Any], ticket: Ticket) -> tuple[float, str | None]:
        amount, product_id = super().discount_for(details, ticket)
        if details.get("kind") == "fixed_amount":
            amount = r5(amount * 1.15)
        return amount, product_id


PARITY_DRIVERS: tuple[type[Driver], ...] = (
    LabelsRedemptionAsCoupon,
    RedeemsOnOrderReference,
    AcceptsAnything,
    RedeemsFixedAmountWithVat,
)
