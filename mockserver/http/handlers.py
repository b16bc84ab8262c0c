"""The webhook handlers: take the checked body, call its use case, serialise.

By the time a handler runs, the pipeline (``mockserver.http.pipeline.middlewares``) has authenticated the
POS and parsed and validated the body into the request's ``Call``. Handlers only translate
between HTTP and :mod:`~mockserver.domain.usecases`, whose calls run in a group
commit (`mockserver.store.group_commit`): the answer waits until the change is durable. A
``DomainError`` a use case raises becomes its problem+json answer in the pipeline.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from loyapro_mock.mockserver.domain.usecases import apply_order, lookup_reward, prepare_order, redeem_reward
from loyapro_mock.mockserver.http.journal import merge_violations
from loyapro_mock.mockserver.http.keys import CALL, GROUP, LOYAPRO, SETTINGS
from loyapro_mock.mockserver.http.problems import violation_dicts

__all__ = [
    "VIOLATIONS_HEADER",
    "json_response",
    "order",
    "redeem",
    "reward",
]

VIOLATIONS_HEADER = "X-LoyaPro-Mock-Violations"


def json_response(request: web.Request, data: Any, status: int = 200) -> web.Response:
    """Serialise ``data`` with orjson, adding the request's violations to its ``violations``.

    Those are the pipeline's warnings (``header.accept``) and, in lenient mode, the findings
    it let through; with the use case's own (an order's warnings), they are counted in the
    ``X-LoyaPro-Mock-Violations`` header, warnings included. The data is kept on the
    request's ``Call`` so the journal records what was sent.
    """
    call = request[CALL]
    headers: dict[str, str] = {}
    if isinstance(data, dict):
        found = data.get("violations")
        if call.violations:
            found = merge_violations(violation_dicts(call.violations), found or [])
            data = {**data, "violations": found}
        if found:
            headers[VIOLATIONS_HEADER] = str(len(found))
    call.response_data = data
    return web.Response(
        body=orjson.dumps(data),
        status=status,
        content_type="application/json",
        headers=headers,
    )


async def order(request: web.Request) -> web.Response:
    """``POST /pos/1.0.0/{pos_name}/order``: record the order, earn or reverse loyalty."""
    call = request[CALL]
    pos_name = request.match_info["pos_name"]
    lenient = request.app[SETTINGS].lenient
    loyapro = request.app[LOYAPRO]
    prepared = prepare_order(call.body, call.raw_body)  # no state: before the lock
    result = await request.app[GROUP].write(lambda: apply_order(loyapro, pos_name, prepared, lenient=lenient))
    return json_response(request, result)


async def reward(request: web.Request) -> web.Response:
    """``POST /pos/1.0.0/{pos_name}/reward``: describe a reward code; never changes state."""
    body = request[CALL].body
    loyapro = request.app[LOYAPRO]
    result = await request.app[GROUP].read(
        lambda: lookup_reward(loyapro, request.match_info["pos_name"], body)
    )
    return json_response(request, result)


async def redeem(request: web.Request) -> web.Response:
    """``POST /pos/1.0.0/{pos_name}/redeem``: redeem a code on an order, exactly once."""
    body = request[CALL].body
    loyapro = request.app[LOYAPRO]
    result = await request.app[GROUP].write(
        lambda: redeem_reward(loyapro, request.match_info["pos_name"], body)
    )
    return json_response(request, result)
