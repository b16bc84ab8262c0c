"""`Violation`: one way a request breaks the contract or a business rule, or risks certification.

The schema validator (`mockserver.http.pipeline.validation`), the business rules
(`mockserver.domain.rules`) and the order warnings (`mockserver.domain.order_warnings`)
report violations; the journal, the answers and problem bodies carry them as
``{pointer, message, rule, severity}``.

An ``error`` breaks the contract: the mock refuses the request (or, in lenient mode, records
it). A ``warning`` is something LoyaPro accepts but a certification check fails (a missing
``Accept`` header, a loyalty discount that differs from what was redeemed): the request is
answered as usual and the warning listed, so a POS developer sees it while developing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["ERROR", "SEVERITIES", "WARNING", "Severity", "Violation", "json_pointer"]

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"
SEVERITIES: tuple[Severity, ...] = (ERROR, WARNING)


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a request breaks the contract or a business rule: an RFC 6901 ``pointer``
    into the body, a ``message`` saying what is wrong, the ``rule`` that failed and its
    ``severity`` (``error``, or ``warning`` for what is accepted but fails certification)."""

    pointer: str
    message: str
    rule: str
    severity: Severity = ERROR

    @property
    def is_error(self) -> bool:
        """True for an error (the request breaks the contract), False for a warning."""
        return self.severity != WARNING

    def as_dict(self) -> dict[str, str]:
        return {
            "pointer": self.pointer,
            "message": self.message,
            "rule": self.rule,
            "severity": self.severity,
        }


def json_pointer(parts: Iterable[str | int]) -> str:
    """Build an RFC 6901 pointer from path segments."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
