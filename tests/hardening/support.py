"""Helpers of the hardening tests: admin calls to a real server over HTTP."""

from __future__ import annotations

from typing import Any

import aiohttp

from support.payloads import BUSINESS, DOCS_CUSTOMER


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
