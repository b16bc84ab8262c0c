"""Fault rules: the mock misbehaving on purpose, the way a real LoyaPro (or its network) can.

A rule matches webhook calls and says what goes wrong with the ones it fires on::

    id: lost-answer            # optional: rule-1, rule-2, ... otherwise
    operation: order           # order | reward | redeem; omitted: every webhook
    pos: foodics               # only this POS (the path's {pos_name})
    business: "440810"         # only this business reference
    reward_code: TEST-503-ONCE # only /reward and /redeem calls for this code
    customer_mobile: "557937530"  # only calls for this customer (the order's customer, or
                               #   the lookup's / redeem's customer_mobile_number; 966 unless +code)
    order_status: Paid         # only orders in this LoyaPro status (Initiated, Paid, Void, Refunded)
    nth: 1                     # fire on the nth call it matches only (1: the next one)
    probability: 0.25          # fire on each matching call with this chance, drawn from
    seed: 7                    #   this seed (default 0): the same calls fire on every run
    times: 3                   # fire at most this many times (default: no bound)
    action: commit_then_fail   # latency | error | reset | hang | commit_then_fail
    latency: 0.5               # latency: seconds, or {uniform: [0.1, 0.9]}, {normal: [0.3, 0.1]},
                               #   {exponential: 0.2} (drawn from the seed, at most 120 s)
    status: 503                # error, and commit_then_fail with then: error: 500, 502, 503, 504;
                               #   error also 429 (a rate limit's answer, applying nothing)
    retry_after: 1             # the Retry-After seconds of a 503 or 429 (default 1)
    then: reset                # commit_then_fail: reset (the answer is lost) or error (a 5xx)
    seconds: 60                # hang: close without an answer after this long (default 60)

Actions: ``latency`` answers normally after a delay; ``error`` answers a 5xx problem+json
and applies nothing (with ``status: 429`` it answers as a rate limit does, ``rate_limited``
with ``Retry-After``: does the POS wait before it retries?); ``reset`` resets the connection
(TCP RST) and applies nothing; ``hang`` sends nothing until the client gives up (or
``seconds`` pass) and applies nothing;
``commit_then_fail`` applies the call and commits it, then loses the answer (``then:
reset``) or turns it into a 5xx (``then: error``): the case that shows whether a POS
retries with the same order id.

Rules are tried in order for each webhook call; each counts the calls it matches, and the
first that fires wins (the rules after it do not see the call). They live in the store's
meta (key ``fault_rules``), so every process sharing the store counts the same calls, and
`decide` runs in the write transaction that counts. Each injection is also appended to a
short log (``faults_injected``, the last `INJECTED_KEPT`).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from loyapro_mock.mockserver.domain.customers import normalise_mobile
from loyapro_mock.mockserver.domain.errors import DomainError
from loyapro_mock.mockserver.domain.records import Row, StoreTx
from loyapro_mock.mockserver.domain.violations import Violation

__all__ = [
    "ACTIONS",
    "ERROR_STATUSES",
    "INJECTED_KEPT",
    "MAX_SECONDS",
    "OPERATIONS",
    "RATE_LIMITED",
    "CallFacts",
    "Injection",
    "add_rule",
    "any_matches",
    "clear_rules",
    "decide",
    "delete_rule",
    "ensure_rule",
    "injected",
    "install_config",
    "list_rules",
    "parse_rule",
    "parse_rules",
]

ACTIONS = ("latency", "error", "reset", "hang", "commit_then_fail")
OPERATIONS = ("order", "reward", "redeem")
ORDER_STATUSES = ("Initiated", "Paid", "Void", "Refunded")
#: The statuses an injected error may have; each has its problem code.
ERROR_STATUSES = (500, 502, 503, 504)
#: The status an ``error`` rule (only) may have besides `ERROR_STATUSES`: a rate limit's answer.
RATE_LIMITED = 429
THEN = ("reset", "error")
DISTRIBUTIONS = ("uniform", "normal", "exponential")
#: The longest latency or hang a rule may ask for, in seconds.
MAX_SECONDS = 120.0
#: How many injections the log keeps (the journal keeps every one, with its request).
INJECTED_KEPT = 200
RULES_KEY = "fault_rules"
NEXT_ID_KEY = "fault_next_id"
INJECTED_KEY = "faults_injected"

_MATCH_TEXT = ("pos", "business", "reward_code")
_FIELDS = frozenset(
    {"id", "operation", "order_status", "customer_mobile", "nth", "probability", "seed", "times", "action"}
    | {"latency", "status", "retry_after", "then", "seconds", *_MATCH_TEXT}
)
#: What a stored rule carries besides its definition.
_COUNTERS = ("source", "matched", "fired")


@dataclass(frozen=True, slots=True)
class CallFacts:
    """What a rule can match in a webhook call."""

    operation: str
    pos: str | None = None
    business: str | None = None
    reward_code: str | None = None
    order_status: str | None = None
    customer_mobile: str | None = None  # national digits (mockserver.domain.customers)


@dataclass(frozen=True, slots=True)
class Injection:
    """A rule that fired on a call: the rule (as stored), which matching call it was, and
    the latency it drew (for ``latency``)."""

    rule: Row
    call: int
    latency: float | None = None

    @property
    def action(self) -> str:
        """The rule's action."""
        return str(self.rule["action"])

    def journal(self) -> dict[str, Any]:
        """What the journal entry of the call records of the fault."""
        entry: dict[str, Any] = {"rule": self.rule["id"], "action": self.action, "call": self.call}
        if self.latency is not None:
            entry["latency_seconds"] = round(self.latency, 6)
        for key in ("status", "then"):
            if key in self.rule:
                entry[key] = self.rule[key]
        return entry


