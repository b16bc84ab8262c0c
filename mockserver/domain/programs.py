"""Loyalty programs: their configuration per business, and the pure earn/reverse arithmetic.

Configuration is a mapping (the ``programs:`` section of the mock's YAML config) keyed by
business reference; the key ``defaults`` (or ``*``) applies to every business, and each
business overrides only what it names::

    programs:
      defaults:
        points: {per_unit: 1, basis: pre_tax}       # 1 point per currency unit before tax
        stamps: {per: visit, threshold: 10}          # 10 visits -> a free-product code
        cashback: {percent: 5, issue_code_at: 10}   # 5% into a wallet; 10 -> fixed-amount code
        subscriptions: {plans: [{name: daily-drink, products: [_7g3g8555], period: day}]}
        rewards: {release_on_void: true, release_on_refund: false}
      "440810":
        stamps: {threshold: 5}

The YAML is checked against a JSON Schema (`mockserver/http/programs.schema.json`) by
`mockserver.http.programs_config.load_programs`, which then builds a `ProgramsConfig`
here; this module trusts what it is given.

Amounts are floored: points and stamps to whole units, cashback to 0.01. A reversal of a
fraction f of what an order earned E takes floor(E x f) in total (all of E when f = 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from loyapro_mock.mockserver.domain.orders import OrderFacts

__all__ = [
    "BALANCE_PROGRAMS",
    "CashbackProgram",
    "Earning",
    "LoyaltyConfig",
    "Plan",
    "PointsProgram",
    "ProgramsConfig",
    "RewardRules",
    "StampsProgram",
    "SubscriptionsProgram",
    "compute_earnings",
    "floor_amount",
    "reversal_amount",
]

#: Programs that keep a balance moved by orders.
BALANCE_PROGRAMS = ("points", "stamps", "cashback")
#: Keys of the ``programs:`` section that configure every business, applied in this order.
_DEFAULTS_KEYS = ("defaults", "*")


@dataclass(frozen=True, slots=True)
class PointsProgram:
    enabled: bool = True
    per_unit: float = 1.0  # points per currency unit spent
    basis: str = "pre_tax"  # pre_tax | total


@dataclass(frozen=True, slots=True)
class StampsProgram:
    enabled: bool = True
    per: str = "visit"  # visit | product
    qualifying_products: tuple[str, ...] | None = None  # product ids or skus; None = all
    threshold: int = 10  # stamps that turn into one products reward code
    reward_products: tuple[str, ...] | None = None  # what the code allows; None = qualifying
    reward_max_discount: float | None = None
    reward_expires_days: float | None = 90


@dataclass(frozen=True, slots=True)
class CashbackProgram:
    enabled: bool = True
    percent: float = 5.0
    basis: str = "pre_tax"
    issue_code_at: float | None = 10.0  # wallet balance that becomes a fixed-amount code
    code_expires_days: float | None = 90


@dataclass(frozen=True, slots=True)
class Plan:
    name: str = "daily-drink"
    products: tuple[str, ...] | None = None  # None = any product
    period: str = "day"  # day | week | month (30 days)
    max_discount_amount: float | None = None


@dataclass(frozen=True, slots=True)
class SubscriptionsProgram:
    enabled: bool = True
    plans: tuple[Plan, ...] = (Plan(),)

    def plan(self, name: str) -> Plan | None:
        """The plan with this name, or None."""
        return next((p for p in self.plans if p.name == name), None)


@dataclass(frozen=True, slots=True)
class RewardRules:
    release_on_void: bool = True
    release_on_refund: bool = False


@dataclass(frozen=True, slots=True)
class LoyaltyConfig:
    """Every program of one business."""

    points: PointsProgram = field(default_factory=PointsProgram)
    stamps: StampsProgram = field(default_factory=StampsProgram)
    cashback: CashbackProgram = field(default_factory=CashbackProgram)
    subscriptions: SubscriptionsProgram = field(default_factory=SubscriptionsProgram)
    rewards: RewardRules = field(default_factory=RewardRules)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None, *, base: LoyaltyConfig | None = None) -> LoyaltyConfig:
        """Build from a checked mapping of programs, overriding ``base`` (default: the defaults).

        The input is trusted: `mockserver.http.programs_config` checks the YAML first.
        """
        config = base or cls()
        if not data:
            return config
        return replace(config, **{name: _override(getattr(config, name), data[name]) for name in data})


T = TypeVar("T")


def _override(current: T, settings: Mapping[str, Any]) -> T:
    changes = {key: _setting(key, value) for key, value in settings.items()}
    return replace(current, **changes)  # type: ignore[type-var]


def _setting(key: str, value: Any) -> Any:
    convert = _CONVERT.get(key)
    return value if value is None or convert is None else convert(value)


def _products(value: list[str | int]) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


def _plans(value: list[Mapping[str, Any]]) -> tuple[Plan, ...]:
    return tuple(_override(Plan(), plan) for plan in value)


#: How a checked setting becomes its field: YAML writes 5 for 5.0 and lists for tuples.
_CONVERT: dict[str, Callable[[Any], Any]] = {
    "per_unit": float,
    "percent": float,
    "threshold": int,
    "reward_max_discount": float,
    "reward_expires_days": float,
    "issue_code_at": float,
    "code_expires_days": float,
    "max_discount_amount": float,
    "qualifying_products": _products,
    "reward_products": _products,
    "products": _products,
    "plans": _plans,
}


class ProgramsConfig:
    """Loyalty configuration of every business: defaults plus per-business overrides."""

    def __init__(
        self, defaults: LoyaltyConfig | None = None, businesses: Mapping[str, LoyaltyConfig] | None = None
    ) -> None:
        self.defaults = defaults or LoyaltyConfig()
        self.businesses = dict(businesses or {})

    @classmethod
    def from_mapping(cls, data: Mapping[Any, Any] | None) -> ProgramsConfig:
        """Build from a checked ``programs:`` section (see the module docstring).

        The input is trusted: read YAML with `mockserver.http.programs_config.load_programs`,
        which checks it against the schema and then calls this.
        """
        data = data or {}
        defaults = LoyaltyConfig()
        for key in _DEFAULTS_KEYS:
            defaults = LoyaltyConfig.from_dict(data.get(key), base=defaults)
        businesses = {
            str(ref): LoyaltyConfig.from_dict(value, base=defaults)
            for ref, value in data.items()
            if ref not in _DEFAULTS_KEYS
        }
        return cls(defaults, businesses)

    def for_business(self, reference: str) -> LoyaltyConfig:
        """The configuration a business runs with."""
        return self.businesses.get(str(reference), self.defaults)


# -- arithmetic --------------------------------------------------------------------------


def floor_amount(program: str, value: float) -> float:
    """Floor to whole units (points, stamps, subscriptions) or to 0.01 (cashback).

    A value too large to be money (not finite) floors to 0: nothing is earned on it.
    """
    if not math.isfinite(value * 100):
        return 0.0
    if program == "cashback":
        return math.floor(value * 100 + 1e-6) / 100
    return float(math.floor(value + 1e-9))


@dataclass(frozen=True, slots=True)
class Earning:
    """What one program earns on an order, and why."""

    program: str
    amount: float
    reason: str


def _qualifies(line: Any, products: tuple[str, ...] | None) -> bool:
    return products is None or line.product_id in products or line.sku in products


def compute_earnings(config: LoyaltyConfig, facts: OrderFacts) -> list[Earning]:
    """What a paid order earns in each enabled program (programs earning 0 are left out)."""
    out: list[Earning] = []
    points = config.points
    if points.enabled:
        spend = facts.pre_tax_spend if points.basis == "pre_tax" else facts.total_price
        amount = floor_amount("points", spend * points.per_unit)
        out.append(
            Earning(
                "points",
                amount,
                f"{points.per_unit:g} point(s) per 1.00 of "
                f"{points.basis.replace('_', '-')} spend {spend:.2f}",
            )
        )
    stamps = config.stamps
    if stamps.enabled:
        lines = [ln for ln in facts.lines if _qualifies(ln, stamps.qualifying_products)]
        if stamps.per == "visit":
            count = 1.0 if lines else 0.0
            why = "1 stamp per visit"
        else:
            count = floor_amount("stamps", sum(ln.quantity - ln.returned_quantity for ln in lines))
            why = "1 stamp per qualifying product"
        out.append(Earning("stamps", count, why))
    cashback = config.cashback
    if cashback.enabled:
        spend = facts.pre_tax_spend if cashback.basis == "pre_tax" else facts.total_price
        amount = floor_amount("cashback", spend * cashback.percent / 100)
        out.append(
            Earning(
                "cashback",
                amount,
                f"{cashback.percent:g}% of {cashback.basis.replace('_', '-')} spend {spend:.2f}",
            )
        )
    return [e for e in out if e.amount > 0]


def reversal_amount(program: str, earned: float, old_fraction: float, new_fraction: float) -> float:
    """How much more to take back when the returned share of an order grows.

    ``earned`` is what the order earned; fractions are the cumulative returned share before
    and after (0..1). The total taken back for a share f is floor(earned x f), all of it at 1.
    """

    def taken(fraction: float) -> float:
        if fraction >= 1:
            return earned
        return floor_amount(program, earned * max(fraction, 0.0))

    return max(0.0, round(taken(new_fraction) - taken(old_fraction), 2))
