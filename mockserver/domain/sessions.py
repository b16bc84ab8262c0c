"""Certification sessions as the mock follows them: a checklist whose steps tick as the
journal shows the POS performing them.

A session is registered by whoever prepared it (``certify start``), with its POS, the journal
id it starts at, and its steps; each step expects one or more requests, in order, each
described by a simple matcher the mock evaluates on journal entries without knowing anything
of certification: the operation, the verdict, and values at JSON pointers of the request body
and of the answer. A step is *seen* once each of its matchers matched an entry, each later
than the one before. A request a step expects refused (``verdict: rejected``: a fault the
session has the mock inject) does not count as a refusal of the session. This is progress,
not a grade: ``certify report`` grades the session,
outcomes in LoyaPro's state included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["WEBHOOKS", "matches", "pointer_value", "session_progress"]

WEBHOOKS = ("order", "reward", "redeem")
_MISSING = object()


def pointer_value(document: Any, pointer: str) -> Any:
    """The value at an RFC 6901 JSON pointer (``""`` is the whole document), or a sentinel
    that equals nothing when there is none."""
    if pointer == "":
        return document
    if not pointer.startswith("/"):
        return _MISSING
    value = document
    for token in pointer[1:].split("/"):
        key = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, Mapping) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return _MISSING
    return value


def _same(found: Any, wanted: Any) -> bool:
    """JSON equality: ``true`` is not ``1``, ``4`` is ``4.0``."""
    if found is _MISSING:
        return False
    if isinstance(found, bool) or isinstance(wanted, bool):
        return isinstance(found, bool) and isinstance(wanted, bool) and found == wanted
    if isinstance(found, int | float) and isinstance(wanted, int | float):
        return float(found) == float(wanted)
    return bool(type(found) is type(wanted) and found == wanted)


def matches(matcher: Mapping[str, Any], entry: Mapping[str, Any]) -> bool:
    """True when a journal entry is what the matcher describes (verdict ``accepted`` unless
    it says otherwise)."""
    if "operation" in matcher and entry.get("operation") != matcher["operation"]:
        return False
    if entry.get("verdict") != matcher.get("verdict", "accepted"):
        return False
    documents = {}
    for part, key in (("body", "request"), ("response", "response")):
        held = entry.get(key)
        documents[part] = held.get("body") if isinstance(held, Mapping) else None
    for part, document in documents.items():
        for pointer, wanted in (matcher.get(part) or {}).items():
            if not _same(pointer_value(document, pointer), wanted):
                return False
    return True


def _warned(entry: Mapping[str, Any]) -> bool:
    violations = entry.get("violations")
    return isinstance(violations, list) and any(
        isinstance(v, Mapping) and v.get("severity") == "warning" for v in violations
    )


def session_progress(session: Mapping[str, Any], entries: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The session with each step's progress and the verdict so far, from its journal entries
    (those of its POS from its ``since_id`` on, oldest first)."""
    webhooks = [
        e
        for e in entries
        if e.get("operation") in WEBHOOKS
        and int(e.get("id", 0)) >= int(session["since_id"])
        and e.get("pos") == session["pos_name"]
    ]
    steps: list[dict[str, Any]] = []
    expected_refusals: set[int] = set()  # entries a step expects refused (a fault's answer)
    for step in session["steps"]:
        after = -1
        expects: list[dict[str, Any]] = []
        for matcher in step["expects"]:
            found = next((e for e in webhooks if int(e["id"]) > after and matches(matcher, e)), None)
            if found is not None:
                after = int(found["id"])
                if matcher.get("verdict") == "rejected":
                    expected_refusals.add(after)
            expects.append(
                {"description": matcher.get("description", ""), "entry_id": found["id"] if found else None}
            )
        steps.append(
            {
                "id": step["id"],
                "title": step.get("title", step["id"]),
                "done": all(item["entry_id"] is not None for item in expects),
                "expects": expects,
            }
        )
    done = sum(1 for step in steps if step["done"])
    refused = sum(
        1 for e in webhooks if e.get("verdict") == "rejected" and int(e["id"]) not in expected_refusals
    )
    warnings = sum(1 for e in webhooks if _warned(e))
    if refused:
        state = "refused requests"
    elif done == len(steps):
        state = "all steps seen"
    else:
        state = "in progress"
    return {
        **{key: value for key, value in session.items() if key != "steps"},
        "steps": steps,
        "progress": {"done": done, "total": len(steps)},
        "verdict": {
            "state": state,
            "requests": len(webhooks),
            "refused": refused,
            "warnings": warnings,
            "note": "Progress from the journal, not a grade: every refused request is a finding, "
            "and the sign-off comes from 'loyapro-mock certify report --session "
            f"{session['id']}', which also grades what ended up in LoyaPro's state.",
        },
    }
