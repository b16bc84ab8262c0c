"""The bundled OpenAPI documents are valid and say what the contract decides."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from openapi_spec_validator import validate

from loyapro_mock.openapi import SPEC_NAMES, example_path, load_spec, spec_path

from support.payloads import DOCS_EXAMPLE, DOCS_EXAMPLE_SHA256


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_spec_passes_openapi_spec_validator(name: str) -> None:
    validate(load_spec(name))


def test_order_example_in_spec_is_the_docs_example_verbatim() -> None:
    spec = load_spec("loyapro-pos")
    body = spec["paths"]["/pos/1.0.0/{pos_name}/order"]["post"]["requestBody"]
    example = body["content"]["application/json"]["examples"]["docs"]["value"]
    assert example == json.loads(DOCS_EXAMPLE.read_bytes())


def test_repository_copy_is_the_published_docs_example_byte_for_byte() -> None:
    assert hashlib.sha256(DOCS_EXAMPLE.read_bytes()).hexdigest() == DOCS_EXAMPLE_SHA256


def test_shipped_example_file_is_the_docs_example() -> None:
    assert example_path("order").read_bytes() == DOCS_EXAMPLE.read_bytes()


def test_webhooks_are_the_three_paths_loyapro_publishes() -> None:
    paths = load_spec("loyapro-pos")["paths"]
    webhooks = sorted(p for p in paths if p.startswith("/pos/"))
    assert webhooks == [
        "/pos/1.0.0/{pos_name}/order",
        "/pos/1.0.0/{pos_name}/redeem",
        "/pos/1.0.0/{pos_name}/reward",
    ]
    for path in webhooks:
        assert set(paths[path]) == {"parameters", "post"}


def _problem_codes(spec: dict[str, Any], operation: dict[str, Any]) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for status, response in operation["responses"].items():
        if "$ref" in response:
            response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        if status.startswith("2"):
            continue
        assert "application/problem+json" in response["content"], status
        schema = response["content"]["application/problem+json"]["schema"]
        for part in schema.get("allOf", []):
            enum = part.get("properties", {}).get("code", {}).get("enum")
            if enum:
                codes[status] = enum
    return codes


def test_redeem_errors_are_problem_json_with_listed_codes() -> None:
    spec = load_spec("loyapro-pos")
    redeem = spec["paths"]["/pos/1.0.0/{pos_name}/redeem"]["post"]
    codes = _problem_codes(spec, redeem)
    assert codes["404"] == ["reward_not_found"]
    assert codes["409"] == ["reward_already_redeemed"]
    assert codes["410"] == ["reward_expired", "reward_cancelled"]
    assert "reward_not_valid_for_branch" in codes["422"]
    assert "discount_exceeds_reward" in codes["422"]


def test_every_webhook_requires_bearer_auth_and_admin_does_not() -> None:
    spec = load_spec("loyapro-pos")
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, item in spec["paths"].items():
        for operation in (op for key, op in item.items() if key != "parameters"):
            if path.startswith("/__admin/"):
                assert operation["tags"] == ["admin"]
                assert operation["security"] == []
            else:
                assert "security" not in operation


def test_partner_product_has_the_fields_loyapro_reads() -> None:
    product = load_spec("pos-partner")["components"]["schemas"]["Product"]
    assert set(product["required"]) == {
        "id",
        "sku",
        "name",
        "name_localized",
        "price",
        "category",
        "is_active",
    }


def test_spec_path_refuses_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown spec"):
        spec_path("nope")


def test_load_spec_refuses_a_file_that_is_not_openapi(tmp_path: Any) -> None:
    bogus = tmp_path / "x.yaml"
    bogus.write_text("hello: world\n")
    with pytest.raises(ValueError, match="not an OpenAPI document"):
        load_spec(bogus)
