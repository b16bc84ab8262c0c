"""Rate limits per POS token and per business, counted in the store.

A limit reads ``5/s`` (5 calls in any one second), ``100/min``, ``1000/h`` or ``10/30s``. One
limit applies to every POS token and to every business alike; ``pos=5/s,business=100/min``
sets them apart, and naming one scope leaves the other unlimited. ``off`` (or nothing) means
no limit.

Counting is a sliding log: each scope's key (a token's digest, a business reference) keeps in
the store's meta (``StoreTx.get_meta`` / ``set_meta``, key ``rate:<scope>:<key>``) the instants
of the calls it let through within the last window. A call is let through when every scope
has room; then it is counted in each. A refused call is not counted, so a client that waits
``retry_after`` seconds gets through. Because the log lives in the store and `admit` runs in
one write transaction, every process sharing the store counts the same calls.

The instants are the real time (seconds since the epoch, passed in): a limit is about how
fast a client sends, not about the mock's movable clock.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import orjson

from loyapro_mock.mockserver.domain.records import StoreTx

__all__ = [
    "OVERRIDE_KEY",
    "SCOPES",
    "Admission",
    "RateLimitError",
    "RatePolicy",
    "admit",
    "override",
    "parse_rate_limit",
    "rate_limit_text",
    "set_override",
    "whole_seconds",
]

#: The scopes a limit counts in: each POS token, each business.
SCOPES = ("pos", "business")
_UNITS = {"s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0, "minute": 60.0}
_UNITS |= {"h": 3600.0, "hour": 3600.0}
_LIMIT = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*")
_OFF = {"", "off", "none", "no", "false", "0"}
MAX_QUOTA = 100_000
#: The meta key of the limit set at run time (``PUT /__admin/rate-limit``), over the setting.
OVERRIDE_KEY = "rate_limit"


class RateLimitError(ValueError):
    """A rate limit that does not parse; the message shows the forms that do."""


@dataclass(frozen=True, slots=True)
class RatePolicy:
    """At most ``quota`` calls in any ``window`` seconds, per key of ``scope``."""

    scope: str
    quota: int
    window: float

    @property
    def text(self) -> str:
        """The limit as it is written: ``5/s``, ``100/min``, ``10/30s``."""
        for unit, seconds in (("h", 3600.0), ("min", 60.0), ("s", 1.0)):
            if self.window == seconds:
                return f"{self.quota}/{unit}"
        return f"{self.quota}/{self.window:g}s"


def _one(text: str, where: str) -> tuple[int, float]:
    match = _LIMIT.fullmatch(text.lower())
    unit = match and _UNITS.get(match.group(3))
    if not match or unit is None:
        raise RateLimitError(
            f"{where}{text!r} is not a rate limit; write calls/period such as 5/s, 100/min, 1000/h or 10/30s"
        )
    quota, multiple = int(match.group(1)), int(match.group(2) or 1)
    if not 1 <= quota <= MAX_QUOTA or multiple < 1:
        raise RateLimitError(f"{where}{text!r}: the calls must be 1 to {MAX_QUOTA} per a period of 1 or more")
    return quota, unit * multiple


def parse_rate_limit(text: str | None) -> tuple[RatePolicy, ...]:
    """The policies a ``rate_limit`` setting names (none for ``off``); raises `RateLimitError`."""
    if text is None or text.strip().lower() in _OFF:
        return ()
    if "=" not in text:
        quota, window = _one(text, "")
        return tuple(RatePolicy(scope, quota, window) for scope in SCOPES)
    policies: dict[str, RatePolicy] = {}
    for part in text.split(","):
        scope, _, limit = part.partition("=")
        scope = scope.strip().lower()
        if scope not in SCOPES or not limit.strip():
            raise RateLimitError(
                f"{part.strip()!r} names no scope: write pos=5/s, business=100/min or both, "
                "separated by a comma"
            )
        if scope in policies:
            raise RateLimitError(f"the scope {scope} is given twice")
        if limit.strip().lower() not in _OFF:
            policies[scope] = RatePolicy(scope, *_one(limit, f"{scope}: "))
    return tuple(policies[scope] for scope in SCOPES if scope in policies)


def rate_limit_text(policies: tuple[RatePolicy, ...]) -> str:
    """The setting that `parse_rate_limit` reads back as ``policies`` (``off`` for none)."""
    if not policies:
        return "off"
    return ",".join(f"{p.scope}={p.text}" for p in policies)


@dataclass(frozen=True, slots=True)
class Admission:
    """What `admit` decided: let through or not, and each policy's state after the call.

    ``remaining`` and ``reset`` are per policy, in the order given: calls still allowed in the
    current window and seconds until the oldest counted call leaves it. ``retry_after`` (when
    refused) is the seconds until every refusing policy has room again; ``refused_by`` names
    the policy that refused, with the key it counted.
    """

    allowed: bool
    policies: tuple[RatePolicy, ...]
    remaining: tuple[int, ...]
    reset: tuple[float, ...]
    retry_after: float = 0.0
    refused_by: tuple[RatePolicy, str] | None = None


def _meta_key(policy: RatePolicy, key: str) -> str:
    return f"rate:{policy.scope}:{key}"


def admit(
    tx: StoreTx, policies: tuple[RatePolicy, ...], keys: Mapping[str, str | None], now: float
) -> Admission:
    """Count one call of the given ``keys`` (``{scope: key}``; a None key is not limited).

    Run it in a write transaction: it reads and writes each key's log.
    """
    logs: list[tuple[RatePolicy, str, list[float]]] = []
    for policy in policies:
        key = keys.get(policy.scope)
        if key is None:
            continue
        raw = tx.get_meta(_meta_key(policy, key))
        kept = [t for t in (orjson.loads(raw) if raw else []) if t > now - policy.window]
        logs.append((policy, key, kept))
    full = [(policy, key, kept) for policy, key, kept in logs if len(kept) >= policy.quota]
    if full:
        waits = [kept[len(kept) - policy.quota] + policy.window - now for policy, _, kept in full]
        worst = max(range(len(full)), key=lambda i: waits[i])
        return Admission(
            allowed=False,
            policies=tuple(p for p, _, _ in logs),
            remaining=tuple(max(p.quota - len(kept), 0) for p, _, kept in logs),
            reset=tuple(_reset(p, kept, now) for p, _, kept in logs),
            retry_after=max(waits[worst], 0.0),
            refused_by=(full[worst][0], full[worst][1]),
        )
    for policy, key, kept in logs:
        kept.append(now)
        tx.set_meta(_meta_key(policy, key), orjson.dumps(kept[-policy.quota :]).decode())
    return Admission(
        allowed=True,
        policies=tuple(p for p, _, _ in logs),
        remaining=tuple(p.quota - len(kept) for p, _, kept in logs),
        reset=tuple(_reset(p, kept, now) for p, _, kept in logs),
    )


def _reset(policy: RatePolicy, kept: list[float], now: float) -> float:
    """Seconds until the oldest counted call leaves the window (0 when none is counted)."""
    return max(kept[0] + policy.window - now, 0.0) if kept else 0.0


def whole_seconds(seconds: float) -> int:
    """Seconds rounded up, as ``Retry-After`` and the RateLimit fields carry them."""
    return max(math.ceil(seconds - 1e-9), 0)


def override(tx: StoreTx) -> str | None:
    """The limit set at run time (``off`` included), or None when the setting applies."""
    return tx.get_meta(OVERRIDE_KEY) or None


def set_override(tx: StoreTx, text: str | None) -> tuple[RatePolicy, ...]:
    """Set the run-time limit (None: back to the setting); returns its policies.

    Raises `RateLimitError` for a limit that does not parse, changing nothing.
    """
    policies = parse_rate_limit(text) if text is not None else ()
    tx.set_meta(OVERRIDE_KEY, "" if text is None else rate_limit_text(policies))
    return policies
