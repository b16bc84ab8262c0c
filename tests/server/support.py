"""Helpers shared by the server tests: headers, request bodies, admin reads."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp.test_utils import TestClient

DOCS_CUSTOMER = "557937530"
DOCS_BRANCH = "97be5de5-ae01-4efe-8355-7c6aaf077be7"
ORDER_URL = "/pos/1.0.0/foodics/order"
REWARD_URL = "/pos/1.0.0/foodics/reward"
REDEEM_URL = "/pos/1.0.0/foodics/redeem"
DEMO_CODES = {"products": "PRD-4B8N2X", "percentage": "PCT-9T3W5H", "fixed_amount": "FIX-7Q2M9K"}


def auth_headers(token: str, **extra: str) -> dict[str, str]:
    """The three headers the contract asks for."""
    return {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "Content-Type": "application/json",
        **extra,
    }


def dumps(body: Any) -> bytes:
    return orjson.dumps(body)


def lookup_body(code: str, **overrides: Any) -> dict[str, Any]:
    """A reward lookup for the docs' customer at the demo business."""
    return {
        "reward_code": code,
        "business_reference": 440810,
        "customer_mobile_number": DOCS_CUSTOMER,
        "mobile_country_code": "966",
        "branch_id": DOCS_BRANCH,
        **overrides,
    }


def redeem_body(code: str, order_id: str, amount: float, **overrides: Any) -> dict[str, Any]:
    """A redeem of ``code`` on ``order_id`` for the docs' customer at the demo branch."""
    return {
        "reward_code": code,
        "business_reference": 440810,
        "order_id": order_id,
        "branch_id": DOCS_BRANCH,
        "discount_amount": amount,
        "customer_mobile_number": DOCS_CUSTOMER,
        "mobile_country_code": "966",
        "date": "2023-01-01 15:06:16",
        "user_id": "97c817bd-ff52-4aa9-ad52-f12d14d2996d",
        **overrides,
    }


async def journal(client: TestClient[Any, Any], **filters: str) -> list[dict[str, Any]]:
    """The journal entries matching the filters (asserts the admin call succeeds)."""
    response = await client.get("/__admin/requests", params=filters)
    assert response.status == 200, await response.text()
    entries: list[dict[str, Any]] = (await response.json())["requests"]
    return entries


async def balances(client: TestClient[Any, Any], mobile: str = DOCS_CUSTOMER) -> dict[str, float]:
    """A customer's balances per program, read through the admin API."""
    response = await client.get(f"/__admin/customers/{mobile}")
    assert response.status == 200, await response.text()
    result: dict[str, float] = (await response.json())["balances"]
    return result
