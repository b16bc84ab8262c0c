"""Admin use cases that list what the mock holds, for the inspector page and the admin API:
the customers of each business with their balances, and the reward codes with the history
of their states (issued, redeemed on which order, released, expired, cancelled)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from loyapro_mock.mockserver.domain import accounts, reward_codes
from loyapro_mock.mockserver.domain.customers import customer_public
from loyapro_mock.mockserver.domain.records import Row, StoreTx
from loyapro_mock.mockserver.domain.usecases.loyapro import LoyaPro

__all__ = ["DEFAULT_LISTING_LIMIT", "MAX_LISTING_LIMIT", "list_customers", "list_rewards", "reward_history"]

#: How many customers or codes one listing returns unless told, and at most.
DEFAULT_LISTING_LIMIT = 500
MAX_LISTING_LIMIT = 10000


def _references(tx: StoreTx, business_reference: str | None) -> list[str]:
    if business_reference is not None:
        return [str(business_reference)]
    return [str(business["reference"]) for business in tx.list_businesses()]


def list_customers(
    loyapro: LoyaPro, *, business_reference: str | None = None, limit: int = DEFAULT_LISTING_LIMIT
) -> dict[str, Any]:
    """``{"customers": [...], "truncated": bool}``: each customer (of one business, or of
    every business, oldest first) with its business, source and balance per program."""
    out: list[dict[str, Any]] = []
    truncated = False
    with loyapro.store.snapshot() as tx:
        for reference in _references(tx, business_reference):
            if truncated:  # the limit is reached: no other business is read
                break
            for customer in tx.list_customers(reference):
                if len(out) >= limit:
                    truncated = True
                    break
                out.append(
                    {
                        "id": customer["id"],
                        **(customer_public(customer) or {}),
                        "business_reference": reference,
                        "source": customer["source"],
                        "created_at": customer["created_at"],
                        "balances": accounts.balances(tx, customer["id"]),
                    }
                )
    return {"customers": out, "truncated": truncated}


def reward_history(reward: Row, redemptions: list[Row], now: datetime) -> list[dict[str, Any]]:
    """The states a code went through, oldest first: ``issued``, then each redemption
    (``redeemed`` on its order, ``released`` when that order was voided), then ``expired``
    or ``cancelled`` when it ended so. Each item is ``{state, at, order_id?}``."""
    history: list[dict[str, Any]] = [{"state": "issued", "at": reward["created_at"]}]
    for redemption in redemptions:
        history.append(
            {"state": "redeemed", "at": redemption["redeemed_at"], "order_id": redemption["order_id"]}
        )
        if redemption["released_at"] is not None:
            history.append(
                {"state": "released", "at": redemption["released_at"], "order_id": redemption["order_id"]}
            )
    status = reward_codes.effective_status(reward, now)
    if status == "expired":
        # persisted by a clock move (at that moment), or derived on read (at its expiry)
        at = reward["updated_at"] if reward["status"] == "expired" else reward["expires_at"]
        history.append({"state": "expired", "at": at})
    elif status == "cancelled":
        history.append({"state": "cancelled", "at": reward["updated_at"]})
    history.sort(key=lambda item: str(item["at"]))
    return history


def list_rewards(
    loyapro: LoyaPro, *, business_reference: str | None = None, limit: int = DEFAULT_LISTING_LIMIT
) -> dict[str, Any]:
    """``{"rewards": [...], "truncated": bool}``: each code (of one business, or all, oldest
    first) as ``/reward`` shows it, with when it was issued and its ``history``."""
    now = loyapro.now()
    out: list[dict[str, Any]] = []
    with loyapro.store.snapshot() as tx:
        rewards = tx.list_rewards(
            business_reference=None if business_reference is None else str(business_reference)
        )
        for reward in rewards[:limit]:
            view = reward_codes.reward_view(tx, reward, now)
            view["created_at"] = reward["created_at"]
            view["session"] = reward.get("session")
            view["history"] = reward_history(reward, tx.list_redemptions(reward["code"]), now)
            out.append(view)
    return {"rewards": out, "truncated": len(rewards) > limit}
