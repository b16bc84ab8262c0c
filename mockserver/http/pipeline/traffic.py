"""Traffic control of the webhooks: the rate limit, then the fault rules, after the contract.

`traffic_middleware` runs innermost, once a webhook call has passed authentication and the
contract checks (a refused call is not counted). For each call it reads (from the store, at
most every `CONTROL_TTL_SECONDS` per process: `ControlCache`) whether a rate limit applies
(the run-time one of ``PUT /__admin/rate-limit``, else the ``rate_limit`` setting) and which
fault rules are held; with no limit and no rule matching the call, the call goes on
untouched. Otherwise the call is counted in one write of the group commit
(`mockserver.store.group_commit`), so every worker sharing the store counts the same calls:

* the rate limit (`mockserver.domain.rate_limits`): a call over it is answered 429
  ``rate_limited`` with ``Retry-After`` and nothing is applied; every answer to a counted
  call carries the IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers:
  ``RateLimit-Policy: "pos";q=5;w=1, "business";q=5;w=1`` and
  ``RateLimit: "pos";r=4;t=1, "business";r=4;t=1``);
* the fault rules (`mockserver.domain.faults`): the first that fires decides what goes
  wrong with the call. The journal entry records it under ``fault`` (the rule, its action,
  which matching call it was, whether the change was committed and the answer that was
  lost); an answer that never left has ``status`` 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import socket
import struct
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson
from aiohttp import web

from loyapro_mock.mockserver.domain import faults, rate_limits
from loyapro_mock.mockserver.domain.clock import iso
from loyapro_mock.mockserver.domain.customers import normalise_mobile
from loyapro_mock.mockserver.domain.errors import DomainError
from loyapro_mock.mockserver.domain.orders import loyapro_status, mapping
from loyapro_mock.mockserver.domain.rate_limits import (
    Admission,
    RatePolicy,
    admit,
    parse_rate_limit,
    whole_seconds,
)
from loyapro_mock.mockserver.http.keys import CALL, GROUP, SETTINGS, STORE, Call, Handler
from loyapro_mock.mockserver.http.problems import ProblemError, problem_from_domain

__all__ = [
    "CONTROL_CACHE",
    "CONTROL_TTL_SECONDS",
    "HANG_POLL_SECONDS",
    "Control",
    "ControlCache",
    "rate_limit_headers",
    "read_control",
    "traffic_middleware",
]

#: How often a hanging call looks whether its client gave up.
HANG_POLL_SECONDS = 0.05
#: How long a process trusts its last read of the rate limit and rules (`ControlCache`).
CONTROL_TTL_SECONDS = 0.2


@lru_cache(maxsize=64)
def _policies(text: str | None) -> tuple[RatePolicy, ...]:
    return parse_rate_limit(text)


@lru_cache(maxsize=16)
def _rules(raw: str | None) -> tuple[dict[str, Any], ...]:
    """The rules' match fields, parsed once per stored text (read-only: for matching)."""
    return tuple(orjson.loads(raw)) if raw else ()


class Control:
    """What applies to webhook calls now: the rate limit's policies and the fault rules."""

    __slots__ = ("operations", "policies", "rules", "source")

    def __init__(
        self, policies: tuple[RatePolicy, ...], source: str, rules: tuple[dict[str, Any], ...]
    ) -> None:
        self.policies = policies
        self.source = source  # "setting" or "admin"
        self.rules = rules
        #: The operations some rule matches (None: a rule for every operation).
        self.operations = frozenset(rule.get("operation") for rule in rules)

    def concerns(self, operation: str) -> bool:
        """False when no call of ``operation`` can be counted: the common, fast case."""
        return bool(self.policies) or None in self.operations or operation in self.operations

    def counts(self, facts: faults.CallFacts) -> bool:
        """True when the call must be counted: a rate limit applies, or a rule matches it."""
        return bool(self.policies) or faults.any_matches(self.rules, facts)


class ControlCache:
    """This process's last read of the `Control`, kept `CONTROL_TTL_SECONDS`.

    Reading the store costs a snapshot per webhook call; so a process reads it again only
    after the TTL, or at once after its own admin API changed it (`invalidate`). Another
    worker's change is seen within the TTL. Whether a call is counted is all that is cached:
    the counting itself (rate limit, nth call) always happens in the store.
    """

    __slots__ = ("control", "expires")

    def __init__(self) -> None:
        self.control: Control | None = None
        self.expires = 0.0

    def invalidate(self) -> None:
        """Read the store again on the next call."""
        self.control = None


