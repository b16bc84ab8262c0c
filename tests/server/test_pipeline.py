"""The request pipeline over HTTP: Accept, Content-Type, size, JSON, schema, routing."""

from __future__ import annotations

import gzip
from typing import Any

import orjson
import pytest
from aiohttp import web

from loyapro_mock.mockserver.http.app import create_app
from loyapro_mock.mockserver.http.settings import Settings

from support.webhooks import ORDER_URL, REDEEM_URL, REWARD_URL, auth_headers, dumps

from .support import journal


async def test_wrong_accept_is_406(client: Any, token: str, docs_order: dict[str, Any]) -> None:
    headers = auth_headers(token, Accept="text/html")
    response = await client.post(ORDER_URL, data=dumps(docs_order), headers=headers)
    assert response.status == 406
    problem = await response.json()
    assert problem["code"] == "not_acceptable"
    assert "Accept: application/json" in problem["detail"]
    [entry] = await journal(client)
    assert entry["violations"] == [
        {"pointer": "", "message": problem["detail"], "rule": "not_acceptable", "severity": "error"}
    ]


@pytest.mark.parametrize(
    "accept",
    [
        "application/json",
        "*/*",
        "application/*",
        "text/html, application/json;q=0.5",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
    ],
)
async def test_accept_that_allows_json_is_accepted(
    client: Any, token: str, docs_order: dict[str, Any], accept: str
) -> None:
    headers = auth_headers(token, Accept=accept)
    response = await client.post(ORDER_URL, data=dumps(docs_order), headers=headers)
    assert response.status == 200, await response.text()


async def test_accept_json_with_q_zero_is_406(client: Any, token: str, docs_order: dict[str, Any]) -> None:
    headers = auth_headers(token, Accept="application/json;q=0, text/plain")
    response = await client.post(ORDER_URL, data=dumps(docs_order), headers=headers)
    assert response.status == 406


async def test_missing_accept_is_read_as_any_with_a_warning(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    headers = auth_headers(token)
    del headers["Accept"]
    response = await client.post(
        ORDER_URL, data=dumps(docs_order), headers=headers, skip_auto_headers=["Accept"]
    )
    assert response.status == 200, await response.text()
    [entry] = await journal(client)
    assert "Accept" not in entry["request"]["headers"]
    assert [(v["rule"], v["severity"]) for v in entry["violations"]] == [("header.accept", "warning")]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1", None],
)
async def test_wrong_or_missing_content_type_is_415(
    client: Any, token: str, docs_order: dict[str, Any], content_type: str | None
) -> None:
    headers = auth_headers(token)
    if content_type is None:
        del headers["Content-Type"]
    else:
        headers["Content-Type"] = content_type
    response = await client.post(
        ORDER_URL, data=dumps(docs_order), headers=headers, skip_auto_headers=["Content-Type"]
    )
    assert response.status == 415
    problem = await response.json()
    assert problem["code"] == "unsupported_media_type"
    assert "Content-Type: application/json" in problem["detail"]


async def test_json_content_type_with_utf8_charset_is_accepted(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    headers = auth_headers(token, **{"Content-Type": "application/json; charset=UTF-8"})
    response = await client.post(ORDER_URL, data=dumps(docs_order), headers=headers)
    assert response.status == 200, await response.text()


async def test_body_over_one_mebibyte_is_413(client: Any, token: str, docs_order: dict[str, Any]) -> None:
    docs_order["order"]["kitchen_notes"] = "x" * (1024 * 1024)
    response = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))
    assert response.status == 413
    problem = await response.json()
    assert problem["code"] == "payload_too_large"
    assert "larger than 1 MiB (1048576 bytes)," in problem["detail"]
    [entry] = await journal(client)
    assert entry["status"] == 413
    assert entry["request"]["body"] is None


