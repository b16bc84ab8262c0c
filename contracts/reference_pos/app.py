"""The reference POS over HTTP: ``openapi/pos-partner.yaml`` served by aiohttp.

Bearer auth on every route; errors are ``application/problem+json`` with a 4xx status and
a detail saying what to fix. A failure the POS did not foresee is left to aiohttp (500), so
a faulty backend shows up the way a real POS bug would.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import jsonschema_rs
from aiohttp import web

from loyapro_mock.contracts.reference_pos.backend import PosBackend
from loyapro_mock.openapi import load_spec

#: The bearer token the reference POS accepts unless told otherwise.
REFERENCE_POS_TOKEN = "reference-pos-token"

BACKEND: web.AppKey[PosBackend] = web.AppKey("backend", PosBackend)
TOKEN: web.AppKey[str] = web.AppKey("token", str)

_PRODUCT_PARAMETERS = frozenset({"page", "per_page"})


def problem(status: int, code: str, detail: str, **extra: Any) -> web.Response:
    """An ``application/problem+json`` error response."""
    body = {
        "type": f"https://loyapro-mock.local/problems/{code}",
        "title": code.replace("_", " ").capitalize(),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return web.Response(
        status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/problem+json"
    )


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(data, ensure_ascii=False), content_type="application/json"
    )


@web.middleware
async def bearer_auth(request: web.Request, handler: Any) -> web.StreamResponse:
    """Refuse any request without ``Authorization: Bearer <the POS's token>``."""
    resource = request.match_info.route.resource
    operation = f"{request.method} {resource.canonical if resource is not None else request.path}"
    header = request.headers.get("Authorization", "")
    if not request.app[BACKEND].accepts(operation, header, request.app[TOKEN]):
        return problem(
            401,
            "unauthorized",
            "Send the POS's API token as 'Authorization: Bearer <token>'.",
        )
    response: web.StreamResponse = await handler(request)
    return response


async def list_products(request: web.Request) -> web.Response:
    """``GET /products?page=&per_page=``: one page of the catalogue with its ``meta``."""
    backend = request.app[BACKEND]
    paging = backend.paging(request.query)
    if isinstance(paging, str):
        return problem(400, "invalid_query", paging)
    page, per_page = paging
    unknown = set(request.query) - _PRODUCT_PARAMETERS
    if unknown:
        backend.unknown_query_parameters(unknown)
    return _json(backend.page_of_products(page, per_page).as_dict())


@lru_cache(maxsize=1)
def _push_validator() -> Any:
    schema = load_spec("pos-partner")["components"]["schemas"]["CustomerPush"]
    return jsonschema_rs.validator_for(schema)


async def upsert_customer(request: web.Request) -> web.Response:
    """``POST /customers``: create (201) or update (200) the pushed customer."""
    if request.content_type != "application/json":
        return problem(415, "unsupported_media_type", "Send the customer as application/json.")
    try:
        body = json.loads(await request.text())
    except (ValueError, UnicodeDecodeError) as exc:
        return problem(400, "malformed_json", f"The body is not valid JSON: {exc}.")
    errors = [
        {"pointer": "/" + "/".join(str(part) for part in error.instance_path), "message": error.message}
        for error in _push_validator().iter_errors(body)
    ]
    if errors:
        return problem(422, "validation_failed", "The customer does not match CustomerPush.", errors=errors)
    customer, created = request.app[BACKEND].upsert_customer(body)
    return _json(customer, status=201 if created else 200)


async def search_customers(request: web.Request) -> web.Response:
    """``GET /customers?mobile=`` or ``?name=``: the matching customers (maybe none)."""
    backend = request.app[BACKEND]
    mobile = request.query.get("mobile")
    name = request.query.get("name")
    wrong = backend.search_problem(mobile, name)
    if wrong is not None:
        return problem(400, "invalid_query", wrong)
    if mobile is not None:
        found = backend.search_by_mobile(mobile)
        if name is not None:
            ids = {customer["id"] for customer in backend.search_by_name(name)}
            found = [customer for customer in found if customer["id"] in ids]
    else:
        found = backend.search_by_name(name or "")
    return _json({"data": found})


def create_pos_app(backend: PosBackend | None = None, token: str = REFERENCE_POS_TOKEN) -> web.Application:
    """The reference POS application (``backend`` defaults to a correct :class:`PosBackend`)."""
    app = web.Application(middlewares=[bearer_auth])
    app[BACKEND] = backend if backend is not None else PosBackend()
    app[TOKEN] = token
    app.router.add_get("/products", list_products)
    app.router.add_post("/customers", upsert_customer)
    app.router.add_get("/customers", search_customers)
    return app
