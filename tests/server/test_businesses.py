"""A POS developer's own business reference: registered on first order, or refused."""

from __future__ import annotations

from typing import Any

from loyapro_mock.mockserver.domain.usecases import businesses
from loyapro_mock.mockserver.http.keys import LOYAPRO

from support.webhooks import ORDER_URL, auth_headers, dumps

from .support import ClientFactory


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
