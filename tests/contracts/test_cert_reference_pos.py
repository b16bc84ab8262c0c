"""The reference POS: pos-partner.yaml served correctly."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from loyapro_mock.contracts.reference_pos import create_pos_app, fold_name, normalise_mobile

TOKEN = "t0ken"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PUSH = {
    "name": "Faisal Alsalamah",
    "name_localized": "فيصل السلامة",
    "dial_code": 966,
    "mobile": "0557937530",
}


@pytest.fixture
async def pos(aiohttp_client: Any) -> TestClient:
    client: TestClient = await aiohttp_client(create_pos_app(token=TOKEN))
    return client


@pytest.mark.parametrize(
    "mobile", ["557937530", "0557937530", "+966557937530", "00966557937530", "966557937530"]
)
def test_mobile_numbers_normalise_to_national_digits(mobile: str) -> None:
    assert normalise_mobile(mobile, 966) == "557937530"


def test_only_one_trunk_zero_is_dropped_so_no_mobile_normalises_to_nothing() -> None:
    assert normalise_mobile("000000", 966) == "000"
    assert normalise_mobile("0000000", 1) == "0000"


def test_names_fold_case_and_arabic_letter_forms() -> None:
    assert fold_name("  ALHARBI   Sara ") == "alharbi sara"
    assert fold_name("أحْمَد") == fold_name("احمد")
    assert fold_name("السلامة") == fold_name("السلامه")


async def test_every_route_requires_the_bearer_token(pos: TestClient) -> None:
    for method, path in (("GET", "/products"), ("GET", "/customers?name=a"), ("POST", "/customers")):
        response = await pos.request(method, path, headers={"Authorization": "Bearer wrong"})
        assert response.status == 401
        assert response.content_type == "application/problem+json"
        assert (await response.json())["code"] == "unauthorized"


async def test_products_are_paginated_with_meta(pos: TestClient) -> None:
    response = await pos.get("/products", params={"page": "5", "per_page": "5"}, headers=AUTH)
    body = await response.json()
    assert body["meta"] == {"current_page": 5, "last_page": 5, "per_page": 5, "total": 23}
    assert [item["id"] for item in body["data"]] == ["prd-0021", "prd-0022", "prd-0023"]


async def test_products_ignore_unknown_query_parameters_and_reject_bad_paging(pos: TestClient) -> None:
    ok = await pos.get("/products", params={"sort": "name", "per_page": "2"}, headers=AUTH)
    assert ok.status == 200 and len((await ok.json())["data"]) == 2
    for params in ({"page": "0"}, {"per_page": "101"}, {"page": "two"}):
        bad = await pos.get("/products", params=params, headers=AUTH)
        assert bad.status == 400, params


async def test_customer_upsert_is_idempotent_on_the_normalised_mobile(pos: TestClient) -> None:
    first = await pos.post("/customers", json=PUSH, headers=AUTH)
    again = await pos.post(
        "/customers", json={**PUSH, "mobile": "557937530", "name": "Faisal S."}, headers=AUTH
    )
    assert (first.status, again.status) == (201, 200)
    assert (await first.json())["id"] == (await again.json())["id"]
    found = await (await pos.get("/customers", params={"mobile": "+966557937530"}, headers=AUTH)).json()
    assert [c["name"] for c in found["data"]] == ["Faisal S."]


@pytest.mark.parametrize("name", ["faisal", "ALSAL", "السلام", "فيصل السلامه"])
async def test_customers_are_found_by_partial_latin_or_arabic_name(pos: TestClient, name: str) -> None:
    await pos.post("/customers", json=PUSH, headers=AUTH)
    found = await (await pos.get("/customers", params={"name": name}, headers=AUTH)).json()
    assert [c["mobile"] for c in found["data"]] == ["557937530"]


async def test_customer_push_rejects_invalid_bodies_with_4xx(pos: TestClient) -> None:
    missing = await pos.post("/customers", json={"name": "x"}, headers=AUTH)
    assert missing.status == 422
    assert {e["pointer"] for e in (await missing.json())["errors"]} == {"/"}
    not_json = await pos.post("/customers", data="{", headers={**AUTH, "Content-Type": "application/json"})
    assert not_json.status == 400
    text = await pos.post("/customers", data="x", headers={**AUTH, "Content-Type": "text/plain"})
    assert text.status == 415


async def test_customer_search_needs_a_mobile_or_a_name(pos: TestClient) -> None:
    assert (await pos.get("/customers", headers=AUTH)).status == 400
    assert (await pos.get("/customers", params={"mobile": "12ab"}, headers=AUTH)).status == 400


async def test_every_route_refuses_a_missing_token_and_stores_nothing(pos: TestClient) -> None:
    for method, path in (("GET", "/products"), ("GET", "/customers?name=a"), ("POST", "/customers")):
        response = await pos.request(method, path, json=PUSH if method == "POST" else None)
        assert response.status == 401, (method, path)
    found = await (await pos.get("/customers", params={"mobile": PUSH["mobile"]}, headers=AUTH)).json()
    assert found == {"data": []}


async def test_a_page_past_the_end_is_empty_and_paging_is_never_clamped(pos: TestClient) -> None:
    past = await pos.get("/products", params={"page": "6", "per_page": "5"}, headers=AUTH)
    assert past.status == 200
    assert await past.json() == {
        "data": [],
        "meta": {"current_page": 6, "last_page": 5, "per_page": 5, "total": 23},
    }
    for params in ({"page": "-1"}, {"per_page": "0"}, {"per_page": "-1"}, {"per_page": "abc"}):
        bad = await pos.get("/products", params=params, headers=AUTH)
        assert bad.status == 400, params
    largest = await (await pos.get("/products", params={"per_page": "100"}, headers=AUTH)).json()
    assert largest["meta"]["per_page"] == 100 and len(largest["data"]) == 23


async def test_a_push_with_the_dial_code_in_the_mobile_renames_the_same_customer(pos: TestClient) -> None:
    first = await (await pos.post("/customers", json=PUSH, headers=AUTH)).json()
    renamed = {**PUSH, "name": "Faisal Alharbi", "name_localized": "فيصل الحربي", "mobile": "966557937530"}
    again = await pos.post("/customers", json=renamed, headers=AUTH)
    assert again.status == 200 and (await again.json())["id"] == first["id"]
    found = await (await pos.get("/customers", params={"mobile": "557937530"}, headers=AUTH)).json()
    assert [(c["id"], c["name"], c["name_localized"]) for c in found["data"]] == [
        (first["id"], "Faisal Alharbi", "فيصل الحربي")
    ]
    assert (await (await pos.get("/customers", params={"name": "alsalamah"}, headers=AUTH)).json()) == {
        "data": []
    }


async def test_a_mobile_search_lists_that_mobile_only(pos: TestClient) -> None:
    for mobile in ("557937530", "1557937530", "5579375301"):
        await pos.post("/customers", json={**PUSH, "mobile": mobile}, headers=AUTH)
    for query in ("557937530", "+966557937530", "0557937530"):
        found = await (await pos.get("/customers", params={"mobile": query}, headers=AUTH)).json()
        assert [c["mobile"] for c in found["data"]] == ["557937530"], query
