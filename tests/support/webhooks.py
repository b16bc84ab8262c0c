"""Calling the mock's webhooks as POS foodics does: paths, headers and bodies on the wire."""

from __future__ import annotations

from typing import Any

import orjson

ORDER_URL = "/pos/1.0.0/foodics/order"
REWARD_URL = "/pos/1.0.0/foodics/reward"
REDEEM_URL = "/pos/1.0.0/foodics/redeem"


def auth_headers(token: str, **extra: str) -> dict[str, str]:
    """The three headers the contract asks for."""
    return {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "Content-Type": "application/json",
        **extra,
    }


def dumps(body: Any) -> bytes:
    """A request body as the mock reads it."""
    return orjson.dumps(body)
