"""Findings: what a check concluded, and the report that gathers them.

A check returns a :class:`Verdict` (outcome, what it received, the evidence, how to
reproduce); the runner adds the check's static description to make a :class:`Finding`.
``NOT_EXERCISED`` means the evidence holds nothing the check could grade: it is never a
pass, and a report with any such finding does not sign off.

A :class:`Report` ends in one :class:`SignOff`: ``SIGNED_OFF`` only when every requirement
of the catalogue was graded and every check passed, ``NOT_SIGNED_OFF`` on any failure,
``INCOMPLETE`` otherwise (requirements not graded or checks not exercised, listed by id).
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from loyapro_mock.contracts.requirements import GROUPS, REQUIREMENTS, in_group


class Outcome(enum.StrEnum):
    """How a check ended."""

    PASS = "pass"
    FAIL = "fail"
    NOT_EXERCISED = "not_exercised"

    @property
    def label(self) -> str:
        """The outcome as a report shows it."""
        return {"pass": "PASS", "fail": "FAIL", "not_exercised": "NOT EXERCISED"}[self.value]


class SignOff(enum.StrEnum):
    """The verdict of a whole report, and the exit code that goes with it."""

    SIGNED_OFF = "signed_off"
    NOT_SIGNED_OFF = "not_signed_off"
    INCOMPLETE = "incomplete"

    @property
    def label(self) -> str:
        """The verdict as a report shows it: ``SIGNED OFF``, ``NOT SIGNED OFF``, ``INCOMPLETE``."""
        return self.value.replace("_", " ").upper()

    @property
    def exit_code(self) -> int:
        """0 signed off, 1 not signed off (a failure), 2 incomplete."""
        return {"signed_off": 0, "not_signed_off": 1, "incomplete": 2}[self.value]


#: The status of a requirement no finding grades (beside the :class:`Outcome` values).
NOT_GRADED = "not_graded"

#: Up to this many checks not exercised are named one by one in the verdict's reason.
_NAMED_IN_REASON = 6

#: Why a requirement without findings was not graded, unless the report says otherwise.
NOT_GRADED_BY_THIS_RUN = "no check of this run graded it"


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
    """Every finding of a certification run plus what the sign-off page needs to say.

    ``not_graded_reasons`` says, by requirement id, why a requirement of the catalogue has
    no finding (e.g. outside the run's scope); the requirement is listed as not graded
    whether or not a reason is given.
    """

    pos_name: str
    pos_version: str
    spec_version: str
    generated_at: str
    findings: list[Finding] = field(default_factory=list)
    limitations: list[str] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)
    not_graded_reasons: dict[str, str] = field(default_factory=dict)
    session_id: str = ""
    mock_url: str = ""
    tool_version: str = ""

    def counts(self) -> dict[Outcome, int]:
        """How many findings ended in each outcome (every outcome present, zero or more)."""
        counter = Counter(finding.outcome for finding in self.findings)
        return {outcome: counter.get(outcome, 0) for outcome in Outcome}

    def graded(self) -> list[str]:
        """Ids of the catalogue's requirements that have at least one finding, in catalogue order."""
        ids = {finding.requirement for finding in self.findings}
        return [item.id for item in REQUIREMENTS if item.id in ids]

    def not_graded(self) -> list[str]:
        """Ids of the catalogue's requirements that no finding grades, in catalogue order."""
        ids = {finding.requirement for finding in self.findings}
        return [item.id for item in REQUIREMENTS if item.id not in ids]

    def not_graded_reason(self, requirement_id: str) -> str:
        """Why ``requirement_id`` was not graded."""
        return self.not_graded_reasons.get(requirement_id, NOT_GRADED_BY_THIS_RUN)

    def not_exercised(self) -> list[Finding]:
        """The findings whose check had nothing to grade."""
        return [finding for finding in self.findings if finding.outcome is Outcome.NOT_EXERCISED]

    def status(self, requirement_id: str) -> str:
        """How a requirement ended: ``fail``, ``not_exercised``, ``pass`` or ``not_graded``."""
        outcomes = {finding.outcome for finding in self.findings if finding.requirement == requirement_id}
        for outcome in (Outcome.FAIL, Outcome.NOT_EXERCISED, Outcome.PASS):
            if outcome in outcomes:
                return outcome.value
        return NOT_GRADED

    @property
    def verdict(self) -> SignOff:
        """Not signed off on any failure; signed off only when all is graded and passed."""
        if any(finding.outcome is Outcome.FAIL for finding in self.findings):
            return SignOff.NOT_SIGNED_OFF
        if not self.findings or self.not_graded() or self.not_exercised():
            return SignOff.INCOMPLETE
        return SignOff.SIGNED_OFF

    @property
    def signed_off(self) -> bool:
        """True only when every requirement of the catalogue was graded and every check passed."""
        return self.verdict is SignOff.SIGNED_OFF

    def failures(self) -> list[Finding]:
        """The findings that did not pass (failed or not exercised)."""
        return [finding for finding in self.findings if not finding.passed]

    def exit_code(self) -> int:
        """0 when signed off; 1 when anything failed; 2 when incomplete (see :class:`SignOff`)."""
        return self.verdict.exit_code

    def verdict_reason(self) -> str:
        """Why the verdict is what it is, naming checks and requirement ids."""
        verdict = self.verdict
        if verdict is SignOff.SIGNED_OFF:
            return f"every requirement of the catalogue ({len(REQUIREMENTS)}) graded, every check passed"
        if verdict is SignOff.NOT_SIGNED_OFF:
            failed = [f"{f.requirement} {f.check}" for f in self.findings if f.outcome is Outcome.FAIL]
            return "failed: " + ", ".join(failed)
        parts = []
        if self.not_graded():
            parts.append("not graded: " + ", ".join(self.not_graded()))
        missing = self.not_exercised()
        if len(missing) > _NAMED_IN_REASON:
            ids = [item.id for item in REQUIREMENTS if any(f.requirement == item.id for f in missing)]
            parts.append(f"not exercised: {len(missing)} checks of {', '.join(ids)}")
        elif missing:
            parts.append("not exercised: " + ", ".join(f"{f.requirement} {f.check}" for f in missing))
        return "; ".join(parts) or "no check ran"

    def group_summary(self, group: str) -> dict[str, Any]:
        """One group of the catalogue (`contracts.requirements.GROUPS`): its title, its
        requirement ids and how many of them ended in each status."""
        ids = [item.id for item in in_group(group)]
        statuses = Counter(self.status(requirement_id) for requirement_id in ids)
        return {
            "group": group,
            "title": GROUPS[group],
            "requirements": ids,
            "status": {key: statuses.get(key, 0) for key in (*(o.value for o in Outcome), NOT_GRADED)},
        }

    def as_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data."""
        counts = self.counts()
        return {
            "pos": {"name": self.pos_name, "version": self.pos_version},
            "spec_version": self.spec_version,
            "generated_at": self.generated_at,
            "session_id": self.session_id,
            "mock_url": self.mock_url,
            "tool_version": self.tool_version,
            "scope": list(self.scope),
            "verdict": self.verdict.value,
            "exit_code": self.exit_code(),
            "signed_off": self.signed_off,
            "verdict_reason": self.verdict_reason(),
            "summary": {outcome.value: counts[outcome] for outcome in Outcome},
            "groups": [self.group_summary(group) for group in GROUPS],
            "not_graded": [
                {"requirement": requirement_id, "reason": self.not_graded_reason(requirement_id)}
                for requirement_id in self.not_graded()
            ],
            "findings": [finding.as_dict() for finding in self.findings],
            "limitations": list(self.limitations),
        }
