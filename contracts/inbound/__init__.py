"""Inbound certification: grade what the POS sent to the mock during a session."""

from __future__ import annotations

from loyapro_mock.contracts.findings import Finding
from loyapro_mock.contracts.inbound import (
    checks_amounts,
    checks_contract,
    checks_orders,
    checks_payload,
    checks_rewards,
    checks_session,
)
from loyapro_mock.contracts.inbound.evidence import INBOUND, InboundEvidence, JournalEntry
from loyapro_mock.contracts.mock_admin import MockAdmin
from loyapro_mock.contracts.session import CertSession

__all__ = [
    "INBOUND",
    "InboundEvidence",
    "JournalEntry",
    "collect_inbound_evidence",
    "evaluate_session",
]

# the check modules register themselves on import
_CHECK_MODULES = (
    checks_amounts,
    checks_contract,
    checks_orders,
    checks_payload,
    checks_rewards,
    checks_session,
)


def collect_inbound_evidence(session: CertSession, admin: MockAdmin | None = None) -> InboundEvidence:
    """The session's journal entries: the POS's webhook calls since the session started.

    Entries are those received at or after the session's first journal id, from the
    session's POS name.
    """
    admin = admin or MockAdmin(session.mock_url)
    raw = admin.journal(since_id=session.since_id, pos=session.pos_name)
    entries = [JournalEntry.from_dict(item) for item in raw]
    entries = [entry for entry in entries if entry.id >= session.since_id]
    return InboundEvidence(session=session, entries=sorted(entries, key=lambda entry: entry.id))


def evaluate_session(session: CertSession, admin: MockAdmin | None = None) -> list[Finding]:
    """Run every inbound check on the session's journal."""
    return INBOUND.run(collect_inbound_evidence(session, admin))
