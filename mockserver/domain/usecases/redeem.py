"""The redeem webhook: a reward code used on an order, exactly once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loyapro_mock.mockserver.domain import reward_codes
from loyapro_mock.mockserver.domain.errors import invalid
from loyapro_mock.mockserver.domain.orders import number
from loyapro_mock.mockserver.domain.usecases import bodies
from loyapro_mock.mockserver.domain.usecases.loyapro import LoyaPro, pos_business

__all__ = ["redeem_reward"]


def redeem_reward(loyapro: LoyaPro, pos_name: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """Redeem a code on an order, exactly once, in one transaction.

    A retry for the same code and order answers the same redemption with ``replay: true``;
    for another order it is a conflict (`mockserver.domain.reward_codes.redeem`).
    """
    body = bodies.body_object(body)
    amount = number(body.get("discount_amount"))
    if amount is None or amount < 0:
        raise invalid(
            "/discount_amount",
            "is required: the discount given, a number >= 0",
            "required" if body.get("discount_amount") is None else "type",
        )
    body, code, customer = bodies.reward_call(body)
    order_id = bodies.required_text(body, "order_id")
    with loyapro.store.transaction() as tx:
        now = loyapro.now()
        reference = pos_business(loyapro, tx, pos_name, body.get("business_reference"))["reference"]
        request = reward_codes.RedeemRequest(
            code=code,
            business_reference=reference,
            order_id=order_id,
            branch_id=bodies.optional_text(body, "branch_id"),
            discount_amount=amount,
            customer=customer,
            date=bodies.optional_text(body, "date"),
            user_id=bodies.optional_text(body, "user_id"),
            product_id=bodies.optional_text(body, "product_id"),
        )
        redemption, reward, replay = reward_codes.redeem(tx, request, now)
        return reward_codes.redemption_view(
            redemption, reward_codes.reward_view(tx, reward, now), replay=replay
        )
