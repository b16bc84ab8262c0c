"""A POS developer's own business reference: registered on first order (and said so), or refused."""

from __future__ import annotations

from typing import Any

from loyapro_mock.mockserver.domain.usecases import businesses
from loyapro_mock.mockserver.http.keys import LOYAPRO

from support.webhooks import ORDER_URL, auth_headers, dumps

from .support import ClientFactory, journal


async def test_order_for_a_new_business_registers_it(
    make_client: ClientFactory, token: str, docs_order: dict[str, Any]
) -> None:
    client = await make_client()
    docs_order["business"] = {"name": "south bakery", "reference": 555001}

    response = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))

    assert response.status == 200
    body = await response.json()
    assert body["status"] == "Paid"
    assert body["business_reference"] == "555001"
    assert "555001" in {b["reference"] for b in businesses(client.app[LOYAPRO])}


async def test_an_order_that_registers_its_business_says_so(
    make_client: ClientFactory, token: str, docs_order: dict[str, Any]
) -> None:
    client = await make_client(auto_register=True)
    docs_order["business"] = {"name": "north coffee", "reference": 440801}  # 440810 mistyped

    response = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))

    assert response.status == 200
    assert response.headers["X-LoyaPro-Mock-Violations"] == "1"
    body = await response.json()
    assert body["business_registered"] is True
    (warning,) = body["violations"]
    assert (warning["pointer"], warning["rule"]) == ("/business/reference", "business.auto_registered")
    assert "business 440801 was not known" in warning["message"]
    assert "known: 440810 (foodics)" in warning["message"]
    assert "auto_register: false" in warning["message"]
    (entry,) = await journal(client)
    assert [v["rule"] for v in entry["violations"]] == ["business.auto_registered"]


async def test_only_the_order_that_registers_the_business_warns(
    make_client: ClientFactory, token: str, docs_order: dict[str, Any]
) -> None:
    client = await make_client(auto_register=True)
    docs_order["business"] = {"name": "south bakery", "reference": 555001}
    await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))
    docs_order["order"]["id"] = "second-order"

    response = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))

    body = await response.json()
    assert (body["business_registered"], body["violations"]) == (False, [])


async def test_an_order_refused_for_a_business_rule_registers_no_business(
    make_client: ClientFactory, token: str, docs_order: dict[str, Any]
) -> None:
    client = await make_client(auto_register=True)
    docs_order["business"] = {"name": "south bakery", "reference": 555001}
    docs_order["order"]["total_price"] = 1  # the lines add up to 24

    response = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))

    assert response.status == 422
    problem = await response.json()
    assert problem["code"] == "business_rule_violated"
    assert "business.auto_registered" not in {e["rule"] for e in problem["errors"]}
    assert "555001" not in {b["reference"] for b in businesses(client.app[LOYAPRO])}


async def test_an_order_for_a_known_business_registers_nothing(
    client: Any, token: str, docs_order: dict[str, Any]
) -> None:
    response = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))

    body = await response.json()
    assert (body["business_registered"], body["violations"]) == (False, [])
    assert "X-LoyaPro-Mock-Violations" not in response.headers


async def test_without_auto_register_an_unknown_business_is_refused(
    make_client: ClientFactory, token: str, docs_order: dict[str, Any]
) -> None:
    client = await make_client(auto_register=False)
    docs_order["business"] = {"name": "south bakery", "reference": 555001}

    response = await client.post(ORDER_URL, data=dumps(docs_order), headers=auth_headers(token))

    assert response.status == 422
    problem = await response.json()
    assert problem["code"] == "unknown_business"
    assert "440810" in problem["detail"]
    assert "555001" not in {b["reference"] for b in businesses(client.app[LOYAPRO])}
