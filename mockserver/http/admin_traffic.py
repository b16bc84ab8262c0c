"""The admin API of the mock's misbehaviour: fault rules and the run-time rate limit.

* ``GET /__admin/faults``: the rules in the order they are tried, each with ``source``
  (``api``, ``config`` for a ``--faults`` file, ``demo``), ``matched`` and ``fired``, and the
  last injections (``injected``); ``POST`` adds a rule (201), ``DELETE`` removes them all,
  ``DELETE /__admin/faults/{id}`` one (404 ``fault_not_found``).
* ``GET /__admin/rate-limit``: the limit in force and where it comes from; ``PUT`` sets one
  for every worker (``{"rate_limit": "5/s"}``, ``"off"`` switches it off), ``DELETE`` goes
  back to the ``rate_limit`` setting.

Everything lives in the store's meta, so every worker sees the same rules and limit (the
worker that changed them at once, the others within
`mockserver.http.pipeline.traffic.CONTROL_TTL_SECONDS`).
`POST /__admin/reset` forgets both (the ``--faults`` file's rules are installed again).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from loyapro_mock.mockserver.domain import faults, rate_limits
from loyapro_mock.mockserver.domain.errors import DomainError
from loyapro_mock.mockserver.domain.violations import Violation
from loyapro_mock.mockserver.http.handlers import json_response
from loyapro_mock.mockserver.http.keys import CALL, STORE, Handler
from loyapro_mock.mockserver.http.pipeline.traffic import read_control

__all__ = ["HANDLERS"]


async def admin_faults(request: web.Request) -> web.Response:
    """``GET /__admin/faults``: the rules and the last injections."""
    with request.app[STORE].snapshot() as tx:
        return json_response(request, {"rules": faults.list_rules(tx), "injected": faults.injected(tx)})


async def admin_add_fault(request: web.Request) -> web.Response:
    """``POST /__admin/faults``: add a rule; it is tried after those held."""
    rule = faults.parse_rule(request[CALL].body)
    with request.app[STORE].transaction() as tx:
        stored = faults.add_rule(tx, rule)
    return json_response(request, stored, status=201)


async def admin_clear_faults(request: web.Request) -> web.Response:
    """``DELETE /__admin/faults``: remove every rule."""
    with request.app[STORE].transaction() as tx:
        deleted = faults.clear_rules(tx)
    return json_response(request, {"deleted": deleted})


async def admin_delete_fault(request: web.Request) -> web.Response:
    """``DELETE /__admin/faults/{id}``: remove one rule."""
    with request.app[STORE].transaction() as tx:
        deleted = faults.delete_rule(tx, request.match_info["id"])
    return json_response(request, {"deleted": deleted})


def _limit_view(request: web.Request) -> dict[str, Any]:
    control = read_control(request.app, fresh=True)
    return {
        "rate_limit": rate_limits.rate_limit_text(control.policies),
        "source": control.source,
        "policies": [
            {"scope": p.scope, "quota": p.quota, "window_seconds": p.window} for p in control.policies
        ],
    }


async def admin_rate_limit(request: web.Request) -> web.Response:
    """``GET /__admin/rate-limit``: the limit in force."""
    return json_response(request, _limit_view(request))


async def admin_set_rate_limit(request: web.Request) -> web.Response:
    """``PUT /__admin/rate-limit``: set the limit for every worker, over the setting."""
    text = str(request[CALL].body["rate_limit"])
    try:
        with request.app[STORE].transaction() as tx:
            rate_limits.set_override(tx, text)
    except rate_limits.RateLimitError as exc:
        raise DomainError(
            422,
            "validation_failed",
            f"rate_limit: {exc}",
            errors=[Violation("/rate_limit", str(exc), "pattern")],
        ) from None
    return json_response(request, _limit_view(request))


async def admin_clear_rate_limit(request: web.Request) -> web.Response:
    """``DELETE /__admin/rate-limit``: back to the ``rate_limit`` setting."""
    with request.app[STORE].transaction() as tx:
        rate_limits.set_override(tx, None)
    return json_response(request, _limit_view(request))


HANDLERS: dict[str, Handler] = {
    "admin_faults": admin_faults,
    "admin_add_fault": admin_add_fault,
    "admin_clear_faults": admin_clear_faults,
    "admin_delete_fault": admin_delete_fault,
    "admin_rate_limit": admin_rate_limit,
    "admin_set_rate_limit": admin_set_rate_limit,
    "admin_clear_rate_limit": admin_clear_rate_limit,
}
