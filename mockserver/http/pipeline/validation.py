"""Request validation against the OpenAPI contract, compiled once with jsonschema-rs.

A `SpecValidator` reads a spec, checks the mock supports every feature it uses (startup
fails loudly otherwise), and compiles one validator per operation on first use. Validation
reports **every** violation as a `Violation` with an RFC 6901 pointer into the body, a short
message and the rule (JSON Schema keyword) that failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs

from loyapro_mock.mockserver.domain.violations import Violation, json_pointer
from loyapro_mock.openapi import load_spec

__all__ = [
    "OperationInfo",
    "OperationValidator",
    "SpecValidator",
    "UnsupportedSpecError",
    "Violation",
    "json_pointer",
]

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_JSON = "application/json"
_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class UnsupportedSpecError(ValueError):
    """The spec uses something the mock cannot serve faithfully."""


@dataclass(frozen=True, slots=True)
class OperationInfo:
    """What the spec says about one operation."""

    operation_id: str
    method: str
    path: str
    summary: str
    tags: tuple[str, ...]
    has_body: bool
    #: The media types of its success answers (``application/json`` for all but the inspector's).
    answers: tuple[str, ...] = (_JSON,)


def _short(value: Any, limit: int = 60) -> str:
    text = _json_repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _json_repr(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value + '"'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return repr(value)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _rule(error: Any) -> str:
    for part in reversed(error.schema_path):
        if isinstance(part, str):
            return part
    return "schema"


def _message(error: Any, rule: str) -> str:
    details = error.kind.as_dict()
    instance = error.instance
    if rule == "required":
        return f"required property '{details['property']}' is missing"
    if rule == "type":
        expected = " or ".join(details["types"])
        return f"expected {expected}, got {_json_type(instance)} {_short(instance)}"
    if rule == "enum":
        options = ", ".join(_json_repr(o) for o in details["options"])
        return f"{_short(instance)} is not one of: {options}"
    if isinstance(instance, dict | list):
        return f"{_json_type(instance)} does not satisfy '{rule}'"
    text: str = error.message
    return text if len(text) <= 200 else text[:197] + "..."


def _flatten(error: Any) -> Iterator[Any]:
    """Replace a failed oneOf/anyOf by the errors of the branch the value was meant for.

    Nullable objects are written `oneOf: [{$ref: X}, {type: 'null'}]`; when an object fails
    X, "not valid under any of the schemas" says nothing useful, so the errors of the branch
    that did more than reject the value's type are reported instead.
    """
    rule = _rule(error)
    if rule in ("oneOf", "anyOf"):
        branches = [
            branch
            for branch in error.kind.as_dict().get("context", [])
            if not (
                len(branch) == 1
                and _rule(branch[0]) == "type"
                and list(branch[0].instance_path) == list(error.instance_path)
            )
        ]
        if len(branches) == 1:
            for inner in branches[0]:
                yield from _flatten(inner)
            return
    yield error


def _to_violation(error: Any) -> Violation:
    rule = _rule(error)
    parts = list(error.instance_path)
    if rule == "required":
        parts.append(error.kind.as_dict()["property"])
    return Violation(json_pointer(parts), _message(error, rule), rule)


@dataclass(slots=True)
class OperationValidator:
    """A compiled validator for one operation's JSON request body."""

    info: OperationInfo
    _validator: Any

    def validate(self, instance: Any) -> list[Violation]:
        """Every violation of the body, sorted by pointer; empty when it conforms."""
        if self._validator.is_valid(instance):
            return []
        found = {
            _to_violation(inner)
            for error in self._validator.iter_errors(instance)
            for inner in _flatten(error)
        }
        return sorted(found, key=lambda v: (v.pointer, v.rule, v.message))

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))


