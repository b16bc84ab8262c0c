"""The check registry: plain functions registered by name, each grading one requirement.

A check is a function ``(evidence) -> Verdict``. It is registered with the requirement it
grades and the words the report shows (area, action, expected)::

    @INBOUND.check(
        "orders.void_sent",
        requirement="POS-04",
        area="Orders",
        action="Void an order that was sent",
        expected="An order update with status 7 (Void)",
    )
    def void_sent(evidence: InboundEvidence) -> Verdict: ...

A name can be registered once; a second registration is refused, so two checks can never
silently shadow each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from loyapro_mock.contracts.findings import Finding, Outcome, Verdict
from loyapro_mock.contracts.requirements import requirement as lookup_requirement

E = TypeVar("E")


class DuplicateCheckError(ValueError):
    """A check name was registered twice."""


@dataclass(frozen=True)
class CheckSpec(Generic[E]):
    """A registered check: its function and what the report says about it."""

    name: str
    requirement: str
    area: str
    action: str
    expected: str
    function: Callable[[E], Verdict]

    def run(self, evidence: E) -> Finding:
        """Grade ``evidence``; a check that cannot read the evidence fails, never passes."""
        try:
            verdict = self.function(evidence)
        except Exception as exc:
            verdict = Verdict.failed(
                f"the check could not evaluate the evidence ({type(exc).__name__}: {exc})"
            )
        return Finding(
            requirement=self.requirement,
            check=self.name,
            area=self.area,
            action=self.action,
            expected=self.expected,
            received=verdict.received,
            outcome=verdict.outcome,
            evidence=verdict.evidence,
            reproduce=verdict.reproduce,
        )


class Registry(Generic[E]):
    """Checks of one kind (inbound or outbound), in registration order."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._checks: dict[str, CheckSpec[E]] = {}

    def check(
        self, name: str, *, requirement: str, area: str, action: str, expected: str
    ) -> Callable[[Callable[[E], Verdict]], Callable[[E], Verdict]]:
        """Decorator registering a check function under ``name`` (refuses duplicates)."""

        def register(function: Callable[[E], Verdict]) -> Callable[[E], Verdict]:
            self.add(
                CheckSpec(
                    name=name,
                    requirement=requirement,
                    area=area,
                    action=action,
                    expected=expected,
                    function=function,
                )
            )
            return function

        return register

    def add(self, spec: CheckSpec[E]) -> None:
        """Register ``spec``; a name already taken or an unknown requirement id is refused."""
        if spec.name in self._checks:
            raise DuplicateCheckError(f"a {self.kind} check named {spec.name!r} already exists")
        lookup_requirement(spec.requirement)
        self._checks[spec.name] = spec

    def __iter__(self) -> Iterator[CheckSpec[E]]:
        return iter(self._checks.values())

    def __len__(self) -> int:
        return len(self._checks)

    def __contains__(self, name: object) -> bool:
        return name in self._checks

    def get(self, name: str) -> CheckSpec[E]:
        """The check registered as ``name``."""
        return self._checks[name]

    def names(self) -> list[str]:
        """Every registered name, in registration order."""
        return list(self._checks)

    def run(self, evidence: E, only: Iterable[str] | None = None) -> list[Finding]:
        """Run every check (or the named ones) against ``evidence``, in registration order."""
        selected = set(only) if only is not None else None
        if selected is not None:
            unknown = selected - set(self._checks)
            if unknown:
                raise KeyError(f"unknown {self.kind} checks: {', '.join(sorted(unknown))}")
        return [
            spec.run(evidence) for spec in self._checks.values() if selected is None or spec.name in selected
        ]


def failed_checks(findings: Iterable[Finding]) -> set[str]:
    """Names of the checks whose finding is not a pass (fail or not exercised)."""
    return {finding.check for finding in findings if finding.outcome is not Outcome.PASS}
