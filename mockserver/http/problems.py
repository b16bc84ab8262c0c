"""The one place every error body of the mock comes from.

Errors are ``application/problem+json`` (RFC 9457) with a stable machine ``code`` and a
``detail`` that tells the client how to fix the request. Code anywhere in the request
pipeline raises :class:`ProblemError`; the outermost middleware renders it with
:func:`problem_response`, so a client never sees any other error shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from aiohttp import web

from loyapro_mock.mockserver.domain.errors import DomainError
from loyapro_mock.mockserver.domain.violations import Violation

__all__ = [
    "PROBLEM_CONTENT_TYPE",
    "ProblemError",
    "problem_body",
    "problem_from_domain",
    "problem_response",
    "store_unavailable",
    "violation_dicts",
]

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:loyapro-mock:problem:"

_TITLES: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    410: "Gone",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def violation_dicts(violations: Iterable[Violation | Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Turn violations (objects or already-plain dicts) into ``{pointer, message, rule}`` dicts."""
    out: list[dict[str, Any]] = []
    for violation in violations:
        if isinstance(violation, Violation):
            out.append(violation.as_dict())
        else:
            out.append(dict(violation))
    return out


class ProblemError(Exception):
    """An error the client caused, carrying everything its problem+json body needs."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        errors: Iterable[Violation | Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or _TITLES.get(status, "Error")
        self.errors = violation_dicts(errors) if errors is not None else None
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def body(self) -> dict[str, Any]:
        """The problem+json body of this error."""
        return problem_body(
            self.status, self.code, self.detail, title=self.title, errors=self.errors, extra=self.extra
        )

    def response(self) -> web.Response:
        """Render this error as an HTTP response."""
        return problem_response(
            self.status,
            self.code,
            self.detail,
            title=self.title,
            errors=self.errors,
            headers=self.headers,
            extra=self.extra,
        )


def problem_body(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    errors: Iterable[Violation | Mapping[str, Any]] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build a problem+json body: ``type``, ``title``, ``status``, ``detail``, ``code``, ``errors``.

    ``extra`` adds problem-specific members (e.g. the order holding a redeemed code); it
    never replaces the standard ones.
    """
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = violation_dicts(errors)
    for key, value in (extra or {}).items():
        body.setdefault(key, value)
    return body


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    errors: Iterable[Violation | Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> web.Response:
    """An ``application/problem+json`` response; the only way the mock answers an error."""
    body = problem_body(status, code, detail, title=title, errors=errors, extra=extra)
    return web.Response(
        status=status,
        body=orjson.dumps(body),
        content_type=PROBLEM_CONTENT_TYPE,
        headers=headers,
    )


def problem_from_domain(exc: DomainError) -> ProblemError:
    """The problem+json form of a domain refusal (unknown code, already redeemed, ...)."""
    errors = list(exc.errors) if exc.errors else None
    return ProblemError(exc.status, exc.code, exc.detail, title=exc.title, errors=errors, extra=exc.extra)


def store_unavailable(exc: BaseException) -> ProblemError:
    """The answer to a request the database failed on (nothing of it was applied)."""
    return ProblemError(
        503,
        "store_unavailable",
        f"The mock's database failed on this request ({exc}); nothing of it was applied. "
        "Retry it in a moment; if this persists, another process holds the database file "
        "or its disk is failing.",
        headers={"Retry-After": "1"},
    )
