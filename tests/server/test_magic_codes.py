"""Magic reward codes: like a payment sandbox's test cards, each always answers the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from loyapro_mock.mockserver.domain.usecases.demo_state import MAGIC_CODES
from loyapro_mock.mockserver.http.app import create_app
from loyapro_mock.mockserver.http.settings import Settings

from support.payloads import DEMO_CODES, DOCS_CUSTOMER, lookup_body, redeem_body
from support.webhooks import auth_headers

REWARD_URL = "/pos/1.0.0/foodics/reward"
REDEEM_URL = "/pos/1.0.0/foodics/redeem"
REPOSITORY = Path(__file__).resolve().parents[2]

#: Each code's answer to a lookup and to a redeem by the docs' customer at the demo branch.
EXPECTED = {
    "TEST-EXPIRED": (410, "reward_expired"),
    "TEST-REDEEMED": (409, "reward_already_redeemed"),
    "TEST-CANCELLED": (410, "reward_cancelled"),
    "TEST-OTHER-BRANCH": (422, "reward_not_valid_for_branch"),
    "TEST-OTHER-CUSTOMER": (422, "reward_not_valid_for_customer"),
}


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    test_client: TestClient[Any, Any] = await aiohttp_client(create_app(Settings(db=":memory:")))
    return test_client


def test_every_magic_code_is_listed() -> None:
    assert set(MAGIC_CODES) == {*EXPECTED, "TEST-503-ONCE"}


@pytest.mark.parametrize(("code", "expected"), sorted(EXPECTED.items()))
async def test_a_magic_code_always_answers_its_refusal(
    client: TestClient[Any, Any], token: str, code: str, expected: tuple[int, str]
) -> None:
    for _ in range(2):
        lookup = await client.post(REWARD_URL, json=lookup_body(code), headers=auth_headers(token))
        redeem = await client.post(REDEEM_URL, json=redeem_body(code, "m-1", 10), headers=auth_headers(token))
        assert (lookup.status, (await lookup.json())["code"]) == expected
        assert (redeem.status, (await redeem.json())["code"]) == expected
    state = await (await client.get(f"/__admin/rewards/{code}")).json()
    assert state["reward"]["status"] != "issued" or code.startswith("TEST-OTHER")


async def test_the_503_code_fails_its_first_redeem_then_redeems_and_again_after_a_reset(
    client: TestClient[Any, Any], token: str
) -> None:
    for _ in range(2):
        lookup = await client.post(REWARD_URL, json=lookup_body("TEST-503-ONCE"), headers=auth_headers(token))
        assert lookup.status == 200
        body = redeem_body("TEST-503-ONCE", "m-2", 10)
        first = await client.post(REDEEM_URL, json=body, headers=auth_headers(token))
        problem = await first.json()
        assert (first.status, problem["code"]) == (503, "injected_unavailable")
        assert first.headers["Retry-After"] == "1"
        state = await (await client.get("/__admin/rewards/TEST-503-ONCE")).json()
        assert state["reward"]["status"] == "issued"  # the failed redeem applied nothing
        retry = await client.post(REDEEM_URL, json=body, headers=auth_headers(token))
        assert retry.status == 200 and (await retry.json())["replay"] is False
        again = await client.post(REDEEM_URL, json=body, headers=auth_headers(token))
        assert (await again.json())["replay"] is True
        reset = await (await client.post("/__admin/reset")).json()
        assert reset["demo"]["magic_codes"] == MAGIC_CODES


async def test_the_docs_customer_keeps_only_the_demo_codes(client: TestClient[Any, Any]) -> None:
    view = await (await client.get(f"/__admin/customers/{DOCS_CUSTOMER}")).json()
    assert sorted(r["code"] for r in view["rewards"]) == sorted(DEMO_CODES.values())
    assert view["ledger"] == []


def test_the_docs_list_every_magic_code() -> None:
    for document in ("docs/server.md", "README.md"):
        text = (REPOSITORY / document).read_text(encoding="utf-8")
        missing = [code for code in MAGIC_CODES if f"`{code}`" not in text]
        assert missing == [], f"{document} does not list {missing}"
