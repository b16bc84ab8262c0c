"""Hostile and broken requests: each gets a clear 4xx problem+json, and no state changes.

State is compared before and after every request twice over: through the admin API (each
demo customer's balances, ledger and codes) and table by table in the store (everything but
the journal, which records rejected requests by design).
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from yarl import URL

from loyapro_mock.mockserver.domain.usecases import issue_reward, register_business
from loyapro_mock.mockserver.domain.usecases.demo_state import DEMO_CUSTOMERS
from loyapro_mock.mockserver.http.app import create_app
from loyapro_mock.mockserver.http.keys import LOYAPRO, STORE
from loyapro_mock.mockserver.http.settings import Settings
from loyapro_mock.mockserver.store.sql.tables import TABLES

from support.payloads import DOCS_CUSTOMER

from .hostile import MARN_BUSINESS, OTHER_BUSINESS, OTHER_CODE, Hostile, catalogue

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    """The mock (in memory), plus another business of POS foodics with a code of its own
    and a business of POS marn."""
    test_client: TestClient[Any, Any] = await aiohttp_client(create_app(Settings(db=":memory:")))
    service = test_client.app[LOYAPRO]
    register_business(service, OTHER_BUSINESS, "other coffee", "foodics")
    issue_reward(service, OTHER_BUSINESS, "fixed_amount", DOCS_CUSTOMER, code=OTHER_CODE, discount_amount=10)
    register_business(service, MARN_BUSINESS, "marn shop", "marn")
    return test_client


async def _state(client: TestClient[Any, Any]) -> dict[str, Any]:
    """What a client can see through the admin API, and every table but the journal."""
    seen: dict[str, Any] = {}
    for business in ("440810", OTHER_BUSINESS):
        for _, mobile, _ in DEMO_CUSTOMERS:
            response = await client.get(f"/__admin/customers/{mobile}", params={"business": business})
            seen[f"{business}/{mobile}"] = (response.status, await response.json())
    with client.app[STORE].snapshot() as tx:
        for table in TABLES:
            if table != "journal":
                seen[table] = tx.rows(f"SELECT * FROM {table} ORDER BY 1, 2")
    return seen


def _headers(case: Hostile, token: str) -> dict[str, str]:
    sent = {"Accept": "application/json", "Content-Type": "application/json"}
    if case.token == "valid":
        sent["Authorization"] = f"Bearer {token}"
    elif case.token is not None:
        sent["Authorization"] = f"Bearer {case.token}"
    return {**sent, **case.headers}


def test_the_catalogue_holds_at_least_30_distinct_cases(docs_order: dict[str, Any]) -> None:
    names = [case.name for case in catalogue(docs_order)]
    assert len(names) >= 30
    assert len(set(names)) == len(names)


async def test_every_hostile_request_gets_a_4xx_problem_and_changes_nothing(
    client: TestClient[Any, Any], token: str, docs_order: dict[str, Any]
) -> None:
    before = await _state(client)
    wrong: list[str] = []
    for case in catalogue(docs_order):
        response = await client.request(
            case.method, URL(case.path, encoded=True), data=case.body, headers=_headers(case, token)
        )
        text = await response.text()
        problem: dict[str, Any] = {}
        if response.content_type == "application/problem+json":
            problem = await response.json(content_type=None)
        if (
            (response.status, problem.get("code")) != (case.status, case.code)
            or not set(problem) >= PROBLEM_KEYS
            or problem.get("status") != response.status
        ):
            wrong.append(
                f"{case.name}: expected {case.status} {case.code}, got "
                f"{response.status} {response.content_type} {text[:300]}"
            )
        elif await _state(client) != before:
            wrong.append(f"{case.name}: the state changed")
    assert not wrong, "\n".join(wrong)