@pytest.mark.parametrize(("limit", "named"), [(64 * 1024, "64 KiB (65536 bytes)"), (1000, "1000 bytes")])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_413_names_the_configured_limit(
    make_client: Any, token: str, limit: int, named: str, chunked: bool
) -> None:
    client = await make_client(max_body_bytes=limit)

    async def chunks() -> Any:
        yield b" " * (limit + 1)

    body = chunks() if chunked else b" " * (limit + 1)
    response = await client.post(ORDER_URL, data=body, headers=auth_headers(token))
    assert response.status == 413
    detail = (await response.json())["detail"]
    assert f"The body is larger than {named}, the most this API accepts." in detail
    assert "MiB" not in detail


async def test_a_body_aiohttp_refuses_gets_the_pipelines_413(aiohttp_client: Any, token: str) -> None:
    app = create_app(Settings(db=":memory:", max_body_bytes=1000))

    async def read_all(request: web.Request) -> web.Response:
        await request.read()  # aiohttp's own limit: HTTPRequestEntityTooLarge
        return web.Response()

    app.router.add_post("/read-all", read_all)
    client = await aiohttp_client(app)
    direct = await client.post("/read-all", data=b" " * 1001)
    piped = await client.post(ORDER_URL, data=b" " * 1001, headers=auth_headers(token))
    assert direct.status == piped.status == 413
    assert await direct.json() == await piped.json()


async def test_chunked_body_over_the_limit_is_413(make_client: Any, token: str) -> None:
    client = await make_client(max_body_bytes=1000)

    async def chunks() -> Any:
        for _ in range(20):
            yield b" " * 100

    response = await client.post(ORDER_URL, data=chunks(), headers=auth_headers(token))
    assert response.status == 413
    assert (await response.json())["code"] == "payload_too_large"


async def test_body_of_exactly_the_limit_is_read(
    make_client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    body = dumps(docs_order)
    client = await make_client(max_body_bytes=len(body))
    response = await client.post(ORDER_URL, data=body, headers=auth_headers(token))
    assert response.status == 200, await response.text()


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b'{"timestamp": 1,', "line 1"),
        (b"{'a': 1}", "line 1"),
        (b"\xff\xfe{}", "line 1"),
        (b'{"a": NaN}', "line 1"),
        (b"", "no body"),
        (b"   ", "no body"),
    ],
    ids=["truncated", "single-quotes", "not-utf8", "nan", "empty", "blank"],
)
async def test_malformed_json_is_400(client: Any, token: str, body: bytes, where: str) -> None:
    response = await client.post(ORDER_URL, data=body, headers=auth_headers(token))
    assert response.status == 400
    problem = await response.json()
    assert problem["code"] == "malformed_json"
    assert where in problem["detail"]


async def test_schema_violations_are_422_listing_every_one(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    docs_order["order"]["products"][0]["quantity"] = "1"
    del docs_order["business"]["reference"]
    docs_order["event"] = "customer.order.exploded"
    response = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))
    assert response.status == 422
    problem = await response.json()
    assert problem["code"] == "validation_failed"
    assert "3 place(s)" in problem["detail"]
    assert [(e["pointer"], e["rule"]) for e in problem["errors"]] == [
        ("/business/reference", "required"),
        ("/event", "enum"),
        ("/order/products/0/quantity", "type"),
    ]
    [entry] = await journal(client)
    assert entry["verdict"] == "rejected"
    assert entry["violations"] == problem["errors"]
    assert entry["request"]["body"]["event"] == "customer.order.exploded"


async def test_reward_lookup_violations_are_422(client: Any, token: str) -> None:
    body = {"reward_code": "", "business_reference": [1], "mobile_country_code": "966"}
    response = await client.post(REWARD_URL, data=dumps(body), headers=auth_headers(token))
    assert response.status == 422
    problem = await response.json()
    pointers = {e["pointer"] for e in problem["errors"]}
    assert pointers == {"/reward_code", "/business_reference", "/customer_mobile_number"}


@pytest.mark.parametrize("body", [[], None, 42, "order", True, [{"order": {}}]])
async def test_body_that_is_not_an_object_is_422(client: Any, token: str, body: Any) -> None:
    response = await client.post(ORDER_URL, data=orjson.dumps(body), headers=auth_headers(token))
    assert response.status == 422
    problem = await response.json()
    assert problem["errors"][0]["pointer"] == ""
    assert problem["errors"][0]["rule"] == "type"


