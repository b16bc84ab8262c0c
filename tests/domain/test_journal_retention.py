"""Journal retention: pruning by age and by count on every backend, in the background."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from loyapro_mock.mockserver.domain.clock import iso
from loyapro_mock.mockserver.http.settings import Settings, SettingsError
from loyapro_mock.mockserver.store.protocol import Store
from loyapro_mock.mockserver.store.retention import JournalPruner, parse_duration

from support.stores import SharedStores


def _entries(store: Store, count: int, *, age: timedelta = timedelta(0)) -> list[int]:
    at = iso(datetime.now(UTC) - age)
    return store.record_requests([{"path": f"/r{i}", "received_at": at} for i in range(count)])


def test_keep_deletes_all_but_the_newest_entries(store: Store) -> None:
    ids = _entries(store, 12)
    assert store.prune_requests(keep=5) == 7
    assert [e["id"] for e in store.list_requests()] == ids[-5:]
    assert store.prune_requests(keep=5) == 0
    assert store.record_request({"path": "/later"}) == ids[-1] + 1  # ids go on from the sequence


def test_before_deletes_the_entries_received_earlier(store: Store) -> None:
    old = _entries(store, 4, age=timedelta(days=8))
    new = _entries(store, 3, age=timedelta(hours=1))
    cutoff = iso(datetime.now(UTC) - timedelta(days=7))
    assert store.prune_requests(before=cutoff) == len(old)
    assert [e["id"] for e in store.list_requests()] == new
    assert store.prune_requests(before=cutoff, keep=1) == 2
    assert [e["id"] for e in store.list_requests()] == new[-1:]


def test_nothing_to_prune_deletes_nothing(store: Store) -> None:
    assert store.prune_requests() == 0
    assert store.prune_requests(keep=10, before=iso(datetime.now(UTC))) == 0
    ids = _entries(store, 3)
    assert store.prune_requests(keep=3) == 0
    assert [e["id"] for e in store.list_requests()] == ids


def test_pruning_in_chunks_lets_writers_through(
    shared_store: SharedStores, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, writer = shared_store(), shared_store()
    module = type(store).__module__
    monkeypatch.setattr(f"{module}.PRUNE_CHUNK", 50)
    _entries(store, 1000, age=timedelta(days=2))
    written: list[float] = []
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            with writer.transaction() as tx:
                tx.set_meta("beat", str(len(written)))
            written.append(time.monotonic())
            time.sleep(0.001)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        started = time.monotonic()
        assert store.prune_requests(before=iso(datetime.now(UTC) - timedelta(days=1))) == 1000
        ended = time.monotonic()
    finally:
        stop.set()
        thread.join()
    during = [t for t in written if started <= t <= ended]
    assert during, "no write got through while 20 chunks were deleted"
    assert store.list_requests() == []


def test_the_pruner_thread_prunes_at_start_and_on_its_interval(store: Store) -> None:
    _entries(store, 6, age=timedelta(hours=2))
    pruner = JournalPruner(store, max_age=3600, interval=0.05).start()
    try:
        deadline = time.monotonic() + 5
        while pruner.pruned < 6 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert pruner.pruned == 6
        _entries(store, 2, age=timedelta(hours=3))
        while pruner.pruned < 8 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert pruner.pruned == 8 and pruner.runs >= 2
    finally:
        pruner.stop()
    assert store.list_requests() == []


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90.0), ("15m", 900.0), ("12h", 43200.0), ("7d", 604800.0), ("1.5h", 5400.0), ("2w", 1209600.0)],
)
def test_durations_read_seconds_or_a_unit(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["a week", "7 days", "-1d", "d", "nan"])
def test_a_malformed_duration_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)


def test_retention_settings_come_from_env_config_and_flags(tmp_path: object) -> None:
    env = {"LOYAPRO_MOCK_JOURNAL_RETENTION": "7d", "LOYAPRO_MOCK_JOURNAL_MAX": "1000"}
    settings = Settings.resolve(env=env)
    assert (settings.journal_retention, settings.journal_max) == (604800.0, 1000)
    flagged = Settings.resolve(env=env, journal_retention="12h", journal_max=0)
    assert (flagged.journal_retention, flagged.journal_max) == (43200.0, None)
    assert Settings.resolve(env={}).journal_retention is None
    with pytest.raises(SettingsError, match="LOYAPRO_MOCK_JOURNAL_RETENTION: 'soon' is not a duration"):
        Settings.resolve(env={"LOYAPRO_MOCK_JOURNAL_RETENTION": "soon"})
    with pytest.raises(SettingsError, match="journal_max must be 0"):
        Settings.resolve(env={"LOYAPRO_MOCK_JOURNAL_MAX": "-3"})
