"""`DomainError`: a domain refusal carrying everything a problem+json body needs.

The domain never imports aiohttp; the HTTP layer turns a `DomainError` into its response
(``status``, ``code``, ``title``, ``detail``, ``errors``). Codes, statuses and titles come
from the catalogue in `problem_codes`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from loyapro_mock.mockserver.domain.problem_codes import problem_code
from loyapro_mock.mockserver.domain.violations import Violation

__all__ = ["DomainError", "invalid"]


class DomainError(Exception):
    """A request the domain refuses: HTTP status, stable code, human detail, violations.

    ``code`` must be in the catalogue (`problem_codes`) with this ``status``; the title
    comes from there too. Anything else raises `UnknownProblemCodeError` where it is built.
    """

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        errors: Iterable[Violation] = (),
        extra: dict[str, Any] | None = None,
    ) -> None:
        entry = problem_code(code, status)
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.title = entry.title
        self.detail = detail
        self.errors: list[Violation] = list(errors)
        self.extra: dict[str, Any] = dict(extra or {})


def invalid(pointer: str, message: str, rule: str = "required") -> DomainError:
    """A 422 ``validation_failed`` for one field the domain cannot work without."""
    return DomainError(
        422,
        "validation_failed",
        f"{pointer.lstrip('/') or 'body'}: {message}",
        errors=[Violation(pointer, message, rule)],
    )
