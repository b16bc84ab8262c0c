"""Fixtures of the hardening tests: tokens, request bodies, admin reads over HTTP."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from loyapro_mock.mockserver.http.pipeline.auth import issue_token
from loyapro_mock.mockserver.http.settings import DEFAULT_SECRET

DOCS_CUSTOMER = "557937530"
DOCS_BRANCH = "97be5de5-ae01-4efe-8355-7c6aaf077be7"
BUSINESS = 440810


@pytest.fixture
def token() -> str:
    """A signed token for POS foodics, as `loyapro-mock token foodics` prints it."""
    return issue_token(DEFAULT_SECRET, "foodics")


def headers(token: str) -> dict[str, str]:
    """The three headers the contract asks for."""
    return {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "Content-Type": "application/json",
    }


def redeem_body(code: str, order_id: str, amount: float = 5.0, mobile: str = DOCS_CUSTOMER) -> dict[str, Any]:
    """A redeem of ``code`` on ``order_id`` for the docs' customer at the demo branch."""
    return {
        "reward_code": code,
        "business_reference": BUSINESS,
        "order_id": order_id,
        "branch_id": DOCS_BRANCH,
        "discount_amount": amount,
        "customer_mobile_number": mobile,
        "mobile_country_code": "966",
        "date": "2023-01-01 15:06:16",
        "user_id": "cashier-1",
    }


async def issue_code(
    session: aiohttp.ClientSession, base_url: str, *, mobile: str = DOCS_CUSTOMER, amount: float = 10.0
) -> str:
    """Issue a fixed-amount code through the admin API; returns the code."""
    async with session.post(
        f"{base_url}/__admin/rewards",
        json={
            "business_reference": BUSINESS,
            "kind": "fixed_amount",
            "discount_amount": amount,
            "customer_mobile_number": mobile,
            "mobile_country_code": "966",
        },
    ) as response:
        assert response.status == 201, await response.text()
        code: str = (await response.json())["code"]
        return code


async def customer_state(session: aiohttp.ClientSession, base_url: str, mobile: str) -> dict[str, Any] | None:
    """A customer's balances, ledger and rewards from the admin API; None if unknown."""
    async with session.get(
        f"{base_url}/__admin/customers/{mobile}", params={"business": str(BUSINESS)}
    ) as response:
        if response.status == 404:
            return None
        assert response.status == 200, await response.text()
        state: dict[str, Any] = await response.json()
        return state
