"""The ``programs:`` config is checked against its JSON Schema; every error names its YAML path."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from typing import Any

import jsonschema_rs
import pytest
import yaml

from loyapro_mock.mockserver.domain import programs as domain
from loyapro_mock.mockserver.domain.programs import (
    CashbackProgram,
    LoyaltyConfig,
    Plan,
    PointsProgram,
    RewardRules,
    StampsProgram,
    SubscriptionsProgram,
)
from loyapro_mock.mockserver.http.programs_config import ConfigError, load_programs, programs_schema

PROGRAMS = "points, stamps, cashback, subscriptions, rewards"


def problems(data: Any) -> tuple[str, ...]:
    """What `load_programs` refuses ``data`` for."""
    with pytest.raises(ConfigError) as refused:
        load_programs(data)
    return refused.value.problems


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"loyalty": {}}, "unknown program 'loyalty'"),
        ({"points": {"per_point": 1}}, "programs.defaults.points: unknown setting 'per_point'"),
        ({"points": {"per_unit": -1}}, "programs.defaults.points.per_unit: expected a number >= 0"),
        ({"stamps": {"threshold": 0}}, "programs.defaults.stamps.threshold: expected a whole number >= 1"),
        ({"stamps": {"per": "day"}}, "expected one of visit, product"),
        ({"cashback": {"percent": 150}}, "expected at most 100"),
        ({"cashback": {"enabled": "yes"}}, "expected true or false"),
        ({"subscriptions": {"plans": [{"name": "a"}, {"name": "a"}]}}, "unique"),
        ({"points": 3}, "programs.defaults.points: expected a mapping"),
    ],
)
def test_invalid_config_names_the_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load_programs({"defaults": data})


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"points": {"per_unit": "lots"}}, "points.per_unit: expected a number >= 0, got 'lots'"),
        ({"points": {"basis": "gross"}}, "points.basis: expected one of pre_tax, total, got 'gross'"),
        ({"stamps": {"threshold": 2.5}}, "stamps.threshold: expected a whole number >= 1, got 2.5"),
        ({"stamps": {"threshold": True}}, "stamps.threshold: expected a whole number >= 1, got true"),
        (
            {"stamps": {"qualifying_products": "_7g3g8555"}},
            "stamps.qualifying_products: expected a list of product ids or skus, got '_7g3g8555'",
        ),
        (
            {"stamps": {"reward_products": ["_7g3g8555", None]}},
            "stamps.reward_products[1]: expected a product id or sku, got null",
        ),
        (
            {"stamps": {"reward_max_discount": -5}},
            "stamps.reward_max_discount: expected a number >= 0 or null, got -5",
        ),
        ({"cashback": {"percent": 100.5}}, "cashback.percent: expected at most 100, got 100.5"),
        (
            {"cashback": {"issue_code_at": float("inf")}},
            "cashback.issue_code_at: expected a finite number, got inf",
        ),
        (
            {"subscriptions": {"plans": {"name": "x"}}},
            "subscriptions.plans: expected a list of plans, got {'name': 'x'}",
        ),
        (
            {"subscriptions": {"plans": ["daily"]}},
            "subscriptions.plans[0]: expected a mapping of plan settings, got 'daily'",
        ),
        (
            {"subscriptions": {"plans": [{}, {"name": "w", "period": "year"}]}},
            "subscriptions.plans[1].period: expected one of day, week, month, got 'year'",
        ),
        (
            {"subscriptions": {"plans": [{"name": ""}]}},
            "subscriptions.plans[0].name: expected a non-empty name, got ''",
        ),
        ({"rewards": {"release_on_void": "no"}}, "rewards.release_on_void: expected true or false, got 'no'"),
        ({"rewards": None}, "rewards: expected a mapping of settings, got null"),
    ],
)
def test_an_invalid_setting_is_refused_with_its_yaml_path(section: dict[str, Any], message: str) -> None:
    assert problems({"440810": section}) == (f"programs.440810.{message}",)


def test_an_invalid_section_is_refused_with_its_yaml_path() -> None:
    assert problems([{"440810": {}}]) == (
        "programs: expected a mapping keyed by business reference, got [{'440810': {}}]",
    )
    assert problems({"440810": "points"}) == (
        "programs.440810: expected a mapping of programs, got 'points'",
    )


def test_an_unknown_key_is_refused_with_its_path_and_the_known_keys() -> None:
    assert problems({"defaults": {"stamp": {}}}) == (
        f"programs.defaults: unknown program 'stamp' (known: {PROGRAMS})",
    )
    assert problems({"440810": {"stamps": {"treshold": 5}}}) == (
        "programs.440810.stamps: unknown setting 'treshold' (known: enabled, per, qualifying_products,"
        " threshold, reward_products, reward_max_discount, reward_expires_days)",
    )
    assert problems({"*": {"subscriptions": {"plans": [{"name": "a", "price": 3}]}}}) == (
        "programs.*.subscriptions.plans[0]: unknown setting 'price' (known: name, products, period,"
        " max_discount_amount)",
    )


def test_every_problem_is_reported_together_in_the_order_of_the_document() -> None:
    data = {
        "defaults": {"points": {"per_unit": "lots", "basis": "gross"}},
        "440810": {"loyalty": {}, "cashback": {"percent": 150}},
        "1": {"subscriptions": {"plans": [{"name": "a"}, {"name": "a", "period": "year"}]}},
    }
    with pytest.raises(ConfigError) as refused:
        load_programs(data)
    expected = (
        "programs.defaults.points.per_unit: expected a number >= 0, got 'lots'",
        "programs.defaults.points.basis: expected one of pre_tax, total, got 'gross'",
        f"programs.440810: unknown program 'loyalty' (known: {PROGRAMS})",
        "programs.440810.cashback.percent: expected at most 100, got 150",
        "programs.1.subscriptions.plans: plan names must be unique, 'a' repeated",
        "programs.1.subscriptions.plans[1].period: expected one of day, week, month, got 'year'",
    )
    assert refused.value.problems == expected
    assert str(refused.value) == "\n  ".join(["6 problems in the programs config:", *expected])


def test_a_plan_without_a_name_is_the_default_plan() -> None:
    assert problems({"440810": {"subscriptions": {"plans": [{}, {"name": "daily-drink"}]}}}) == (
        "programs.440810.subscriptions.plans: plan names must be unique, 'daily-drink' repeated",
    )


def test_references_that_look_like_numbers_keep_their_spelling() -> None:
    data = {"007": {"points": {"per_unit": -1}}, "7": {}, 440810: {"stamps": {"per": "day"}}}
    assert problems(data) == (
        "programs.007.points.per_unit: expected a number >= 0, got -1",
        "programs.440810.stamps.per: expected one of visit, product, got 'day'",
    )


def test_a_value_yaml_has_but_json_lacks_is_refused() -> None:
    config = yaml.safe_load("'440810': {stamps: {reward_expires_days: 2024-01-01}}")
    assert problems(config) == (
        "programs.440810.stamps.reward_expires_days: expected a number, a string, true or false, null,"
        " a list or a mapping, got datetime.date(2024, 1, 1)",
    )


def test_the_docstring_example_loads_to_its_dataclasses() -> None:
    example = yaml.safe_load(domain.__doc__.split("::", 1)[1].split("\n\n")[1])
    programs = load_programs(example["programs"])
    defaults = LoyaltyConfig(
        points=PointsProgram(enabled=True, per_unit=1.0, basis="pre_tax"),
        stamps=StampsProgram(per="visit", threshold=10),
        cashback=CashbackProgram(percent=5.0, issue_code_at=10.0),
        subscriptions=SubscriptionsProgram(
            plans=(Plan(name="daily-drink", products=("_7g3g8555",), period="day"),)
        ),
        rewards=RewardRules(release_on_void=True, release_on_refund=False),
    )
    assert programs.defaults == defaults
    assert programs.businesses == {
        "440810": dataclasses.replace(defaults, stamps=dataclasses.replace(defaults.stamps, threshold=5))
    }
    assert programs.for_business("1") == defaults
    assert type(programs.defaults.points.per_unit) is float
    assert type(programs.for_business("440810").stamps.threshold) is int


def test_an_absent_or_empty_section_is_the_defaults() -> None:
    for data in (None, {}, {"defaults": None}, {"440810": None}):
        assert load_programs(data).for_business("440810") == LoyaltyConfig()


def test_star_applies_after_defaults() -> None:
    programs = load_programs({"*": {"points": {"per_unit": 3}}, "defaults": {"points": {"per_unit": 2}}})
    assert programs.defaults.points.per_unit == 3.0


def test_the_schema_is_a_draft_2020_12_schema() -> None:
    schema = programs_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema_rs.meta.validate(schema)


@pytest.mark.parametrize(
    ("definition", "dataclass"),
    [
        ("business", LoyaltyConfig),
        ("points", PointsProgram),
        ("stamps", StampsProgram),
        ("cashback", CashbackProgram),
        ("subscriptions", SubscriptionsProgram),
        ("plan", Plan),
        ("rewards", RewardRules),
    ],
)
def test_the_schema_names_exactly_the_fields_of_the_dataclasses(definition: str, dataclass: type) -> None:
    properties = programs_schema()["$defs"][definition]["properties"]
    assert list(properties) == [f.name for f in dataclasses.fields(dataclass)]


def test_the_domain_reads_programs_without_the_validator() -> None:
    script = "import sys, loyapro_mock.mockserver.domain.programs; print('jsonschema_rs' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    assert result.stdout.strip() == "False"
