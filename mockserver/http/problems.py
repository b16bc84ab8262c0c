"""The one place every error body of the mock comes from.

Errors are ``application/problem+json`` (RFC 9457) with a stable machine ``code`` and a
``detail`` that tells the client how to fix the request. Code anywhere in the request
pipeline raises :class:`ProblemError`; the outermost middleware renders it with
:func:`problem_response`, so a client never sees any other error shape. Every code, with its
status and title, comes from the catalogue in
:mod:`~loyapro_mock.mockserver.domain.problem_codes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from aiohttp import web

from loyapro_mock.mockserver.domain.errors import DomainError
from loyapro_mock.mockserver.domain.problem_codes import problem_code
from loyapro_mock.mockserver.domain.violations import Violation

__all__ = [
    "PROBLEM_CONTENT_TYPE",
    "ProblemError",
    "payload_too_large",
    "problem_body",
    "problem_from_domain",
    "problem_response",
    "store_unavailable",
    "violation_dicts",
]

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:loyapro-mock:problem:"


def violation_dicts(violations: Iterable[Violation | Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Turn violations (objects or already-plain dicts) into ``{pointer, message, rule, severity}`` dicts."""
    out: list[dict[str, Any]] = []
    for violation in violations:
        if isinstance(violation, Violation):
            out.append(violation.as_dict())
        else:
            out.append(dict(violation))
    return out


class ProblemError(Exception):
    """An error answered as problem+json, carrying everything its body needs.

    ``code`` must be in the catalogue with this ``status`` (else `UnknownProblemCodeError`);
    the title is the catalogue's.
    """

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        errors: Iterable[Violation | Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        entry = problem_code(code, status)
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.title = entry.title
        self.errors = violation_dicts(errors) if errors is not None else None
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def body(self) -> dict[str, Any]:
        """The problem+json body of this error."""
        return problem_body(self.status, self.code, self.detail, errors=self.errors, extra=self.extra)

    def response(self) -> web.Response:
        """Render this error as an HTTP response."""
        return problem_response(
            self.status,
            self.code,
            self.detail,
            errors=self.errors,
            headers=self.headers,
            extra=self.extra,
        )


def problem_body(
    status: int,
    code: str,
    detail: str,
    *,
    errors: Iterable[Violation | Mapping[str, Any]] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build a problem+json body: ``type``, ``title``, ``status``, ``detail``, ``code``, ``errors``.

    The title is the catalogue's for ``code`` (which must have this ``status``). ``extra``
    adds problem-specific members (e.g. the order holding a redeemed code); it never
    replaces the standard ones.
    """
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": problem_code(code, status).title,
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
    errors: Iterable[Violation | Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> web.Response:
    """An ``application/problem+json`` response; the only way the mock answers an error.

    With a ``Connection: close`` header the connection is closed after the answer.
    """
    body = problem_body(status, code, detail, errors=errors, extra=extra)
    response = web.Response(
        status=status,
        body=orjson.dumps(body),
        content_type=PROBLEM_CONTENT_TYPE,
        headers=headers,
    )
    if headers and headers.get("Connection", "").lower() == "close":
        response.force_close()
    return response


def problem_from_domain(exc: DomainError) -> ProblemError:
    """The problem+json form of a domain refusal (unknown code, already redeemed, ...)."""
    errors = list(exc.errors) if exc.errors else None
    return ProblemError(exc.status, exc.code, exc.detail, errors=errors, extra=exc.extra)


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


def _size(limit: int) -> str:
    """A byte count as a person reads it: ``1 MiB (1048576 bytes)``, else ``1000 bytes``."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if limit >= size and limit % size == 0:
            return f"{limit // size} {unit} ({limit} bytes)"
    return f"{limit} bytes"


def payload_too_large(limit: int) -> ProblemError:
    """The answer to a body larger than ``limit`` bytes (the ``max_body_bytes`` setting)."""
    return ProblemError(
        413,
        "payload_too_large",
        f"The body is larger than {_size(limit)}, the most this API accepts. Send one order "
        "per request, without embedded images or other large blobs.",
    )
