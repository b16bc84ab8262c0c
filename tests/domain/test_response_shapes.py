"""The service's return values match the response schemas of the spec."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from loyapro_mock.mockserver.domain.usecases import (
    LoyaPro,
    customer_view,
    issue_reward,
    lookup_reward,
    process_order,
    redeem_reward,
)
from loyapro_mock.mockserver.domain.usecases.demo_state import DEMO_CODES
from loyapro_mock.openapi import load_spec

from .factories import DOCS_MOBILE, docs_order, order, redeem, with_status


def _check(schema_name: str, instance: Any) -> None:
    spec = load_spec("loyapro-pos")
    registry: Registry = Registry().with_resource("urn:spec", Resource.opaque(spec))
    schema = {"$ref": f"urn:spec#/components/schemas/{schema_name}"}
    errors = sorted(Draft202012Validator(schema, registry=registry).iter_errors(instance), key=str)
    assert [e.message for e in errors] == []


def _redeem(code: str, **changes: Any) -> dict[str, Any]:
    return redeem(code, "o-1") | changes


def test_order_results(make_service: Any) -> None:
    service: LoyaPro = make_service({"defaults": {"stamps": {"threshold": 1}}})
    _check("OrderResult", process_order(service, "foodics", docs_order()))
    _check("OrderResult", process_order(service, "foodics", docs_order()))
    body = order("o-2", [("_7g3g8555", 2, 23)], mobile=None)
    _check("OrderResult", process_order(service, "foodics", body))
    redeem_reward(
        service, "foodics", _redeem(DEMO_CODES["fixed_amount"], order_id=docs_order()["order"]["id"])
    )
    _check("OrderResult", process_order(service, "foodics", with_status(docs_order(), 7)))


@pytest.mark.parametrize("kind", sorted(DEMO_CODES))
def test_rewards_and_redemptions(service: LoyaPro, kind: str) -> None:
    code = DEMO_CODES[kind]
    _check("Reward", lookup_reward(service, "foodics", _redeem(code)))
    redemption = redeem_reward(service, "foodics", _redeem(code, discount_amount=5, product_id="_7g3g8555"))
    _check("Redemption", redemption)
    _check("Reward", issue_reward(service, "440810", kind, DOCS_MOBILE))


def test_customer_state(service: LoyaPro) -> None:
    process_order(service, "foodics", docs_order())
    _check("CustomerState", customer_view(service, DOCS_MOBILE))
