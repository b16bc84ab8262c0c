"""The request pipeline: journal, then auth -> Accept -> Content-Type -> size -> JSON -> schema.

Two middlewares:

* :func:`journal_middleware` (outermost) turns every error into one problem+json answer
  (a :class:`~mockserver.http.problems.ProblemError`, aiohttp's 404/405, or — never caused by a
  client — an unexpected exception as a logged 500) and journals every request outside
  ``/__admin/``.
* :func:`contract_middleware` runs the checks of the contract in the order a client should
  fix them, and leaves the parsed body in the request's :class:`~mockserver.http.keys.Call`.

A missing ``Accept`` header is read as ``*/*`` (LoyaPro's own Node.js sample sends none) and an
``Accept`` that allows JSON without naming it (``*/*``) is accepted too, but both get a warning
``header.accept``: LoyaPro requires ``Accept: application/json`` on every request, and
certification checks it. An ``Accept`` that rules out ``application/json`` is a 406. In lenient
mode (``--lenient``) the header, content-type and schema findings are recorded as violations
instead of rejecting.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import orjson
from aiohttp import web

from loyapro_mock.mockserver.domain.errors import DomainError
from loyapro_mock.mockserver.domain.violations import WARNING, Violation
from loyapro_mock.mockserver.http.journal import build_entry, utc_now_iso
from loyapro_mock.mockserver.http.keys import (
    AUTH,
    CALL,
    GROUP,
    JOURNAL,
    OPERATIONS,
    SETTINGS,
    Call,
    Handler,
    Operation,
)
from loyapro_mock.mockserver.http.pipeline.json_keys import find_duplicate_key
from loyapro_mock.mockserver.http.pipeline.limits import read_body
from loyapro_mock.mockserver.http.pipeline.traffic import CONTROL_CACHE
from loyapro_mock.mockserver.http.problems import (
    ProblemError,
    payload_too_large,
    problem_from_domain,
    store_unavailable,
)
from loyapro_mock.mockserver.store.protocol import StoreError

__all__ = [
    "accepts_json",
    "content_type_error",
    "contract_middleware",
    "journal_middleware",
]

log = logging.getLogger("loyapro_mock.mockserver")
request_log = logging.getLogger("loyapro_mock.mockserver.requests")

ADMIN_PREFIX = "/__admin"
_JSON_RANGES = frozenset({"application/json", "application/*", "*/*"})
_accept_cache: dict[str, bool] = {}
_content_type_cache: dict[str, str | None] = {}
_CACHE_LIMIT = 1024


def _media_params(part: str) -> tuple[str, dict[str, str]]:
    media, *raw_params = part.split(";")
    params: dict[str, str] = {}
    for raw in raw_params:
        key, _, value = raw.partition("=")
        params[key.strip().lower()] = value.strip().strip('"').lower()
    return media.strip().lower(), params


def _remember(cache: dict[str, Any], key: str, value: Any) -> Any:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def accepts_json(header: str) -> bool:
    """True when an ``Accept`` header allows ``application/json`` (an empty one allows all)."""
    cached = _accept_cache.get(header)
    if cached is not None:
        return cached
    allowed = not header.strip()
    for part in header.split(","):
        media, params = _media_params(part)
        if media in _JSON_RANGES:
            try:
                quality = float(params.get("q", "1"))
            except ValueError:
                quality = 1.0
            if quality > 0:
                allowed = True
                break
    return bool(_remember(_accept_cache, header, allowed))


def _accepts_answer(header: str, op: Operation) -> bool:
    """True when an ``Accept`` header allows one of the media types ``op`` answers with."""
    if "application/json" in op.answers:
        return accepts_json(header)
    ranges = {"*/*"} | {answer.partition("/")[0] + "/*" for answer in op.answers} | set(op.answers)
    for part in header.split(","):
        media, params = _media_params(part)
        if media in ranges:
            try:
                quality = float(params.get("q", "1"))
            except ValueError:
                quality = 1.0
            if quality > 0:
                return True
    return not header.strip()


def content_type_error(header: str | None) -> str | None:
    """Why a ``Content-Type`` is not JSON in UTF-8, or None when it is."""
    if not header:
        return "The request has no Content-Type header."
    if header in _content_type_cache:
        return _content_type_cache[header]
    media, params = _media_params(header)
    reason: str | None = None
    if media != "application/json":
        reason = f"The Content-Type {header!r} is not application/json."
    elif params.get("charset", "utf-8") not in ("utf-8", "utf8"):
        reason = f"The Content-Type {header!r} names a charset other than UTF-8."
    result: str | None = _remember(_content_type_cache, header, reason)
    return result


def _business_reference(operation_id: str, body: Any) -> Any:
    if not isinstance(body, dict):
        return None
    if operation_id == "order":
        business = body.get("business")
        return business.get("reference") if isinstance(business, dict) else None
    return body.get("business_reference")


def _parse(raw: bytes) -> Any:
    if not raw.strip():
        raise ProblemError(
            400,
            "malformed_json",
            "The request has no body. Send the JSON object this operation expects "
            "(the spec's example shows one).",
        )
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ProblemError(
            400,
            "malformed_json",
            f"The body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}. "
            "Send one JSON object encoded in UTF-8 (no trailing commas, comments or NaN).",
        ) from None
    duplicate = find_duplicate_key(raw, body)
    if duplicate is not None:
        raise ProblemError(
            400,
            "malformed_json",
            f"The body names the key {duplicate!r} twice in one object; JSON parsers disagree "
            "on which value counts. Send each key once per object.",
        )
    return body


def _reject_or_record(lenient: bool, call: Call, problem: ProblemError, rule: str) -> None:
    if not lenient:
        raise problem
    call.violations.append(Violation("", problem.detail, rule))


def _names_json(accept: str | None) -> bool:
    """True when an ``Accept`` header names application/json, as LoyaPro requires."""
    return accept is not None and "application/json" in accept.lower()


def _accept_warning(accept: str | None) -> Violation:
    """The warning of an ``Accept`` that is accepted but does not name application/json."""
    sent = "The request has no Accept header" if accept is None else f"The Accept header is {accept!r}"
    return Violation(
        "",
        f"{sent}; LoyaPro requires 'Accept: application/json' on every request (the mock "
        "answers anyway, but certification fails it). Send 'Accept: application/json'.",
        "header.accept",
        WARNING,
    )


def _check_headers(request: web.Request, op: Operation, call: Call, lenient: bool) -> None:
    accept = request.headers.get("Accept")
    if accept is not None and not _accepts_answer(accept, op):
        answer = op.answers[0]
        _reject_or_record(
            lenient,
            call,
            ProblemError(
                406,
                "not_acceptable",
                f"The Accept header {accept!r} does not allow {answer}, the only type this "
                f"{'API' if answer == 'application/json' else 'endpoint'} answers with. "
                f"Send 'Accept: {answer}'.",
            ),
            "header.accept",
        )
    elif op.pos and not _names_json(accept):
        call.violations.append(_accept_warning(accept))
    if op.validator is not None:
        reason = content_type_error(request.headers.get("Content-Type"))
        if reason is not None:
            _reject_or_record(
                lenient,
                call,
                ProblemError(
                    415,
                    "unsupported_media_type",
                    f"{reason} Send the body as JSON with 'Content-Type: application/json'.",
                ),
                "header.content_type",
            )


def _authenticate(request: web.Request, call: Call) -> None:
    pos_name = request.match_info.get("pos_name", "")
    call.pos_name = pos_name
    principal = request.app[AUTH].authenticate(request.headers.get("Authorization"), pos_name)
    call.principal = principal
    if principal.pos_name != pos_name:
        raise ProblemError(
            403,
            "forbidden_pos",
            f"The bearer token is for POS {principal.pos_name!r} but the path names "
            f"{pos_name!r}. Call /pos/1.0.0/{principal.pos_name}/... or use a token for "
            f"{pos_name!r} (printed by 'loyapro-mock token {pos_name}').",
        )


def _check_business(op: Operation, call: Call) -> None:
    principal = call.principal
    if principal is None or principal.businesses is None:
        return
    reference = _business_reference(op.operation_id, call.body)
    if reference is not None and not principal.may_reach(reference):
        granted = ", ".join(sorted(principal.businesses)) or "none"
        raise ProblemError(
            403,
            "forbidden_business",
            f"The bearer token was not granted business {str(reference)!r} (it reaches: "
            f"{granted}). Use a token issued with 'loyapro-mock token {principal.pos_name} "
            f"--business {reference}'.",
        )


@web.middleware
async def contract_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Check a request against the contract before its handler sees it."""
    op = request.app[OPERATIONS].get(request.match_info.route.name or "")
    if op is None:
        return await handler(request)
    call = request[CALL]
    call.operation = op
    lenient = op.pos and request.app[SETTINGS].lenient
    if op.pos:
        _authenticate(request, call)
    _check_headers(request, op, call, lenient)
    if op.validator is not None:
        settings = request.app[SETTINGS]
        call.raw_body = await read_body(request, call, settings.max_body_bytes, settings.body_timeout)
        call.body = _parse(call.raw_body)
        _check_business(op, call)
        found = op.validator.validate(call.body)
        if found:
            if not lenient:
                raise ProblemError(
                    422,
                    "validation_failed",
                    f"The body breaks the contract in {len(found)} place(s), listed in 'errors' "
                    "by JSON pointer; fix each one as its message says. Check a body offline "
                    f"with 'loyapro-mock spec validate {op.operation_id} FILE'.",
                    errors=found,
                )
            call.violations.extend(found)
    try:
        return await handler(request)
    except (ProblemError, DomainError, web.HTTPException, StoreError):
        raise
    except Exception as exc:
        if not any(v.is_error and not v.rule.startswith("header.") for v in call.violations):
            raise  # a conforming body: the failure is the mock's own, answered as a 500
        log.info("lenient request could not be processed: %r", exc)
        raise ProblemError(
            422,
            "validation_failed",
            f"Lenient mode let {len(call.violations)} violation(s) through, but the request is "
            f"too far from the contract to process ({type(exc).__name__}). Fix the violations "
            "listed in 'errors'.",
            errors=call.violations,
        ) from exc


