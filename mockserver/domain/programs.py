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

Amounts are floored: points and stamps to whole units, cashback to 0.01. A reversal of a
fraction f of what an order earned E takes floor(E x f) in total (all of E when f = 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, TypeVar

from loyapro_mock.mockserver.domain.orders import OrderFacts

__all__ = [
    "BALANCE_PROGRAMS",
    "CashbackProgram",
    "ConfigError",
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


class ConfigError(ValueError):
    """The programs configuration is invalid; the message names the key."""


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
    def from_dict(
        cls, data: Any, *, base: LoyaltyConfig | None = None, where: str = "programs"
    ) -> LoyaltyConfig:
        """Build a config from a YAML mapping, overriding ``base`` (default: the defaults)."""
        config = base or cls()
        if data is None:
            return config
        if not isinstance(data, Mapping):
            raise ConfigError(f"{where}: expected a mapping of programs")
        changes: dict[str, Any] = {}
        for key, value in data.items():
            current = getattr(config, str(key), None)
            if current is None:
                names = ", ".join(f.name for f in fields(cls))
                raise ConfigError(f"{where}: unknown program {key!r} (known: {names})")
            changes[str(key)] = _build(current, value, f"{where}.{key}")
        return replace(config, **changes)


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false")
    return value


def _num(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{where}: expected a number >= 0")
    return float(value)


def _opt_num(value: Any, where: str) -> float | None:
    return None if value is None else _num(value, where)


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where}: expected a whole number >= 1")
    return value


def _ids(value: Any, where: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not all(isinstance(v, str | int) for v in value):
        raise ConfigError(f"{where}: expected a list of product ids or skus")
    return tuple(str(v) for v in value)


def _choice(*options: str) -> Callable[[Any, str], str]:
    def check(value: Any, where: str) -> str:
        if value not in options:
            raise ConfigError(f"{where}: expected one of {', '.join(options)}")
        return str(value)

    return check


def _plans(value: Any, where: str) -> tuple[Plan, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list of plans")
    plans = tuple(_build(Plan(), item, f"{where}[{i}]") for i, item in enumerate(value))
    if len({p.name for p in plans}) != len(plans):
        raise ConfigError(f"{where}: plan names must be unique")
    return plans


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: expected a non-empty name")
    return value


_CONVERTERS: dict[str, Callable[[Any, str], Any]] = {
    "enabled": _bool,
    "release_on_void": _bool,
    "release_on_refund": _bool,
    "per_unit": _num,
    "percent": _num,
    "threshold": _int,
    "reward_max_discount": _opt_num,
    "reward_expires_days": _opt_num,
    "issue_code_at": _opt_num,
    "code_expires_days": _opt_num,
    "max_discount_amount": _opt_num,
    "basis": _choice("pre_tax", "total"),
    "per": _choice("visit", "product"),
    "period": _choice("day", "week", "month"),
    "qualifying_products": _ids,
    "reward_products": _ids,
    "products": _ids,
    "plans": _plans,
    "name": _name,
}

T = TypeVar("T")


def _build(current: T, data: Any, where: str) -> T:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: expected a mapping")
    known = {f.name for f in fields(current)}  # type: ignore[arg-type]
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown setting {key!r} (known: {', '.join(sorted(known))})")
        changes[key] = _CONVERTERS[key](value, f"{where}.{key}")
    if "percent" in changes and changes["percent"] > 100:
        raise ConfigError(f"{where}.percent: expected at most 100")
    return replace(current, **changes)  # type: ignore[type-var]


class ProgramsConfig:
    """Loyalty configuration of every business: defaults plus per-business overrides."""

    def __init__(
        self, defaults: LoyaltyConfig | None = None, businesses: Mapping[str, LoyaltyConfig] | None = None
    ) -> None:
        self.defaults = defaults or LoyaltyConfig()
        self.businesses = dict(businesses or {})

    @classmethod
    def from_mapping(cls, data: Mapping[Any, Any] | None) -> ProgramsConfig:
        """Read the ``programs:`` config section (see the module docstring)."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise ConfigError("programs: expected a mapping keyed by business reference")
        defaults = LoyaltyConfig()
        for key in ("defaults", "*"):
            if key in data:
                defaults = LoyaltyConfig.from_dict(data[key], base=defaults, where=f"programs.{key}")
        businesses = {
            str(ref): LoyaltyConfig.from_dict(value, base=defaults, where=f"programs.{ref}")
            for ref, value in data.items()
            if ref not in ("defaults", "*")
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
