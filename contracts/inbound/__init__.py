"""Inbound certification: grade what the POS sent to the mock during a session, and what
the mock ended up holding after it."""

from __future__ import annotations

from loyapro_mock.contracts.findings import Finding

# the check modules register their checks on import, in this order
from loyapro_mock.contracts.inbound import (  # noqa: F401
    checks_amounts,
    checks_contract,
    checks_orders,
    checks_outcomes,
    checks_payload,
    checks_rewards,
    checks_session,
)
from loyapro_mock.contracts.inbound.evidence import INBOUND, InboundEvidence, JournalEntry
from loyapro_mock.contracts.inbound.state import read_state
from loyapro_mock.contracts.mock_admin import MockAdmin
from loyapro_mock.contracts.session import CertSession

__all__ = [
    "INBOUND",
    "InboundEvidence",
    "JournalEntry",
    "collect_inbound_evidence",
    "evaluate_session",
]


def collect_inbound_evidence(session: CertSession, admin: MockAdmin | None = None) -> InboundEvidence:
    """The session's journal entries and the mock's state after the session.

    Entries are the POS's webhook calls received at or after the session's first journal
    id, from the session's POS name. The state holds the session customer, the session's
    reward codes and every order those entries sent, as the mock holds them now.
    """
    admin = admin or MockAdmin(session.mock_url)
    raw = admin.journal(since_id=session.since_id, pos=session.pos_name)
    entries = [JournalEntry.from_dict(item) for item in raw]
    entries = sorted((entry for entry in entries if entry.id >= session.since_id), key=lambda entry: entry.id)
    order_ids = [entry.order_id for entry in entries if entry.operation == "order"]
    state = read_state(session, order_ids=[i for i in order_ids if i], admin=admin)
    return InboundEvidence(session=session, entries=entries, state=state)


def evaluate_session(session: CertSession, admin: MockAdmin | None = None) -> list[Finding]:
    """Run every inbound check on the session's journal and the mock's state after it."""
    return INBOUND.run(collect_inbound_evidence(session, admin))