def _from_http_exception(request: web.Request, exc: web.HTTPException) -> ProblemError:
    if isinstance(exc, web.HTTPMethodNotAllowed):
        allowed = ", ".join(sorted(exc.allowed_methods))
        return ProblemError(
            405,
            "method_not_allowed",
            f"{request.method} is not allowed on {request.path}; use {allowed}.",
            headers={"Allow": allowed},
        )
    if isinstance(exc, web.HTTPNotFound):
        served = ", ".join(f"{op.method} {op.path}" for op in request.app[OPERATIONS].values() if op.pos)
        return ProblemError(
            404,
            "not_found",
            f"Nothing is served at {request.method} {request.path}. The webhooks are: {served} "
            "(the admin API lives under /__admin/).",
        )
    if isinstance(exc, web.HTTPRequestEntityTooLarge):
        return payload_too_large(request.app[SETTINGS].max_body_bytes)
    # These are the HTTP exceptions aiohttp raises inside a handler; any other has no code in
    # the catalogue, and raising it is a bug in the mock.
    log.error("unmapped HTTP exception on %s %s", request.method, request.path, exc_info=exc)
    return _internal_error()


def _internal_error() -> ProblemError:
    return ProblemError(
        500,
        "internal_error",
        "The mock failed on this request; this is a bug in loyapro-mock, not in your "
        "request. The server log has the traceback.",
    )


