"""Inbound certification: grade what the POS sent to the mock during a session, and what
the mock ended up holding after it."""

from __future__ import annotations

from dataclasses import replace

from loyapro_mock.contracts.findings import Finding, Outcome

# the check modules register their checks on import, in this order
from loyapro_mock.contracts.inbound import (  # noqa: F401
    checks_amounts,
    checks_contract,
    checks_orders,
    checks_outcomes,
    checks_payload,
    checks_resilience,
    checks_rewards,
    checks_session,
)
from loyapro_mock.contracts.inbound.checks_session import INTEGRITY
from loyapro_mock.contracts.inbound.evidence import INBOUND, InboundEvidence, JournalEntry
from loyapro_mock.contracts.inbound.integrity import Integrity, read_integrity
from loyapro_mock.contracts.inbound.resilience import read_resilience_state, split_resilience
from loyapro_mock.contracts.inbound.state import read_state
from loyapro_mock.contracts.mock_admin import MockAdmin
from loyapro_mock.contracts.requirements import RESILIENCE, requirement
from loyapro_mock.contracts.session import CertSession

__all__ = [
    "INBOUND",
    "InboundEvidence",
    "JournalEntry",
    "collect_inbound_evidence",
    "evaluate_session",
]


def _integrity(session: CertSession, admin: MockAdmin, entries: list[JournalEntry]) -> Integrity:
    """Compare the mock's state marker and journal with what the session recorded at its start."""
    marker = admin.health().get("state")
    newest: int | None = None
    last_before = session.since_id - 1
    if not entries and last_before > 0 and not admin.journal_reaches(last_before):
        newest = admin.last_journal_id()
    return read_integrity(
        session.mock_state, marker if isinstance(marker, dict) else None, session.since_id, newest
    )


def collect_inbound_evidence(session: CertSession, admin: MockAdmin | None = None) -> InboundEvidence:
    """The session's journal entries, the mock's state after the session, and whether the
    mock was reset, restarted or had its clock moved since the session started.

    Entries are the POS's webhook calls received at or after the session's first journal
    id, from the session's POS name; those of the resilience steps are kept apart. The state
    holds the session customer, the session's reward codes and every order those entries
    sent, as the mock holds them now.
    """
    admin = admin or MockAdmin(session.mock_url)
    raw = admin.journal(since_id=session.since_id, pos=session.pos_name)
    entries = [JournalEntry.from_dict(item) for item in raw]
    entries = sorted((entry for entry in entries if entry.id >= session.since_id), key=lambda entry: entry.id)
    integrity = _integrity(session, admin, entries)
    entries, resilience = split_resilience(session, entries)
    order_ids = [entry.order_id for entry in entries if entry.operation == "order"]
    state = read_state(session, order_ids=[i for i in order_ids if i], admin=admin)
    return InboundEvidence(
        session=session,
        entries=entries,
        state=state,
        integrity=integrity,
        resilience=resilience,
        resilience_state=read_resilience_state(session, resilience, admin),
    )


def _void(finding: Finding, integrity: Integrity) -> Finding:
    """A finding whose evidence the disturbance destroyed: not graded, and why."""
    return replace(
        finding,
        outcome=Outcome.NOT_EXERCISED,
        received=f"not graded: {integrity.summary()}, so what this check would read is not the session's",
        evidence=(),
        reproduce="",
    )


def _timed(finding: Finding, integrity: Integrity) -> Finding:
    """A failure that the clock move may explain: say so next to what the check found."""
    clock = "; ".join(item.text for item in integrity.disturbances if item.kind == "clock")
    return replace(
        finding,
        received=f"{finding.received} (beware: {clock}, so a time-dependent result may be the clock's doing)",
    )


def evaluate_session(session: CertSession, admin: MockAdmin | None = None) -> list[Finding]:
    """Run every inbound check on the session's journal and the mock's state after it.

    A session started without the resilience steps (``resilience=False``) runs no resilience
    check: its RES requirements stay not graded, so it cannot sign off. When the mock was
    reset or restarted during the session, only ``session.integrity``
    grades anything (it fails, naming what happened and when): every other check read a
    journal and a state that are not the session's, so its finding is not exercised and says
    why, instead of blaming the POS. When only the clock moved, the failures say so.
    """
    evidence = collect_inbound_evidence(session, admin)
    only = None
    if session.resilience is None:  # a session without the resilience steps does not grade them
        only = [spec.name for spec in INBOUND if requirement(spec.requirement).group != RESILIENCE]
    findings = INBOUND.run(evidence, only)
    integrity = evidence.integrity
    if integrity.evidence_lost:
        return [f if f.check == INTEGRITY else _void(f, integrity) for f in findings]
    if integrity.clock_moved:
        return [
            _timed(f, integrity) if f.check != INTEGRITY and f.outcome is Outcome.FAIL else f
            for f in findings
        ]
    return findings
