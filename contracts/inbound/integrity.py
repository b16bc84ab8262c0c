"""Whether the mock a session is graded on is still the world the session started in.

``certify start`` records the mock's state marker (``GET /__admin/health`` ``state``) and
the journal id the session starts after; ``certify report`` reads them again. A reset, a
restart on an empty store, or a journal that restarted means the session's journal entries
and reward codes are gone, so nothing the report would say about them is about the POS; a
clock moved meanwhile makes every time-dependent result (expiry, timestamps, "within 10
minutes") the clock's doing rather than the POS's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Disturbance", "Integrity", "read_integrity"]


@dataclass(frozen=True)
class Disturbance:
    """One thing that changed the session's world under it: ``kind`` is ``reset``,
    ``restart``, ``journal`` (the journal restarted) or ``clock``; ``text`` says what and when."""

    kind: str
    text: str


@dataclass(frozen=True)
class Integrity:
    """What changed under the session (nothing when ``disturbances`` is empty), and whether
    that could be told at all (``graded``; ``reason`` says why not)."""

    disturbances: tuple[Disturbance, ...] = ()
    graded: bool = True
    reason: str = ""

    @property
    def evidence_lost(self) -> bool:
        """The session's journal and state are gone: every other inbound result is void."""
        return any(item.kind in ("reset", "restart", "journal") for item in self.disturbances)

    @property
    def clock_moved(self) -> bool:
        """The mock's clock moved during the session."""
        return any(item.kind == "clock" for item in self.disturbances)

    def summary(self) -> str:
        """Every disturbance, in one sentence each."""
        return "; ".join(item.text for item in self.disturbances)


def _number(value: Any, default: float = 0.0) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _clock(start: Mapping[str, Any], now: Mapping[str, Any], *, same_state: bool) -> Disturbance | None:
    moves = int(_number(now.get("clock_moves")))
    if same_state:
        ahead = _number(now.get("clock_offset_seconds")) - _number(start.get("clock_offset_seconds"))
        moves -= int(_number(start.get("clock_moves")))
        if ahead == 0 and moves <= 0:
            return None
    else:  # the offset began again at 0 with the new state: every move since is the session's
        ahead = _number(now.get("clock_offset_seconds"))
        if moves <= 0 and ahead == 0:
            return None
    last = now.get("clock_moved_at") or "an unknown time"
    times = f"{moves} time{'s' if moves != 1 else ''}, " if moves > 0 else ""
    return Disturbance(
        "clock",
        f"the mock's clock was moved {ahead:g} s forward during the session ({times}last at {last})",
    )


def read_integrity(
    session_state: Mapping[str, Any],
    mock_state: Mapping[str, Any] | None,
    since_id: int,
    newest_id: int | None,
) -> Integrity:
    """Compare the marker the session recorded with the mock's now, and the journal's newest
    id (None when unknown) with the id the session started after (``since_id - 1``)."""
    found: list[Disturbance] = []
    start = dict(session_state)
    now = dict(mock_state or {})
    if start.get("state_id") and now.get("state_id"):
        same = now["state_id"] == start["state_id"]
        if not same:
            began = now.get("state_since") or "an unknown time"
            resets = int(_number(now.get("reset_count"))) - int(_number(start.get("reset_count")))
            if resets > 0:
                found.append(
                    Disturbance(
                        "reset",
                        f"the mock was reset during the session ({resets} reset{'s' if resets != 1 else ''}, "
                        f"the last at {began}): the session's journal entries and reward codes are gone",
                    )
                )
            else:
                found.append(
                    Disturbance(
                        "restart",
                        f"the mock holds another state than the session started in (state {now['state_id']}, "
                        f"begun at {began}, no reset counted): it restarted on an empty store (such as "
                        "--db :memory:) or on another database, and the session's journal entries and "
                        "reward codes are gone",
                    )
                )
        moved = _clock(start, now, same_state=same)
        if moved is not None:
            found.append(moved)
    last_before = since_id - 1
    if newest_id is not None and newest_id < last_before and not any(d.kind != "clock" for d in found):
        found.append(
            Disturbance(
                "journal",
                f"the mock's journal restarted: its newest entry is #{newest_id}, but the session "
                f"began after entry #{last_before}",
            )
        )
    if found:
        return Integrity(tuple(found))
    if not start.get("state_id"):
        return Integrity(
            graded=False,
            reason="the session recorded no state marker of the mock (it was started by an older "
            "loyapro-mock): whether the mock was reset or its clock moved during it cannot be told; "
            "start a new session",
        )
    if not now.get("state_id"):
        return Integrity(
            graded=False,
            reason="the mock's GET /__admin/health shows no state marker (an older loyapro-mock): "
            "whether it was reset or its clock moved during the session cannot be told",
        )
    return Integrity()