# -- reading rules ------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _check_latency(value: Any, pointer: str, errors: list[Violation]) -> Any:
    seconds = _number(value)
    if seconds is not None:
        if not 0 <= seconds <= MAX_SECONDS:
            errors.append(Violation(pointer, f"must be 0 to {MAX_SECONDS:g} seconds", "maximum"))
        return seconds
    if not isinstance(value, Mapping) or len(value) != 1 or next(iter(value)) not in DISTRIBUTIONS:
        errors.append(
            Violation(
                pointer,
                "must be seconds (0.5) or one distribution: {uniform: [min, max]}, "
                "{normal: [mean, stddev]} or {exponential: mean}",
                "type",
            )
        )
        return value
    kind, params = next(iter(value.items()))
    if kind == "exponential":
        mean = _number(params)
        if mean is None or not 0 < mean <= MAX_SECONDS:
            errors.append(
                Violation(f"{pointer}/exponential", f"must be a mean of 0 to {MAX_SECONDS:g} s", "type")
            )
        return {kind: mean}
    pair = [_number(p) for p in params] if isinstance(params, list) and len(params) == 2 else None
    if pair is None or None in pair or min(p for p in pair if p is not None) < 0:
        what = "[min, max]" if kind == "uniform" else "[mean, stddev]"
        errors.append(Violation(f"{pointer}/{kind}", f"must be two numbers >= 0: {what}", "type"))
        return value
    if kind == "uniform" and not pair[0] <= pair[1] <= MAX_SECONDS:  # type: ignore[operator]
        errors.append(Violation(f"{pointer}/uniform", f"needs min <= max <= {MAX_SECONDS:g}", "maximum"))
    return {kind: pair}