#: The app's `ControlCache` (set by the app factory).
CONTROL_CACHE: web.AppKey[ControlCache] = web.AppKey("traffic_control", ControlCache)


def read_control(app: web.Application, *, fresh: bool = False) -> Control:
    """The rate limit and fault rules in force (from the store, or this process's cache)."""
    cached = None if fresh else _cached(app)
    return cached if cached is not None else _remember(app, _load_control(app))


def _cached(app: web.Application) -> Control | None:
    cache = app[CONTROL_CACHE]
    return cache.control if cache.control is not None and time.monotonic() < cache.expires else None


def _remember(app: web.Application, control: Control) -> Control:
    cache = app[CONTROL_CACHE]
    cache.control, cache.expires = control, time.monotonic() + CONTROL_TTL_SECONDS
    return control


def _load_control(app: web.Application) -> Control:
    with app[STORE].snapshot() as tx:
        limit = rate_limits.override(tx)
        rules = _rules(tx.get_meta(faults.RULES_KEY))
    if limit:
        return Control(_policies(limit), "admin", rules)
    return Control(_policies(app[SETTINGS].rate_limit), "setting", rules)


def _token_key(request: web.Request, pos_name: str | None) -> str | None:
    """The POS token's key: the POS and a digest of the token (never the token itself)."""
    header = request.headers.get("Authorization", "")
    token = header.partition(" ")[2].strip()
    if not token:
        return None
    return f"{pos_name}:{hashlib.sha256(token.encode()).hexdigest()[:16]}"


def _mobile(number: Any, dial_code: Any) -> str | None:
    if not isinstance(number, str | int) or isinstance(number, bool):
        return None
    try:
        return normalise_mobile(number, dial_code if isinstance(dial_code, str | int) else None)[1]
    except ValueError:
        return None


def _facts(operation: str, call: Call) -> faults.CallFacts:
    body = mapping(call.body)
    if operation == "order":
        order = mapping(body.get("order"))
        business = mapping(body.get("business")).get("reference")
        status = loyapro_status(order.get("status"))
        customer = mapping(order.get("customer"))
        code, mobile = None, _mobile(customer.get("phone"), customer.get("dial_code"))
    else:
        business, status, code = body.get("business_reference"), None, body.get("reward_code")
        mobile = _mobile(body.get("customer_mobile_number"), body.get("mobile_country_code"))
    return faults.CallFacts(
        operation=operation,
        pos=call.pos_name,
        business=None if business is None else str(business),
        reward_code=None if code is None else str(code),
        order_status=status,
        customer_mobile=mobile,
    )


def rate_limit_headers(admission: Admission) -> dict[str, str]:
    """The IETF RateLimit header fields of a counted call (``RateLimit-Policy``, ``RateLimit``)."""
    policies = ", ".join(f'"{p.scope}";q={p.quota};w={whole_seconds(p.window)}' for p in admission.policies)
    state = ", ".join(
        f'"{p.scope}";r={r};t={whole_seconds(t)}'
        for p, r, t in zip(admission.policies, admission.remaining, admission.reset, strict=True)
    )
    return {"RateLimit-Policy": policies, "RateLimit": state}


def _rate_limited(admission: Admission, headers: dict[str, str]) -> ProblemError:
    assert admission.refused_by is not None
    policy, key = admission.refused_by
    wait = max(whole_seconds(admission.retry_after), 1)
    who = (
        f"The POS token of {key.partition(':')[0]!r} has" if policy.scope == "pos" else f"Business {key} has"
    )
    return ProblemError(
        429,
        "rate_limited",
        f"{who} sent {policy.quota} webhook call(s) in the last {policy.window:g} s, the most "
        f"the rate limit ({policy.text} per {'POS token' if policy.scope == 'pos' else 'business'}) "
        f"allows; nothing of this call was applied. Wait {wait} s (Retry-After) before sending "
        "it again, unchanged, and pace later calls by the RateLimit header fields.",
        headers={**headers, "Retry-After": str(wait)},
    )