@dataclass(slots=True)
class SpecValidator:
    """The operations of one spec and their compiled request validators."""

    spec: dict[str, Any]
    _operations: dict[str, tuple[OperationInfo, dict[str, Any] | None]] = field(default_factory=dict)
    _compiled: dict[str, OperationValidator] = field(default_factory=dict)

    @classmethod
    def load(cls, spec: str | Path | None = None) -> SpecValidator:
        """Load a bundled spec by name (default `loyapro-pos`) or a spec file by path."""
        return cls.from_spec(load_spec(spec if spec is not None else "loyapro-pos"))

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> SpecValidator:
        _check_supported(spec)
        validator = cls(spec)
        for path, item in (spec.get("paths") or {}).items():
            for method in _METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                op_id = operation.get("operationId") or f"{method} {path}"
                body = _request_schema(operation, op_id)
                info = OperationInfo(
                    operation_id=op_id,
                    method=method.upper(),
                    path=path,
                    summary=operation.get("summary", ""),
                    tags=tuple(operation.get("tags", ())),
                    has_body=body is not None,
                    answers=_success_media(operation),
                )
                validator._operations[op_id] = (info, body)
        return validator

    @property
    def version(self) -> str:
        return str(self.spec.get("info", {}).get("version", ""))

    def operations(self) -> list[OperationInfo]:
        return [info for info, _ in self._operations.values()]

    def operation(self, operation_id: str) -> OperationInfo:
        return self._lookup(operation_id)[0]

    def request_validator(self, operation_id: str) -> OperationValidator:
        """The compiled body validator of an operation (compiled once, then reused)."""
        compiled = self._compiled.get(operation_id)
        if compiled is None:
            info, body = self._lookup(operation_id)
            if body is None:
                raise KeyError(f"operation {operation_id!r} takes no JSON request body")
            compiled = OperationValidator(info, self._compile(body))
            self._compiled[operation_id] = compiled
        return compiled

    def schema_validator(self, schema: dict[str, Any]) -> OperationValidator:
        """Compile any schema that may `$ref` the spec's components (e.g. a response body)."""
        info = OperationInfo("schema", "", "", "", (), True)
        return OperationValidator(info, self._compile(schema))

    def _lookup(self, operation_id: str) -> tuple[OperationInfo, dict[str, Any] | None]:
        try:
            return self._operations[operation_id]
        except KeyError:
            known = ", ".join(sorted(self._operations))
            raise KeyError(f"unknown operation {operation_id!r}; known: {known}") from None

    def _compile(self, schema: dict[str, Any]) -> Any:
        document = {"$schema": _DIALECT, **schema, "components": self.spec.get("components", {})}
        return jsonschema_rs.validator_for(document)


def _request_schema(operation: dict[str, Any], op_id: str) -> dict[str, Any] | None:
    body = operation.get("requestBody")
    if body is None:
        return None
    content = body.get("content", {})
    if _JSON not in content:
        media = ", ".join(content) or "none"
        raise UnsupportedSpecError(
            f"operation {op_id}: request body media type(s) {media}; the mock serves {_JSON} only"
        )
    schema = content[_JSON].get("schema")
    if not isinstance(schema, dict):
        raise UnsupportedSpecError(f"operation {op_id}: request body has no schema")
    return schema


def _success_media(operation: dict[str, Any]) -> tuple[str, ...]:
    """The media types an operation's 2xx responses are documented with (JSON when none)."""
    found: list[str] = []
    for status, response in (operation.get("responses") or {}).items():
        if str(status).startswith("2") and isinstance(response, dict):
            found += [media for media in response.get("content") or {} if media not in found]
    return tuple(found) or (_JSON,)


def _check_supported(spec: dict[str, Any]) -> None:
    version = str(spec.get("openapi", ""))
    if not version.startswith("3.1"):
        raise UnsupportedSpecError(f"OpenAPI {version or '?'} is not supported; use 3.1.x")
    for ref in _refs(spec):
        if not ref.startswith("#/components/"):
            raise UnsupportedSpecError(f"$ref {ref!r}: only local '#/components/...' refs are supported")


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)