def _check_int(rule: dict[str, Any], name: str, pointer: str, errors: list[Violation], low: int) -> None:
    if name not in rule:
        return
    value = rule[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        errors.append(Violation(f"{pointer}/{name}", f"must be an integer >= {low}", "minimum"))


def parse_rule(raw: Any, pointer: str = "") -> dict[str, Any]:
    """A rule's definition, checked and normalised; raises a 422 listing every problem."""
    if not isinstance(raw, Mapping):
        raise DomainError(
            422,
            "validation_failed",
            f"{pointer or 'the rule'}: a fault rule is an object with at least an action",
            errors=[Violation(pointer, "must be an object", "type")],
        )
    errors: list[Violation] = []
    rule = {str(k): v for k, v in raw.items() if v is not None}
    for key in sorted(set(rule) - _FIELDS):
        errors.append(
            Violation(
                f"{pointer}/{key}",
                f"is not a rule field (known: {', '.join(sorted(_FIELDS))})",
                "additionalProperties",
            )
        )
    action = rule.get("action")
    if action not in ACTIONS:
        errors.append(Violation(f"{pointer}/action", f"must be one of {', '.join(ACTIONS)}", "enum"))
    if "operation" in rule and rule["operation"] not in OPERATIONS:
        errors.append(Violation(f"{pointer}/operation", f"must be one of {', '.join(OPERATIONS)}", "enum"))
    if "order_status" in rule and rule["order_status"] not in ORDER_STATUSES:
        errors.append(
            Violation(f"{pointer}/order_status", f"must be one of {', '.join(ORDER_STATUSES)}", "enum")
        )
    for key in ("id", *_MATCH_TEXT):
        if key in rule:
            if isinstance(rule[key], bool) or not isinstance(rule[key], str | int) or not str(rule[key]):
                errors.append(Violation(f"{pointer}/{key}", "must be a non-empty string", "type"))
            else:
                rule[key] = str(rule[key])
    if "customer_mobile" in rule:
        try:
            rule["customer_mobile"] = normalise_mobile(str(rule["customer_mobile"]))[1]
        except ValueError as exc:
            errors.append(Violation(f"{pointer}/customer_mobile", str(exc), "pattern"))
    if len(rule.get("id", "")) > 64:
        errors.append(Violation(f"{pointer}/id", "must have at most 64 characters", "maxLength"))
    _check_int(rule, "nth", pointer, errors, 1)
    _check_int(rule, "times", pointer, errors, 1)
    _check_int(rule, "seed", pointer, errors, 0)
    _check_int(rule, "retry_after", pointer, errors, 0)
    if "probability" in rule:
        p = _number(rule["probability"])
        if p is None or not 0 <= p <= 1:
            errors.append(Violation(f"{pointer}/probability", "must be a number from 0 to 1", "maximum"))
    if "seconds" in rule:
        s = _number(rule["seconds"])
        if s is None or not 0 < s <= MAX_SECONDS:
            errors.append(
                Violation(f"{pointer}/seconds", f"must be more than 0 and at most {MAX_SECONDS:g}", "maximum")
            )
    _check_action_fields(rule, action, pointer, errors)
    if errors:
        raise DomainError(
            422,
            "validation_failed",
            f"the fault rule breaks {len(errors)} rule(s): "
            + "; ".join(f"{e.pointer or '/'}: {e.message}" for e in errors),
            errors=errors,
        )
    return rule


def _check_action_fields(rule: dict[str, Any], action: Any, pointer: str, errors: list[Violation]) -> None:
    """Each action's own fields: present where needed, absent where they mean nothing."""
    own = {
        "latency": {"latency"},
        "error": {"status", "retry_after"},
        "reset": set(),
        "hang": {"seconds"},
        "commit_then_fail": {"then", "status", "retry_after"},
    }.get(action, set())
    for key in sorted({"latency", "status", "retry_after", "then", "seconds"} & set(rule) - own):
        errors.append(
            Violation(f"{pointer}/{key}", f"means nothing for action {action}", "additionalProperties")
        )
    if action == "latency":
        if "latency" not in rule:
            errors.append(Violation(f"{pointer}/latency", "is required for action latency", "required"))
        else:
            rule["latency"] = _check_latency(rule["latency"], f"{pointer}/latency", errors)
    if "then" in rule and rule["then"] not in THEN:
        errors.append(Violation(f"{pointer}/then", "must be reset or error", "enum"))
    if action == "commit_then_fail" and rule.get("then", "reset") == "reset" and "status" in rule:
        errors.append(
            Violation(f"{pointer}/status", "means nothing unless then is error", "additionalProperties")
        )
    if action in ("error", "commit_then_fail") and (action == "error" or rule.get("then") == "error"):
        status = rule.setdefault("status", 503)
        allowed = (RATE_LIMITED, *ERROR_STATUSES) if action == "error" else ERROR_STATUSES
        if status not in allowed:
            errors.append(
                Violation(f"{pointer}/status", f"must be one of {', '.join(map(str, allowed))}", "enum")
            )
    if action == "commit_then_fail":
        rule.setdefault("then", "reset")


def parse_rules(raw: Any) -> list[dict[str, Any]]:
    """The rules of a ``--faults`` file: a list of rules, or ``{rules: [...]}``."""
    if isinstance(raw, Mapping) and set(raw) == {"rules"}:
        raw = raw["rules"]
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise DomainError(
            422,
            "validation_failed",
            "a faults file holds a list of rules (or rules: [...])",
            errors=[Violation("", "must be a list of rules", "type")],
        )
    rules: list[dict[str, Any]] = []
    errors: list[Violation] = []
    for i, item in enumerate(raw):
        try:
            rules.append(parse_rule(item, f"/{i}"))
        except DomainError as exc:
            errors.extend(exc.errors)
    if errors:
        raise DomainError(
            422,
            "validation_failed",
            f"the fault rules break {len(errors)} rule(s): "
            + "; ".join(f"{e.pointer}: {e.message}" for e in errors),
            errors=errors,
        )
    ids = [rule["id"] for rule in rules if "id" in rule]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise DomainError(
            422,
            "validation_failed",
            f"rule ids must be unique; given more than once: {', '.join(twice)}",
            errors=[Violation("", f"id {i} is given twice", "uniqueItems") for i in twice],
        )
    return rules


# -- the rules in the store ---------------------------------------------------------------


def _load(tx: StoreTx, key: str) -> list[Row]:
    raw = tx.get_meta(key)
    return list(orjson.loads(raw)) if raw else []


def _save(tx: StoreTx, key: str, rows: list[Row]) -> None:
    tx.set_meta(key, orjson.dumps(rows).decode())


def list_rules(tx: StoreTx) -> list[Row]:
    """The rules, in the order they are tried, each with ``source``, ``matched`` and ``fired``."""
    return _load(tx, RULES_KEY)


def _new_id(tx: StoreTx, taken: set[str]) -> str:
    number = int(tx.get_meta(NEXT_ID_KEY) or "1")
    while f"rule-{number}" in taken:
        number += 1
    tx.set_meta(NEXT_ID_KEY, str(number + 1))
    return f"rule-{number}"


def add_rule(tx: StoreTx, definition: Mapping[str, Any], source: str = "api") -> Row:
    """Append a checked rule (see `parse_rule`) and return it as stored; a taken id is a 422."""
    rules = list_rules(tx)
    taken = {str(rule["id"]) for rule in rules}
    rule: Row = dict(definition)
    if "id" in rule and rule["id"] in taken:
        raise DomainError(
            422,
            "validation_failed",
            f"a fault rule with id {rule['id']} exists already; choose another id or delete that rule first",
            errors=[Violation("/id", f"{rule['id']} is taken", "uniqueItems")],
        )
    if "id" not in rule:
        rule["id"] = _new_id(tx, taken)
    rule.update(source=source, matched=0, fired=0)
    rules.append(rule)
    _save(tx, RULES_KEY, rules)
    return rule


def ensure_rule(tx: StoreTx, definition: Mapping[str, Any], source: str) -> None:
    """Add a rule with a fixed id unless one with that id is held (the demo's rule)."""
    if not any(rule["id"] == definition["id"] for rule in list_rules(tx)):
        add_rule(tx, definition, source)


def install_config(tx: StoreTx, definitions: Iterable[Mapping[str, Any]]) -> None:
    """Make the ``config`` rules (a ``--faults`` file) these, keeping the others.

    A rule without an id gets ``config-<n>`` (its place in the file). When the store already
    holds exactly these definitions (another worker, or a restart, installed them) nothing
    changes, so their counters stand.
    """
    wanted = [dict(d) if "id" in d else {"id": f"config-{i}", **d} for i, d in enumerate(definitions, 1)]
    rules = list_rules(tx)
    if [_definition(rule) for rule in rules if rule.get("source") == "config"] == wanted:
        return
    ids = {str(d["id"]) for d in wanted}
    kept = [rule for rule in rules if rule.get("source") != "config" and rule["id"] not in ids]
    _save(tx, RULES_KEY, kept)
    for definition in wanted:
        add_rule(tx, definition, "config")


def _definition(rule: Row) -> Row:
    return {k: v for k, v in rule.items() if k not in _COUNTERS}


def delete_rule(tx: StoreTx, rule_id: str) -> Row:
    """Remove one rule and return it; 404 ``fault_not_found`` when there is none."""
    rules = list_rules(tx)
    for i, rule in enumerate(rules):
        if rule["id"] == rule_id:
            del rules[i]
            _save(tx, RULES_KEY, rules)
            return rule
    held = ", ".join(str(rule["id"]) for rule in rules) or "none"
    raise DomainError(404, "fault_not_found", f"no fault rule has the id {rule_id!r} (held: {held})")


def clear_rules(tx: StoreTx) -> int:
    """Remove every rule (the log of injections stays); how many there were."""
    count = len(list_rules(tx))
    _save(tx, RULES_KEY, [])
    return count


def injected(tx: StoreTx) -> list[Row]:
    """The last injections, oldest first: ``{rule, action, operation, pos, business, call, at}``."""
    return _load(tx, INJECTED_KEY)


# -- deciding -----------------------------------------------------------------------------


def any_matches(rules: Iterable[Row], facts: CallFacts) -> bool:
    """True when some rule matches the call: only then must it be counted (in a write)."""
    return any(_matches(rule, facts) for rule in rules)


def _matches(rule: Row, facts: CallFacts) -> bool:
    return (
        rule.get("operation", facts.operation) == facts.operation
        and rule.get("pos", facts.pos) == facts.pos
        and rule.get("business", facts.business) == facts.business
        and rule.get("reward_code", facts.reward_code) == facts.reward_code
        and rule.get("order_status", facts.order_status) == facts.order_status
        and rule.get("customer_mobile", facts.customer_mobile) == facts.customer_mobile
    )


def _rng(rule: Row, call: int, purpose: str) -> random.Random:
    return random.Random(f"{rule.get('seed', 0)}:{rule['id']}:{call}:{purpose}")


def _latency(rule: Row, call: int) -> float:
    spec = rule["latency"]
    if not isinstance(spec, dict):
        return float(spec)
    kind, params = next(iter(spec.items()))
    rng = _rng(rule, call, "latency")
    if kind == "uniform":
        value = rng.uniform(params[0], params[1])
    elif kind == "normal":
        value = rng.gauss(params[0], params[1])
    else:
        value = rng.expovariate(1.0 / params)
    return min(max(value, 0.0), MAX_SECONDS)


def decide(tx: StoreTx, facts: CallFacts, at: str) -> Injection | None:
    """Count the call in the rules it matches and return the injection of the first that
    fires (None when none does). Run it in a write transaction."""
    rules = list_rules(tx)
    if not rules:
        return None
    seen = False
    fired: Injection | None = None
    for rule in rules:
        if not _matches(rule, facts):
            continue
        seen = True
        rule["matched"] += 1
        call = rule["matched"]
        fires = rule.get("nth", call) == call and rule["fired"] < rule.get("times", call + 1)
        if fires and "probability" in rule:
            fires = _rng(rule, call, "probability").random() < rule["probability"]
        if fires:
            rule["fired"] += 1
            latency = _latency(rule, call) if rule["action"] == "latency" else None
            fired = Injection(dict(rule), call, latency)
            break
    if seen:
        _save(tx, RULES_KEY, rules)
    if fired is not None:
        log = injected(tx)
        log.append(
            {
                **fired.journal(),
                "operation": facts.operation,
                "pos": facts.pos,
                "business": facts.business,
                "at": at,
            }
        )
        _save(tx, INJECTED_KEY, log[-INJECTED_KEPT:])
    return fired
