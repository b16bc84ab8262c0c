"""Programs configuration and the pure earn / reverse arithmetic."""

from __future__ import annotations

import itertools

import pytest

from loyapro_mock.mockserver.domain.orders import read_order
from loyapro_mock.mockserver.domain.programs import (
    LoyaltyConfig,
    Plan,
    ProgramsConfig,
    compute_earnings,
    floor_amount,
    reversal_amount,
)

from .factories import docs_order, order


def test_defaults() -> None:
    config = ProgramsConfig().for_business("440810")
    assert (config.points.per_unit, config.points.basis) == (1.0, "pre_tax")
    assert (config.stamps.per, config.stamps.threshold) == ("visit", 10)
    assert (config.cashback.percent, config.cashback.issue_code_at) == (5.0, 10.0)
    assert config.subscriptions.plans == (Plan(name="daily-drink"),)
    assert (config.rewards.release_on_void, config.rewards.release_on_refund) == (True, False)


def test_business_overrides_merge_over_defaults() -> None:
    programs = ProgramsConfig.from_mapping(
        {
            "defaults": {"points": {"per_unit": 2}},
            440810: {"stamps": {"threshold": 5, "qualifying_products": ["_7g3g8555"]}},
        }
    )
    config = programs.for_business("440810")
    assert config.points.per_unit == 2
    assert (config.stamps.threshold, config.stamps.qualifying_products) == (5, ("_7g3g8555",))
    assert config.stamps.per == "visit"
    other = programs.for_business("1")
    assert (other.points.per_unit, other.stamps.threshold) == (2, 10)


def test_plans_are_read() -> None:
    config = LoyaltyConfig.from_dict(
        {"subscriptions": {"plans": [{"name": "weekly-cake", "products": ["_2r8t5v33"], "period": "week"}]}}
    )
    assert config.subscriptions.plan("weekly-cake") == Plan(
        name="weekly-cake", products=("_2r8t5v33",), period="week"
    )
    assert config.subscriptions.plan("daily-drink") is None


def test_docs_order_earns_on_pre_tax_spend() -> None:
    earnings = compute_earnings(LoyaltyConfig(), read_order(docs_order()))
    assert [(e.program, e.amount) for e in earnings] == [
        ("points", 20.0),
        ("stamps", 1.0),
        ("cashback", 1.04),
    ]
    assert "20.87" in earnings[0].reason


def test_total_basis_and_product_stamps() -> None:
    config = LoyaltyConfig.from_dict(
        {
            "points": {"basis": "total", "per_unit": 0.5},
            "stamps": {"per": "product", "qualifying_products": ["prd_7g3g8555"]},
            "cashback": {"enabled": False},
        }
    )
    facts = read_order(order("o", [("_7g3g8555", 3, 23), ("_8a2k1m90", 2, 18)]))
    assert [(e.program, e.amount) for e in compute_earnings(config, facts)] == [
        ("points", 52.0),
        ("stamps", 3.0),
    ]


def test_nothing_qualifies_earns_no_stamps() -> None:
    config = LoyaltyConfig.from_dict({"stamps": {"qualifying_products": ["_2r8t5v33"]}})
    facts = read_order(order("o", [("_7g3g8555", 1, 23)]))
    assert [e.program for e in compute_earnings(config, facts)] == ["points", "cashback"]


@pytest.mark.parametrize(
    ("program", "value", "expected"),
    [
        ("points", 20.999, 20.0),
        ("stamps", 0.99, 0.0),
        ("cashback", 1.0434785, 1.04),
        ("cashback", 0.525, 0.52),
        ("points", 2.9999999999, 3.0),
    ],
)
def test_floor_amount(program: str, value: float, expected: float) -> None:
    assert floor_amount(program, value) == expected


@pytest.mark.parametrize(
    ("program", "earned", "old", "new", "expected"),
    [
        ("points", 20, 0, 1, 20),
        ("points", 20, 0, 1 / 3, 6),
        ("points", 20, 1 / 3, 2 / 3, 7),
        ("points", 20, 2 / 3, 1, 7),
        ("stamps", 1, 0, 0.5, 0),
        ("cashback", 1.04, 0, 0.5, 0.52),
        ("cashback", 1.05, 0, 0.5, 0.52),
        ("points", 20, 0.5, 0.5, 0),
    ],
)
def test_reversal_is_floored_and_adds_up(
    program: str, earned: float, old: float, new: float, expected: float
) -> None:
    assert reversal_amount(program, earned, old, new) == pytest.approx(expected)


def test_partial_reversals_add_up_to_the_full_amount() -> None:
    steps = [0, 0.1, 0.35, 0.6, 0.99, 1]
    total = sum(reversal_amount("points", 37, a, b) for a, b in itertools.pairwise(steps))
    assert total == 37
