"""The reward webhook: can this customer use this code here, now? Never changes state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loyapro_mock.mockserver.domain import reward_codes
from loyapro_mock.mockserver.domain.usecases import bodies
from loyapro_mock.mockserver.domain.usecases.loyapro import LoyaPro, pos_business

__all__ = ["lookup_reward"]


def lookup_reward(loyapro: LoyaPro, pos_name: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """The reward a code stands for, checked against the customer, branch and business of
    ``body`` (``reward_code``, ``business_reference``, ``customer_mobile_number``,
    ``mobile_country_code``, optional ``branch_id``); a `DomainError` says which does not match."""
    body, code, customer = bodies.reward_call(body)
    with loyapro.store.snapshot() as tx:
        now = loyapro.now()
        reference = pos_business(loyapro, tx, pos_name, body.get("business_reference"))["reference"]
        reward = reward_codes.lookup(
            tx,
            code,
            business_reference=reference,
            customer=customer,
            branch_id=bodies.optional_text(body, "branch_id"),
            now=now,
        )
        return reward_codes.reward_view(tx, reward, now)
