"""Admin use cases on certification sessions: register one (its POS, where its journal
starts, its checklist with a matcher per expected request), list them, read one.

Sessions are kept with the mock's state (so every worker and every instance sharing the
store sees them) and forgotten by a reset, like the journal they refer to. Their progress is
`mockserver.domain.sessions.session_progress` of the journal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from loyapro_mock.mockserver.domain.errors import DomainError
from loyapro_mock.mockserver.domain.records import StoreTx
from loyapro_mock.mockserver.domain.usecases.bodies import body_object
from loyapro_mock.mockserver.domain.usecases.loyapro import LoyaPro

__all__ = ["MAX_SESSIONS", "get_session", "list_sessions", "register_session"]

#: The sessions the mock keeps; registering one more forgets the oldest.
MAX_SESSIONS = 50
_META_KEY = "cert_sessions"
_FIELDS = ("id", "pos_name", "business_reference", "since_id", "created_at", "steps")


def _stored(tx: StoreTx) -> list[dict[str, Any]]:
    raw = tx.get_meta(_META_KEY)
    sessions = json.loads(raw) if raw else []
    return [s for s in sessions if isinstance(s, dict)]


def register_session(loyapro: LoyaPro, body: Mapping[str, Any]) -> dict[str, Any]:
    """Keep a session (the admin API's ``RegisterSessionRequest``, checked by the spec's
    schema); one registered again under its id replaces the earlier one."""
    body = body_object(body)
    session = {key: body[key] for key in _FIELDS if key in body}
    session["since_id"] = int(session["since_id"])  # JSON's integers include 3.0
    session.setdefault("created_at", loyapro.iso_now())
    session.setdefault("business_reference", None)
    session["steps"] = [
        {
            "id": str(step["id"]),
            "title": str(step.get("title") or step["id"]),
            "expects": [dict(matcher) for matcher in step.get("expects") or []],
        }
        for step in session["steps"]
    ]
    with loyapro.store.transaction() as tx:
        sessions = [s for s in _stored(tx) if s.get("id") != session["id"]]
        sessions = [*sessions, session][-MAX_SESSIONS:]
        tx.set_meta(_META_KEY, json.dumps(sessions, ensure_ascii=False))
    return session


def list_sessions(loyapro: LoyaPro) -> list[dict[str, Any]]:
    """The registered sessions, oldest first."""
    with loyapro.store.snapshot() as tx:
        return _stored(tx)


def get_session(loyapro: LoyaPro, session_id: str) -> dict[str, Any]:
    """One registered session; 404 ``session_not_found`` when the mock holds none by that id."""
    for session in list_sessions(loyapro):
        if session.get("id") == session_id:
            return session
    raise DomainError(
        404,
        "session_not_found",
        f"the mock holds no certification session {session_id!r}: 'loyapro-mock certify start' "
        "registers one (POST /__admin/sessions), and a reset forgets them",
    )
