"""Helpers of the hardening tests: admin calls to a real server over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import aiohttp

from support.payloads import BUSINESS, DOCS_CUSTOMER, redeem_body
from support.webhooks import auth_headers


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


def fresh_connections() -> aiohttp.TCPConnector:
    """One connection per request, so the kernel spreads them over every worker's or instance's
    socket."""
    return aiohttp.TCPConnector(limit=0, force_close=True)


async def race_redeems(
    session: aiohttp.ClientSession, urls: Sequence[str], token: str, code: str, attempts: int
) -> list[tuple[int, str | None]]:
    """Redeem one code ``attempts`` times at once, the i-th through ``urls[i % len(urls)]``
    (each a redeem webhook's URL); returns each attempt's status and, when not 200, its
    problem code."""
    start = asyncio.Event()

    async def redeem(i: int) -> tuple[int, str | None]:
        await start.wait()
        async with session.post(
            urls[i % len(urls)], json=redeem_body(code, f"order-{i}", 5.0), headers=auth_headers(token)
        ) as response:
            body = await response.json(content_type=None)
            return response.status, body.get("code") if response.status != 200 else None

    tasks = [asyncio.create_task(redeem(i)) for i in range(attempts)]
    await asyncio.sleep(0.1)
    start.set()
    return list(await asyncio.gather(*tasks))
