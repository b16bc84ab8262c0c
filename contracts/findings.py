"""Findings: what a check concluded, and the report that gathers them.

A check returns a :class:`Verdict` (outcome, what it received, the evidence, how to
reproduce); the runner adds the check's static description to make a :class:`Finding`.
``NOT_EXERCISED`` means the evidence holds nothing the check could grade: it is never a
pass, and a report with any such finding does not sign off.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


class Outcome(enum.StrEnum):
    """How a check ended."""

    PASS = "pass"
    FAIL = "fail"
    NOT_EXERCISED = "not_exercised"

    @property
    def label(self) -> str:
        """The outcome as a report shows it."""
        return {"pass": "PASS", "fail": "FAIL", "not_exercised": "NOT EXERCISED"}[self.value]


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: a journal request id of the mock, or a call to the POS."""

    kind: str  # "journal" | "pos_call"
    ref: str  # journal id, or "GET /products?page=2"
    summary: str = ""
    detail: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The evidence as plain JSON-ready data."""
        data: dict[str, Any] = {"kind": self.kind, "ref": self.ref, "summary": self.summary}
        if self.detail is not None:
            data["detail"] = self.detail
        return data


def journal(entry_id: int | str, summary: str = "") -> Evidence:
    """Evidence pointing at one entry of the mock's journal."""
    return Evidence(kind="journal", ref=f"#{entry_id}", summary=summary)


def pos_call(request: str, summary: str = "", detail: dict[str, Any] | None = None) -> Evidence:
    """Evidence describing one call the harness made to the POS (``"GET /products"``)."""
    return Evidence(kind="pos_call", ref=request, summary=summary, detail=detail)


@dataclass(frozen=True)
class Verdict:
    """What a check function returns."""

    outcome: Outcome
    received: str
    evidence: tuple[Evidence, ...] = ()
    reproduce: str = ""

    @classmethod
    def passed(
        cls, received: str, evidence: list[Evidence] | tuple[Evidence, ...] = (), reproduce: str = ""
    ) -> Verdict:
        """A passing verdict."""
        return cls(Outcome.PASS, received, tuple(evidence), reproduce)

    @classmethod
    def failed(
        cls, received: str, evidence: list[Evidence] | tuple[Evidence, ...] = (), reproduce: str = ""
    ) -> Verdict:
        """A failing verdict; ``received`` says what was wrong."""
        return cls(Outcome.FAIL, received, tuple(evidence), reproduce)

    @classmethod
    def not_exercised(cls, received: str, reproduce: str = "") -> Verdict:
        """The evidence holds nothing this check can grade; ``received`` says what is missing."""
        return cls(Outcome.NOT_EXERCISED, received, (), reproduce)


@dataclass(frozen=True)
class Finding:
    """A check's verdict with the check's description: one row of the report."""

    requirement: str
    check: str
    area: str
    action: str
    expected: str
    received: str
    outcome: Outcome
    evidence: tuple[Evidence, ...] = ()
    reproduce: str = ""

    @property
    def passed(self) -> bool:
        """True only for a pass; not exercised is not a pass."""
        return self.outcome is Outcome.PASS

    def as_dict(self) -> dict[str, Any]:
        """The finding as plain JSON-ready data."""
        return {
            "requirement": self.requirement,
            "check": self.check,
            "area": self.area,
            "action": self.action,
            "expected": self.expected,
            "received": self.received,
            "outcome": self.outcome.value,
            "evidence": [item.as_dict() for item in self.evidence],
            "reproduce": self.reproduce,
        }


@dataclass
class Report:
    """Every finding of a certification run plus what the sign-off page needs to say."""

    pos_name: str
    pos_version: str
    spec_version: str
    generated_at: str
    findings: list[Finding] = field(default_factory=list)
    limitations: list[str] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)

    def counts(self) -> dict[Outcome, int]:
        """How many findings ended in each outcome (every outcome present, zero or more)."""
        counter = Counter(finding.outcome for finding in self.findings)
        return {outcome: counter.get(outcome, 0) for outcome in Outcome}

    @property
    def signed_off(self) -> bool:
        """True when there is at least one finding and every finding passed."""
        return bool(self.findings) and all(finding.passed for finding in self.findings)

    def failures(self) -> list[Finding]:
        """The findings that did not pass (failed or not exercised)."""
        return [finding for finding in self.findings if not finding.passed]

    def exit_code(self) -> int:
        """0 when signed off; 1 when anything failed; 2 when nothing failed but not all ran."""
        counts = self.counts()
        if counts[Outcome.FAIL]:
            return 1
        return 0 if self.signed_off else 2

    def as_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data."""
        counts = self.counts()
        return {
            "pos": {"name": self.pos_name, "version": self.pos_version},
            "spec_version": self.spec_version,
            "generated_at": self.generated_at,
            "scope": list(self.scope),
            "signed_off": self.signed_off,
            "summary": {outcome.value: counts[outcome] for outcome in Outcome},
            "findings": [finding.as_dict() for finding in self.findings],
            "limitations": list(self.limitations),
        }
