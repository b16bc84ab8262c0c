"""Reading the ``programs:`` config section: checked against a JSON Schema, then built.

The schema (`programs.schema.json`, shipped beside this module) states every program,
setting, type, range and choice; see `mockserver.domain.programs` for what they mean. Every
problem is reported at once, each naming its YAML path::

    programs.440810.points.per_unit: expected a number >= 0, got 'lots'
    programs.defaults.stamps: unknown setting 'treshold' (known: enabled, per, ...)
"""

from __future__ import annotations

import json
import math
import reprlib
from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, TypeAlias

import jsonschema_rs

from loyapro_mock.mockserver.domain.programs import Plan, ProgramsConfig

__all__ = ["SCHEMA_PATH", "ConfigError", "load_programs", "programs_schema"]

SCHEMA_PATH = Path(__file__).with_name("programs.schema.json")

#: Where a value sits in the section: mapping keys and list indexes.
JsonPath: TypeAlias = tuple[str | int, ...]


class ConfigError(ValueError):
    """The programs configuration is invalid; each problem names its YAML path."""

    def __init__(self, problems: Sequence[str]) -> None:
        if len(problems) == 1:
            message = problems[0]
        else:
            message = "\n  ".join([f"{len(problems)} problems in the programs config:", *problems])
        super().__init__(message)
        self.problems = tuple(problems)


@cache
def programs_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the ``programs:`` section."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@cache
def _validator() -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(programs_schema())


def load_programs(data: Mapping[Any, Any] | None) -> ProgramsConfig:
    """Check the ``programs:`` section (see the module docstring) and build its config.

    Raises `ConfigError` listing every problem found, in the order of the document.
    """
    unreadable: dict[JsonPath, str] = {}
    programs = _as_json(data, (), unreadable)
    problems = [
        *unreadable.items(),
        *_schema_problems(programs, skip=unreadable.keys()),
        *_duplicate_plan_names(programs),
    ]
    if problems:
        order = {path: i for i, path in enumerate(_paths(programs))}
        problems.sort(key=lambda problem: order[problem[0]])
        raise ConfigError(list(dict.fromkeys(message for _, message in problems)))
    return ProgramsConfig.from_mapping(programs)


def _schema_problems(programs: Any, skip: Collection[JsonPath]) -> Iterator[tuple[JsonPath, str]]:
    # jsonschema-rs reports a key that looks like a number ("007") as an int (7) in
    # instance_path, so the validator sees each business by its position; inside a business
    # it only descends into keys the schema names, and into list indexes.
    references = list(programs) if isinstance(programs, dict) else []
    if references:
        programs = {str(i): section for i, section in enumerate(programs.values())}
    for error in _validator().iter_errors(programs):
        path: JsonPath = tuple(error.instance_path)
        if path:
            path = (references[int(path[0])], *path[1:])
        if path not in skip:
            yield from ((path, message) for message in _describe(error, path))


def _paths(value: Any, path: JsonPath = ()) -> Iterator[JsonPath]:
    """Every path in the document, in its order."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*path, i))


def _yaml_path(path: JsonPath) -> str:
    return "programs" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def _as_json(value: Any, path: JsonPath, unreadable: dict[JsonPath, str]) -> Any:
    """``value`` as JSON for the validator: keys as strings, tuples as lists.

    A value JSON cannot hold (a date, a set, nan or infinity) is noted in ``unreadable``
    and read as null, so that the rest is still checked.
    """
    if isinstance(value, Mapping):
        return {str(key): _as_json(item, (*path, str(key)), unreadable) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_as_json(item, (*path, i), unreadable) for i, item in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        unreadable[path] = f"{_yaml_path(path)}: expected a finite number, got {_shown(value)}"
        return None
    if value is None or isinstance(value, str | int | float):
        return value
    unreadable[path] = (
        f"{_yaml_path(path)}: expected a number, a string, true or false, null, a list or a mapping,"
        f" got {_shown(value)}"
    )
    return None


def _describe(error: jsonschema_rs.ValidationError, path: JsonPath) -> Iterator[str]:
    """What is wrong, in the words of the schema's ``description`` of the failing value."""
    where = _yaml_path(path)
    schema = _failing_schema(error.schema_path)
    kind = error.kind
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
        noun = "program" if schema is programs_schema()["$defs"]["business"] else "setting"
        known = ", ".join(schema["properties"])
        for key in kind.unexpected:
            yield f"{where}: unknown {noun} {key!r} (known: {known})"
    elif isinstance(kind, jsonschema_rs.ValidationErrorKind.Maximum):
        yield f"{where}: expected at most {kind.limit}, got {_shown(error.instance)}"
    else:
        yield f"{where}: expected {schema['description']}, got {_shown(error.instance)}"


def _failing_schema(schema_path: Sequence[str | int]) -> Any:
    """The (sub)schema holding the keyword that failed.

    Recent jsonschema-rs give the keyword's place in the schema document; older ones (0.29)
    the way taken to it, through each ``$ref``. Both lead to the same subschema.
    """
    root = programs_schema()
    schema: Any = root
    for part in schema_path[:-1]:
        if part == "$ref":
            reference, schema = schema["$ref"], root
            for name in reference.removeprefix("#/").split("/"):
                schema = schema[name]
        else:
            schema = schema[part]
    return schema


def _duplicate_plan_names(programs: Any) -> Iterator[tuple[JsonPath, str]]:
    """Plan names repeated within one business (the one rule JSON Schema cannot state)."""
    for reference, section in programs.items() if isinstance(programs, dict) else ():
        subscriptions = section.get("subscriptions") if isinstance(section, dict) else None
        plans = subscriptions.get("plans") if isinstance(subscriptions, dict) else None
        if not isinstance(plans, list):
            continue
        names = [plan.get("name", Plan().name) for plan in plans if isinstance(plan, dict)]
        counts = Counter(name for name in names if isinstance(name, str))
        repeated = sorted(name for name, count in counts.items() if count > 1)
        if repeated:
            path = (reference, "subscriptions", "plans")
            yield (
                path,
                f"{_yaml_path(path)}: plan names must be unique, {', '.join(map(repr, repeated))} repeated",
            )


def _shown(value: Any) -> str:
    """A value as the message shows it: YAML's null, true and false, else a short repr."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return reprlib.repr(value)
