"""`Violation`: one way a request breaks the contract or a business rule.

The schema validator (`mockserver.http.pipeline.validation`) and the business rules
(`mockserver.domain.rules`) both report violations; the journal and problem bodies carry
them as ``{pointer, message, rule}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Violation", "json_pointer"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a request breaks the contract or a business rule: an RFC 6901 ``pointer``
    into the body, a ``message`` saying what is wrong and the ``rule`` that failed."""

    pointer: str
    message: str
    rule: str

    def as_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "message": self.message, "rule": self.rule}


def json_pointer(parts: Iterable[str | int]) -> str:
    """Build an RFC 6901 pointer from path segments."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
