"""What the harness observed calling the POS's own API: the evidence outbound checks grade."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

from loyapro_mock.contracts.findings import Evidence, pos_call

# schemathesis check categories, in the order the report lists them
CATEGORIES: tuple[str, ...] = (
    "server_errors",
    "status_codes",
    "response_schemas",
    "content_types",
    "negative_rejected",
)


@dataclass(frozen=True)
class PosCall:
    """One HTTP call to the POS and what came back (``status`` None: no answer at all)."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    status: int | None = None
    response: Any = None
    error: str = ""
    curl: str = ""

    @property
    def target(self) -> str:
        """``"GET /customers?name=..."``: what the call asked for."""
        query = "?" + "&".join(f"{key}={value}" for key, value in self.query.items()) if self.query else ""
        return f"{self.method} {self.path}{query}"

    @property
    def json_ok(self) -> bool:
        """True when the POS answered 2xx with a JSON object."""
        return self.status is not None and 200 <= self.status < 300 and isinstance(self.response, dict)

    def answer(self) -> str:
        """A short description of the answer (status, or the transport error)."""
        return f"HTTP {self.status}" if self.status is not None else f"no answer ({self.error})"

    def as_evidence(self, summary: str = "") -> Evidence:
        """The call as report evidence."""
        detail: dict[str, Any] = {"status": self.status}
        if self.body is not None:
            detail["request_body"] = self.body
        if self.error:
            detail["error"] = self.error
        return pos_call(self.target, summary or self.answer(), detail)


def curl_command(
    method: str, url: str, body: Any = None, token: str | None = None, *, reveal_token: bool = False
) -> str:
    """A curl command reproducing a call (the token left as ``$POS_TOKEN`` unless revealed)."""
    import json

    parts = ["curl", "-sS", "-X", method, shlex.quote(url), "-H", shlex.quote("Accept: application/json")]
    if token and reveal_token:
        parts += ["-H", shlex.quote(f"Authorization: Bearer {token}")]
    elif token:
        parts += ["-H", '"Authorization: Bearer $POS_TOKEN"']
    if body is not None:
        parts += [
            "-H",
            shlex.quote("Content-Type: application/json"),
            "--data",
            shlex.quote(json.dumps(body, ensure_ascii=False)),
        ]
    return " ".join(parts)


@dataclass(frozen=True)
class CaseFailure:
    """One schemathesis check that failed on one generated request."""

    category: str
    title: str
    message: str
    target: str
    status: int | None
    curl: str

    def as_evidence(self) -> Evidence:
        """The failure as report evidence."""
        status = f"HTTP {self.status}" if self.status is not None else "no answer"
        return pos_call(self.target, f"{status}: {self.title}", {"message": self.message[:2000]})


@dataclass
class ConformanceRun:
    """The schemathesis run of one operation: how many cases per mode, what failed."""

    operation_id: str
    label: str
    positive_cases: int = 0
    negative_cases: int = 0
    positive_answered: int = 0
    negative_answered: int = 0
    failures: list[CaseFailure] = field(default_factory=list)
    error: str = ""

    def failures_in(self, category: str) -> list[CaseFailure]:
        """The failures of one category (``server_errors``, ``status_codes``...)."""
        return [failure for failure in self.failures if failure.category == category]


@dataclass
class OutboundEvidence:
    """Everything the outbound checks read: schemathesis runs and the round-trip calls."""

    base_url: str
    conformance: dict[str, ConformanceRun] = field(default_factory=dict)
    calls: dict[str, list[PosCall]] = field(default_factory=dict)
    customer: dict[str, Any] = field(default_factory=dict)
    queries: dict[str, str] = field(default_factory=dict)
    #: customers pushed only to be left out of the searches for :attr:`customer`
    decoys: list[dict[str, Any]] = field(default_factory=list)
    #: the re-push of :attr:`customer` with a changed name and another form of its mobile
    update: dict[str, Any] = field(default_factory=dict)
    #: the customer pushed with a missing or a wrong credential (must not be stored)
    intruder: dict[str, Any] = field(default_factory=dict)

    #: the steps of the stateful run (push, then the searches its link leads to); None: not run
    stateful: list[PosCall] | None = None
    stateful_error: str = ""

    def scenario(self, name: str) -> list[PosCall]:
        """The calls recorded under one round-trip scenario name (empty when not run)."""
        return self.calls.get(name, [])