async def test_unknown_path_is_404_naming_the_webhooks(client: Any, token: str) -> None:
    response = await client.post("/pos/1.0.0/foodics/orders", json={}, headers=auth_headers(token))
    assert response.status == 404
    problem = await response.json()
    assert problem["code"] == "not_found"
    assert "POST /pos/1.0.0/{pos_name}/order" in problem["detail"]
    [entry] = await journal(client)
    assert entry["pos"] == "foodics"
    assert entry["operation"] is None


async def test_wrong_method_is_405_with_allow(client: Any, token: str) -> None:
    response = await client.get(ORDER_URL, headers=auth_headers(token))
    assert response.status == 405
    problem = await response.json()
    assert problem["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "POST"


async def test_errors_are_checked_in_pipeline_order(client: Any) -> None:
    """No token, wrong Accept, wrong Content-Type and broken JSON: auth is reported first."""
    headers = {"Accept": "text/html", "Content-Type": "text/plain"}
    response = await client.post(REDEEM_URL, data=b"{", headers=headers)
    assert response.status == 401


@pytest.mark.parametrize(
    "body",
    [
        {
            "reward_code": "X" * 64,
            "business_reference": 1e30,
            "order_id": "o",
            "branch_id": "b",
            "discount_amount": 1e308,
            "customer_mobile_number": "0555",
            "mobile_country_code": -1,
            "date": "d",
            "user_id": "u",
        },
        {
            "reward_code": "FIX-7Q2M9K",
            "business_reference": "",
            "order_id": "o",
            "branch_id": "b",
            "discount_amount": 0,
            "customer_mobile_number": "+(0) 5-5",
            "mobile_country_code": "",
            "date": "d",
            "user_id": "u",
        },
        {
            "reward_code": "FIX-7Q2M9K",
            "business_reference": "440810",
            "order_id": "o",
            "branch_id": "b",
            "discount_amount": 5,
            "customer_mobile_number": "0000",
            "mobile_country_code": "abc",
            "date": "d",
            "user_id": "u",
            "product_id": "",
        },
    ],
    ids=["huge-numbers", "empty-strings", "odd-mobile"],
)
async def test_odd_but_valid_bodies_never_cause_a_500(client: Any, token: str, body: dict[str, Any]) -> None:
    response = await client.post(REDEEM_URL, data=dumps(body), headers=auth_headers(token))
    assert 400 <= response.status < 500, await response.text()
    assert response.content_type == "application/problem+json"


async def test_gzip_body_is_read_and_corrupt_gzip_is_400(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    headers = auth_headers(token, **{"Content-Encoding": "gzip"})
    ok = await client.post(ORDER_URL, data=gzip.compress(dumps(docs_order)), headers=headers)
    assert ok.status == 200, await ok.text()
    corrupt = await client.post(ORDER_URL, data=b"not gzip at all", headers=headers)
    assert corrupt.status == 400
    problem = await corrupt.json()
    assert problem["code"] == "malformed_json"
    assert "Content-Encoding: gzip" in problem["detail"]


async def test_gzip_that_inflates_past_the_limit_is_413(client: Any, token: str) -> None:
    headers = auth_headers(token, **{"Content-Encoding": "gzip"})
    bomb = gzip.compress(b" " * (2 * 1024 * 1024))
    response = await client.post(ORDER_URL, data=bomb, headers=headers)
    assert response.status == 413
    assert (await response.json())["code"] == "payload_too_large"


async def test_an_http_exception_the_mock_does_not_map_is_its_own_500(aiohttp_client: Any) -> None:
    app = create_app(Settings(db=":memory:"))

    async def conflict(request: web.Request) -> web.Response:
        raise web.HTTPConflict()  # has no code in the catalogue

    app.router.add_get("/conflict", conflict)
    client = await aiohttp_client(app)
    response = await client.get("/conflict")
    assert response.status == 500
    assert (await response.json())["code"] == "internal_error"
