"""The app factory: routes come from the spec, and a spec the mock cannot serve fails early."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from loyapro_mock.mockserver.http.app import create_app
from loyapro_mock.mockserver.http.pipeline.validation import SpecValidator, UnsupportedSpecError
from loyapro_mock.mockserver.http.programs_config import ConfigError
from loyapro_mock.mockserver.http.settings import Settings
from loyapro_mock.openapi import load_spec, spec_path


def test_every_spec_operation_is_routed() -> None:
    app = create_app(Settings())
    routes = {(r.method, r.resource.canonical) for r in app.router.routes() if r.resource is not None}
    assert ("POST", "/pos/1.0.0/{pos_name}/order") in routes
    assert routes == {(op.method, op.path) for op in SpecValidator.load().operations()}


def test_a_spec_file_can_replace_the_bundled_one(tmp_path: Path) -> None:
    spec = copy.deepcopy(load_spec("loyapro-pos"))
    spec["info"]["version"] = "9.9.9"
    path = tmp_path / "custom.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    app = create_app(Settings(spec=str(path)))
    assert {r.name for r in app.router.routes()} >= {"order", "reward", "redeem"}


def test_a_spec_without_an_operation_the_mock_serves_fails_loudly(tmp_path: Path) -> None:
    spec: dict[str, Any] = copy.deepcopy(load_spec(spec_path("loyapro-pos")))
    del spec["paths"]["/pos/1.0.0/{pos_name}/redeem"]
    path = tmp_path / "partial.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(UnsupportedSpecError, match="lacks operations the mock serves: redeem"):
        create_app(Settings(spec=str(path)))


def test_a_spec_operation_without_a_handler_fails_loudly(tmp_path: Path) -> None:
    spec: dict[str, Any] = copy.deepcopy(load_spec("loyapro-pos"))
    spec["paths"]["/pos/1.0.0/{pos_name}/refund"] = {
        "post": {"operationId": "refund", "responses": {"200": {"description": "ok"}}}
    }
    path = tmp_path / "extra.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(UnsupportedSpecError, match=r"'refund'.*has no handler"):
        create_app(Settings(spec=str(path)))


def test_invalid_programs_config_fails_at_startup() -> None:
    with pytest.raises(ConfigError, match="points"):
        create_app(Settings(programs={"440810": {"points": {"per_unit": "lots"}}}))