def _injected_error(rule: dict[str, Any], committed: bool) -> ProblemError:
    """The 5xx problem of an ``error`` (or ``commit_then_fail`` / ``then: error``) rule."""
    if committed:
        what = (
            "the call was applied and committed, then this answer replaced its own. A retry of "
            "the same call (the same order id, the same redeem) is answered as a repeat"
        )
    else:
        what = "nothing of the call was applied. Retry the same call, unchanged (the same order id)"
    detail = f"Fault rule {rule['id']!r} injected this error: {what}; never resend it under a new id."
    status = rule["status"]
    if status == faults.RATE_LIMITED:
        wait = str(rule.get("retry_after", 1))
        return ProblemError(
            429,
            "rate_limited",
            f"Fault rule {rule['id']!r} answered as a rate limit does: nothing of the call was "
            f"applied. Wait {wait} s (Retry-After) before sending it again, unchanged.",
            headers={"Retry-After": wait},
        )
    if status == 500:
        return ProblemError(500, "injected_internal_error", detail)
    if status == 502:
        return ProblemError(502, "injected_bad_gateway", detail)
    if status == 504:
        return ProblemError(504, "injected_gateway_timeout", detail)
    retry = str(rule.get("retry_after", 1))
    return ProblemError(503, "injected_unavailable", detail, headers={"Retry-After": retry})


def _reset(request: web.Request) -> None:
    """Reset the connection (TCP RST): the client reads ECONNRESET, not an answer."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    with contextlib.suppress(OSError, AttributeError, TypeError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


async def _hang(request: web.Request, seconds: float) -> bool:
    """Send nothing until the client closes the connection (True) or ``seconds`` pass
    (False, and the connection is closed without an answer)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        transport = request.transport
        if transport is None or transport.is_closing():
            return True
        await asyncio.sleep(HANG_POLL_SECONDS)
    transport = request.transport
    if transport is not None:
        transport.close()
    return False


def _lost(call: Call) -> web.Response:
    """What the handler returns for a call whose answer never leaves (journaled as status 0)."""
    assert call.fault is not None
    call.fault["answered"] = False
    call.response_data = None
    return web.Response(status=503)  # written to a closed connection: nobody reads it


async def _apply(request: web.Request, handler: Handler, injection: faults.Injection) -> web.StreamResponse:
    call = request[CALL]
    rule = injection.rule
    action = injection.action
    assert call.fault is not None
    if action == "latency":
        await asyncio.sleep(injection.latency or 0.0)
        return await handler(request)
    if action == "error":
        call.fault["committed"] = False
        raise _injected_error(rule, committed=False)
    if action == "reset":
        call.fault["committed"] = False
        _reset(request)
        return _lost(call)
    if action == "hang":
        call.fault["committed"] = False
        call.fault["client_gave_up"] = await _hang(request, float(rule.get("seconds", 60)))
        return _lost(call)
    # commit_then_fail: the handler returns once its change is durable (group commit)
    try:
        response = await handler(request)
    except (ProblemError, DomainError):
        call.fault["committed"] = False  # refused: there was nothing to commit
        raise
    call.fault["committed"] = True
    call.fault["answer"] = {"status": response.status, "body": call.response_data}
    if rule.get("then") == "error":
        raise _injected_error(rule, committed=True)
    _reset(request)
    return _lost(call)


def _count(
    app: web.Application, control: Control, keys: dict[str, str | None], facts: faults.CallFacts, now: float
) -> Callable[[], tuple[Admission | None, faults.Injection | None]]:
    def count() -> tuple[Admission | None, faults.Injection | None]:
        with app[STORE].transaction() as tx:
            admission = admit(tx, control.policies, keys, now) if control.policies else None
            if admission is not None and not admission.allowed:
                return admission, None
            injection = faults.decide(tx, facts, iso_from(now)) if control.rules else None
            return admission, injection

    return count


def iso_from(seconds: float) -> str:
    """An epoch instant as the store writes instants."""
    return iso(datetime.fromtimestamp(seconds, UTC))


@web.middleware
async def traffic_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count a webhook call against the rate limit and the fault rules; apply what fires."""
    call = request[CALL]
    op = call.operation
    if op is None or not op.pos:
        return await handler(request)
    control = read_control(request.app)
    if not control.concerns(op.operation_id):
        return await handler(request)
    facts = _facts(op.operation_id, call)
    if not control.counts(facts):
        return await handler(request)
    keys = {"pos": _token_key(request, call.pos_name), "business": facts.business}
    count = _count(request.app, control, keys, facts, time.time())
    admission, injection = await request.app[GROUP].write(count)
    headers = rate_limit_headers(admission) if admission is not None and admission.policies else {}
    if admission is not None and not admission.allowed:
        raise _rate_limited(admission, headers)
    try:
        if injection is None:
            response = await handler(request)
        else:
            call.fault = injection.journal()
            response = await _apply(request, handler, injection)
    except ProblemError as exc:
        exc.headers.update(headers)
        raise
    except DomainError as exc:
        problem = problem_from_domain(exc)
        problem.headers.update(headers)
        raise problem from exc
    response.headers.update(headers)
    return response
