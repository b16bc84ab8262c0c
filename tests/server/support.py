"""Helpers of the server tests: the client factory's type and admin reads through it.

Headers, paths and request bodies every area uses are in `support.webhooks` and
`support.payloads`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient

from support.payloads import DOCS_CUSTOMER

#: ``make_client(**settings_overrides)``: the mock with an in-memory store, started.
ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


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
