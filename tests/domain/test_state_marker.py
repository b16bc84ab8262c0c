"""The state marker: a state id drawn on a fresh store and on every reset, the resets counted,
the clock's moves noted; kept in the store, so every process sharing a database agrees."""

from __future__ import annotations

from pathlib import Path

from loyapro_mock.mockserver.domain.clock import Clock
from loyapro_mock.mockserver.domain.usecases import LoyaPro, advance_clock, reset, state_marker
from loyapro_mock.mockserver.store.protocol import Store
from loyapro_mock.mockserver.store.sqlite import SqliteStore

from .factories import T0


def test_a_fresh_store_gets_one_state_id_and_keeps_it(store: Store) -> None:
    loyapro = LoyaPro(store, clock=Clock(store, base=lambda: T0))
    first = state_marker(loyapro)
    assert len(first["state_id"]) == 16
    assert first == {
        "state_id": first["state_id"],
        "state_since": "2023-01-01T15:00:00.000Z",
        "reset_count": 0,
        "clock_offset_seconds": 0.0,
        "clock_moved_at": None,
        "clock_moves": 0,
    }
    assert state_marker(loyapro) == first


def test_a_reset_draws_a_new_state_and_counts_itself(store: Store) -> None:
    loyapro = LoyaPro(store, clock=Clock(store, base=lambda: T0))
    first = state_marker(loyapro)["state_id"]
    advance_clock(loyapro, 90)
    reset(loyapro)
    reset(loyapro)
    marker = state_marker(loyapro)
    assert marker["state_id"] != first
    assert marker["reset_count"] == 2
    assert marker["clock_offset_seconds"] == 0.0 and marker["clock_moves"] == 0  # the reset set it back


def test_a_clock_move_is_noted_in_real_time(store: Store) -> None:
    loyapro = LoyaPro(store, clock=Clock(store, base=lambda: T0))
    before = state_marker(loyapro)
    advance_clock(loyapro, 3600)
    advance_clock(loyapro, 60)
    marker = state_marker(loyapro)
    assert marker["state_id"] == before["state_id"]
    assert marker["clock_offset_seconds"] == 3660.0
    assert marker["clock_moves"] == 2
    assert marker["clock_moved_at"] == "2023-01-01T15:00:00.000Z"  # when, not the clock's now


def test_processes_sharing_a_file_agree_on_the_marker(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    with SqliteStore(path) as one, SqliteStore(path) as two:
        first, second = LoyaPro(one), LoyaPro(two)
        assert state_marker(first) == state_marker(second)
        reset(second)
        advance_clock(first, 30)
        assert state_marker(first) == state_marker(second)
        assert state_marker(first)["reset_count"] == 1
        kept = state_marker(first)
    with SqliteStore(path) as reopened:  # a restart on the same file keeps its state
        assert state_marker(LoyaPro(reopened)) == kept
