"""Bearer-token authentication over HTTP: 401s, 403s, signed and static tokens."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from loyapro_mock.mockserver.http.pipeline.auth import issue_token
from loyapro_mock.mockserver.http.settings import DEFAULT_SECRET, DOCS_SAMPLE_TOKEN, StaticToken

from support.payloads import DEMO_CODES, lookup_body
from support.webhooks import ORDER_URL, REWARD_URL, auth_headers

from .support import journal

OTHER_SECRET = "another-secret-of-at-least-32-bytes"
JSON = {"Accept": "application/json", "Content-Type": "application/json"}


async def test_missing_token_is_401_unauthorized_with_a_correct_header_in_the_detail(
    client: Any, docs_order: dict[str, Any]
) -> None:
    response = await client.post(ORDER_URL, json=docs_order, headers=JSON)
    assert response.status == 401
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert problem["code"] == "unauthorized"
    assert "Authorization: Bearer <token>" in problem["detail"]
    assert "loyapro-mock token foodics" in problem["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    [entry] = await journal(client)
    assert entry["verdict"] == "rejected"
    assert entry["status"] == 401
    assert entry["pos"] == "foodics"
    assert entry["violations"][0]["rule"] == "unauthorized"


async def test_basic_scheme_is_401_unauthorized(client: Any, docs_order: dict[str, Any]) -> None:
    headers = {**JSON, "Authorization": "Basic Zm9vOmJhcg=="}
    response = await client.post(ORDER_URL, json=docs_order, headers=headers)
    assert response.status == 401
    problem = await response.json()
    assert problem["code"] == "unauthorized"
    assert "Bearer scheme" in problem["detail"]


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("not-a-jwt", "not a valid HS256 JWT"),
        (issue_token(OTHER_SECRET, "foodics"), "signature does not match"),
        (jwt.encode({"platform": "web", "name": "foodics"}, DEFAULT_SECRET), "'platform'"),
        (jwt.encode({"platform": "pos"}, DEFAULT_SECRET), "not a valid HS256 JWT"),
        (jwt.encode({"platform": "pos", "name": "foodics", "exp": 1}, DEFAULT_SECRET), "expired"),
    ],
    ids=["garbage", "wrong-secret", "wrong-platform", "no-name", "expired"],
)
async def test_bad_token_is_401_invalid_token(
    client: Any, docs_order: dict[str, Any], token: str, reason: str
) -> None:
    response = await client.post(ORDER_URL, json=docs_order, headers=auth_headers(token))
    assert response.status == 401
    problem = await response.json()
    assert problem["code"] == "invalid_token"
    assert reason in problem["detail"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


async def test_token_for_another_pos_is_403_forbidden_pos(client: Any, docs_order: dict[str, Any]) -> None:
    token = issue_token(DEFAULT_SECRET, "marn")
    response = await client.post(ORDER_URL, json=docs_order, headers=auth_headers(token))
    assert response.status == 403
    problem = await response.json()
    assert problem["code"] == "forbidden_pos"
    assert "'marn'" in problem["detail"] and "'foodics'" in problem["detail"]
    assert (await journal(client))[0]["verdict"] == "rejected"


async def test_token_without_the_business_is_403_forbidden_business(
    client: Any, docs_order: dict[str, Any]
) -> None:
    token = issue_token(DEFAULT_SECRET, "foodics", businesses=["111111"])
    response = await client.post(ORDER_URL, json=docs_order, headers=auth_headers(token))
    assert response.status == 403
    problem = await response.json()
    assert problem["code"] == "forbidden_business"
    assert "--business 440810" in problem["detail"]
    lookup = await client.post(
        REWARD_URL, json=lookup_body(DEMO_CODES["fixed_amount"]), headers=auth_headers(token)
    )
    assert lookup.status == 403
    assert (await lookup.json())["code"] == "forbidden_business"


async def test_token_granted_the_business_is_accepted(client: Any, docs_order: dict[str, Any]) -> None:
    token = issue_token(DEFAULT_SECRET, "foodics", businesses=["440810"])
    response = await client.post(ORDER_URL, json=docs_order, headers=auth_headers(token))
    assert response.status == 200, await response.text()
    assert (await response.json())["status"] == "Paid"


async def test_configured_static_token_is_accepted_and_scoped(
    make_client: Any, docs_order: dict[str, Any]
) -> None:
    client = await make_client(
        static_tokens=(
            StaticToken("till-42", "foodics", frozenset({"440810"})),
            StaticToken("other-biz", "foodics", frozenset({"999"})),
        )
    )
    ok = await client.post(ORDER_URL, json=docs_order, headers=auth_headers("till-42"))
    assert ok.status == 200, await ok.text()
    refused = await client.post(ORDER_URL, json=docs_order, headers=auth_headers("other-biz"))
    assert refused.status == 403
    assert (await refused.json())["code"] == "forbidden_business"


async def test_docs_sample_token_is_accepted_in_the_demo(client: Any, docs_order: dict[str, Any]) -> None:
    response = await client.post(ORDER_URL, json=docs_order, headers=auth_headers(DOCS_SAMPLE_TOKEN))
    assert response.status == 200, await response.text()


async def test_docs_sample_token_is_refused_without_the_demo(
    make_client: Any, docs_order: dict[str, Any]
) -> None:
    client = await make_client(demo=False)
    response = await client.post(ORDER_URL, json=docs_order, headers=auth_headers(DOCS_SAMPLE_TOKEN))
    assert response.status == 401
    assert (await response.json())["code"] == "invalid_token"


async def test_token_signed_with_a_configured_secret(make_client: Any, docs_order: dict[str, Any]) -> None:
    client = await make_client(secret=OTHER_SECRET)
    good = await client.post(
        ORDER_URL, json=docs_order, headers=auth_headers(issue_token(OTHER_SECRET, "foodics"))
    )
    assert good.status == 200, await good.text()
    stale = await client.post(
        ORDER_URL, json=docs_order, headers=auth_headers(issue_token(DEFAULT_SECRET, "foodics"))
    )
    assert stale.status == 401


async def test_admin_api_needs_no_token(client: Any) -> None:
    response = await client.get("/__admin/health")
    assert response.status == 200
    assert (await response.json())["status"] == "ok"
