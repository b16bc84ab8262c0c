"""The reference POS over HTTP: ``openapi/pos-partner.yaml`` served by aiohttp.

Bearer auth on every route; errors are ``application/problem+json`` with a 4xx status and
a detail saying what to fix. A failure the POS did not foresee is left to aiohttp (500), so
a faulty backend shows up the way a real POS bug would.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import jsonschema_rs
from aiohttp import web

from loyapro_mock.contracts.reference_pos.backend import DEFAULT_PER_PAGE, MAX_PER_PAGE, PosBackend
from loyapro_mock.openapi import load_spec

#: The bearer token the reference POS accepts unless told otherwise.
REFERENCE_POS_TOKEN = "reference-pos-token"

BACKEND: web.AppKey[PosBackend] = web.AppKey("backend", PosBackend)
TOKEN: web.AppKey[str] = web.AppKey("token", str)

_MOBILE = re.compile(r"^\+?[0-9]{4,20}$")
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
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or token.strip() != request.app[TOKEN]:
        return problem(
            401,
            "unauthorized",
            "Send the POS's API token as 'Authorization: Bearer <token>'.",
        )
    response: web.StreamResponse = await handler(request)
    return response


def _int_parameter(request: web.Request, name: str, default: int, maximum: int) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        return None
    value = int(raw)
    return value if 1 <= value <= maximum else None


async def list_products(request: web.Request) -> web.Response:
    """``GET /products?page=&per_page=``: one page of the catalogue with its ``meta``."""
    backend = request.app[BACKEND]
    page = _int_parameter(request, "page", 1, 10**9)
    if page is None:
        return problem(400, "invalid_query", "'page' must be an integer of at least 1.")
    per_page = _int_parameter(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    if per_page is None:
        return problem(400, "invalid_query", f"'per_page' must be an integer from 1 to {MAX_PER_PAGE}.")
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
    if mobile is None and name is None:
        return problem(400, "invalid_query", "Give 'mobile' or 'name' to search customers.")
    if mobile is not None and not _MOBILE.fullmatch(mobile):
        return problem(400, "invalid_query", "'mobile' must be 4 to 20 digits, optionally after '+'.")
    if name is not None and not 1 <= len(name) <= 100:
        return problem(400, "invalid_query", "'name' must be 1 to 100 characters.")
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