def _pos_from_path(path: str) -> str | None:
    parts = path.split("/")
    if len(parts) > 3 and parts[1] == "pos" and parts[3]:
        return parts[3]
    return None


async def _respond(request: web.Request, handler: Handler, call: Call) -> web.StreamResponse:
    try:
        return await handler(request)
    except ProblemError as exc:
        problem = exc
    except DomainError as exc:
        problem = problem_from_domain(exc)
    except web.HTTPException as exc:
        problem = _from_http_exception(request, exc)
    except StoreError as exc:  # the database, not the request: nothing of it was applied
        log.warning("store error on %s %s: %s", request.method, request.path, exc)
        problem = store_unavailable(exc)
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        problem = _internal_error()
    call.response_data = problem.body()
    return problem.response()


@web.middleware
async def journal_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer every error as problem+json and journal every request outside /__admin/."""
    call = Call()
    request[CALL] = call
    started = time.perf_counter()
    received_at = utc_now_iso()
    admin = request.path.startswith(ADMIN_PREFIX)
    if admin:
        request.app[GROUP].commit()  # the admin API acts on committed state, outside groups
    try:
        response = await _respond(request, handler, call)
    except asyncio.CancelledError:  # the client went away while a fault held its answer back
        if not admin and call.fault is not None:
            call.fault["answered"] = False
            call.fault.setdefault("client_gave_up", True)
            _journal(request, call, 0, received_at, started)
        raise
    if admin:
        if request.method not in ("GET", "HEAD"):  # it may have changed the limit or the rules
            request.app[CONTROL_CACHE].invalidate()
    else:
        lost = call.fault is not None and call.fault.get("answered") is False
        _journal(request, call, 0 if lost else response.status, received_at, started)
    return response


def _journal(request: web.Request, call: Call, status: int, received_at: str, started: float) -> None:
    if call.pos_name is None:
        call.pos_name = _pos_from_path(request.path)
    entry = build_entry(
        call,
        received_at=received_at,
        method=request.method,
        path=request.path,
        query=request.query_string,
        headers=request.headers,
        status=status,
        duration_ms=(time.perf_counter() - started) * 1000,
    )
    request.app[JOURNAL].add(entry)
    if request_log.isEnabledFor(logging.INFO):
        _log_entry(entry)


def _log_entry(entry: dict[str, Any]) -> None:
    """One line per journaled request, for a developer watching the terminal."""
    body = entry["response"]["body"]
    code = body.get("code") if isinstance(body, dict) and entry["status"] >= 400 else None
    violations = entry["violations"]
    found = ""
    if violations:
        shown = ", ".join(
            f"{v['pointer'] or '/'} {v['rule']}{' (warning)' if v.get('severity') == 'warning' else ''}"
            for v in violations[:3]
        )
        more = f" and {len(violations) - 3} more" if len(violations) > 3 else ""
        found = f" [{len(violations)} violation(s): {shown}{more}]"
    request_log.info(
        "%s %s -> %d %s%s%s",
        entry["method"],
        entry["path"],
        entry["status"],
        entry["verdict"],
        f" {code}" if code else "",
        found,
    )
