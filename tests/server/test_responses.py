"""What the mock answers matches the response schemas of its own spec."""

from __future__ import annotations

from typing import Any

import pytest

from loyapro_mock.mockserver.http.pipeline.validation import OperationValidator, SpecValidator

from support.payloads import DEMO_CODES, lookup_body, redeem_body
from support.webhooks import ORDER_URL, REDEEM_URL, REWARD_URL, auth_headers, dumps


@pytest.fixture(scope="module")
def spec() -> SpecValidator:
    return SpecValidator.load()


def response_validator(
    spec: SpecValidator, operation_id: str, status: int, media: str = "application/json"
) -> OperationValidator:
    info = spec.operation(operation_id)
    operation = spec.spec["paths"][info.path][info.method.lower()]
    response = operation["responses"][str(status)]
    if "$ref" in response:
        response = spec.spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return spec.schema_validator(response["content"][media]["schema"])


async def check(spec: SpecValidator, operation_id: str, response: Any) -> dict[str, Any]:
    body: dict[str, Any] = await response.json(content_type=None)
    media = response.content_type
    violations = response_validator(spec, operation_id, response.status, media).validate(body)
    assert violations == [], body
    return body


async def test_webhook_answers_match_the_spec(
    client: Any, token: str, docs_order: dict[str, Any], spec: SpecValidator
) -> None:
    order = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))
    assert (await check(spec, "order", order))["status"] == "Paid"
    for code in DEMO_CODES.values():
        reward = await client.post(REWARD_URL, data=dumps(lookup_body(code)), headers=auth_headers(token))
        assert (await check(spec, "reward", reward))["code"] == code
    redeem = await client.post(
        REDEEM_URL,
        data=dumps(redeem_body(DEMO_CODES["fixed_amount"], "o-1", 10)),
        headers=auth_headers(token),
    )
    assert (await check(spec, "redeem", redeem))["replay"] is False
    journal = await check(spec, "admin_requests", await client.get("/__admin/requests"))
    assert [e["operation"] for e in journal["requests"]] == ["order", "reward", "reward", "reward", "redeem"]


async def test_error_answers_match_the_spec(client: Any, token: str, spec: SpecValidator) -> None:
    cases = [
        (REWARD_URL, {}, {"Content-Type": "application/json"}, 401),
        (REWARD_URL, lookup_body("NOPE-1"), auth_headers(token), 404),
        (REWARD_URL, {"reward_code": 1}, auth_headers(token), 422),
        (REWARD_URL, lookup_body(DEMO_CODES["fixed_amount"]), auth_headers(token, Accept="text/csv"), 406),
    ]
    for url, body, headers, status in cases:
        response = await client.post(url, data=dumps(body), headers=headers)
        assert response.status == status
        assert response.content_type == "application/problem+json"
        problem = await check(spec, "reward", response)
        assert problem["status"] == status
        assert problem["type"].endswith(problem["code"])


async def test_admin_answers_match_the_spec(client: Any, spec: SpecValidator) -> None:
    await check(spec, "admin_health", await client.get("/__admin/health"))
    await check(spec, "admin_requests", await client.get("/__admin/requests"))
    await check(spec, "admin_customer", await client.get("/__admin/customers/557937530"))
    await check(spec, "admin_clock", await client.post("/__admin/clock", json={"advance_seconds": 1}))
    issued = await client.post(
        "/__admin/rewards",
        json={"kind": "percentage", "business_reference": 440810, "customer_mobile_number": "557937530"},
    )
    assert issued.status == 201
    await check(spec, "admin_issue_reward", issued)
    await check(spec, "admin_reset", await client.post("/__admin/reset"))
