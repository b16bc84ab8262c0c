"""Request validation reports every violation with its pointer, message and rule."""

from __future__ import annotations

from typing import Any

import pytest

from loyapro_mock.mockserver.domain.violations import Violation
from loyapro_mock.mockserver.http.pipeline.validation import SpecValidator, UnsupportedSpecError, json_pointer
from loyapro_mock.openapi import load_spec


@pytest.fixture(scope="module")
def spec() -> SpecValidator:
    return SpecValidator.load()


def test_docs_example_has_no_violation(spec: SpecValidator, docs_order: dict[str, Any]) -> None:
    assert spec.request_validator("order").validate(docs_order) == []


def test_three_breakages_give_exactly_three_violations(
    spec: SpecValidator, docs_order: dict[str, Any]
) -> None:
    docs_order["order"]["products"][0]["quantity"] = "1"
    del docs_order["business"]["reference"]
    docs_order["event"] = "customer.order.exploded"

    violations = spec.request_validator("order").validate(docs_order)

    assert [(v.pointer, v.rule) for v in violations] == [
        ("/business/reference", "required"),
        ("/event", "enum"),
        ("/order/products/0/quantity", "type"),
    ]
    assert violations[2].message == 'expected number, got string "1"'
    assert "customer.order.created" in violations[1].message


def test_nullable_object_reports_what_is_wrong_inside(
    spec: SpecValidator, docs_order: dict[str, Any]
) -> None:
    del docs_order["order"]["customer"]["phone"]
    assert spec.request_validator("order").validate(docs_order) == [
        Violation("/order/customer/phone", "required property 'phone' is missing", "required")
    ]


def test_null_customer_is_allowed(spec: SpecValidator, docs_order: dict[str, Any]) -> None:
    docs_order["order"]["customer"] = None
    assert spec.request_validator("order").validate(docs_order) == []


def test_unknown_properties_are_allowed(spec: SpecValidator, docs_order: dict[str, Any]) -> None:
    docs_order["order"]["loyalty_points_preview"] = 12
    docs_order["order"]["products"][0]["kitchen_station"] = {"id": "k1"}
    assert spec.request_validator("order").validate(docs_order) == []


def test_non_object_body_is_one_type_violation(spec: SpecValidator) -> None:
    assert spec.request_validator("order").validate([1, 2]) == [
        Violation("", "expected object, got array an array", "type")
    ]


def test_redeem_missing_fields_are_all_listed(spec: SpecValidator) -> None:
    violations = spec.request_validator("redeem").validate({"reward_code": "X"})
    missing = sorted(v.pointer for v in violations if v.rule == "required")
    assert missing == [
        "/branch_id",
        "/business_reference",
        "/customer_mobile_number",
        "/date",
        "/discount_amount",
        "/mobile_country_code",
        "/order_id",
        "/user_id",
    ]


def test_pointer_escapes_slash_and_tilde() -> None:
    assert json_pointer(["a/b", "c~d", 0]) == "/a~1b/c~0d/0"


def test_unknown_operation_names_the_known_ones(spec: SpecValidator) -> None:
    with pytest.raises(KeyError, match=r"known: .*order"):
        spec.request_validator("orders")


def test_validators_are_compiled_once(spec: SpecValidator) -> None:
    assert spec.request_validator("reward") is spec.request_validator("reward")


def test_external_refs_fail_loudly_at_load() -> None:
    document = load_spec("pos-partner")
    broken = {**document, "components": {**document["components"]}}
    broken["paths"] = {
        "/x": {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "other.yaml#/Thing"}}}},
                "responses": {},
            }
        }
    }
    with pytest.raises(UnsupportedSpecError, match="only local"):
        SpecValidator.from_spec(broken)


def test_non_json_request_bodies_fail_loudly_at_load() -> None:
    document = dict(load_spec("pos-partner"))
    document["paths"] = {
        "/x": {
            "post": {
                "operationId": "x",
                "requestBody": {"content": {"application/xml": {"schema": {"type": "object"}}}},
                "responses": {},
            }
        }
    }
    with pytest.raises(UnsupportedSpecError, match="application/xml"):
        SpecValidator.from_spec(document)


def test_operations_list_the_webhooks_and_admin(spec: SpecValidator) -> None:
    ids = {op.operation_id: op for op in spec.operations()}
    assert ids["order"].method == "POST"
    assert ids["order"].path == "/pos/1.0.0/{pos_name}/order"
    assert ids["admin_requests"].tags == ("admin",)
    assert not ids["admin_requests"].has_body
