"""The journal's batches: written after a short delay, in the next group commit when given one."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from loyapro_mock.mockserver.http.journal_writer import JournalWriter
from loyapro_mock.mockserver.store.group_commit import GroupCommit
from loyapro_mock.mockserver.store.sqlite.store import SqliteStore

DELAY = 0.01


def entry(n: int) -> dict[str, Any]:
    return {
        "received_at": None,
        "pos": "foodics",
        "operation": "order",
        "verdict": "accepted",
        "status": 200,
        "path": f"/pos/1.0.0/foodics/order?n={n}",
    }


def paths(store: SqliteStore) -> list[str]:
    return [e["path"] for e in store.list_requests()]


async def test_a_batch_is_written_after_the_delay_and_flush_writes_at_once(file_store: SqliteStore) -> None:
    writer = JournalWriter(file_store, delay=DELAY)
    writer.add(entry(1))
    writer.add(entry(2))
    assert writer.pending == 2
    assert paths(file_store) == []
    await asyncio.sleep(DELAY * 5)
    assert writer.pending == 0
    assert paths(file_store) == [entry(1)["path"], entry(2)["path"]]
    writer.add(entry(3))
    writer.flush()
    assert paths(file_store)[-1] == entry(3)["path"]


async def test_with_a_group_commit_the_batch_joins_the_next_group(file_store: SqliteStore) -> None:
    group = GroupCommit(file_store)
    writer = JournalWriter(file_store, delay=DELAY, defer=group.defer)
    writer.add(entry(1))
    await asyncio.sleep(DELAY * 5)
    assert writer.pending == 0
    assert paths(file_store) == [entry(1)["path"]]
    assert (group.groups, group.grouped) == (1, 1)


async def test_a_full_batch_goes_at_once_into_the_same_group_as_a_webhook(file_store: SqliteStore) -> None:
    group = GroupCommit(file_store)
    writer = JournalWriter(file_store, delay=60, max_pending=3, defer=group.defer)

    def change() -> str:
        with file_store.transaction() as tx:
            tx.set_meta("k", "v")
        return "done"

    write = asyncio.ensure_future(group.write(change))
    await asyncio.sleep(0)  # the write is queued; its group has not run yet
    for n in range(3):
        writer.add(entry(n))
    assert writer.pending == 0  # the third entry handed the batch over, without the timer
    assert await write == "done"
    assert (group.groups, group.grouped) == (1, 2)
    assert paths(file_store) == [entry(n)["path"] for n in range(3)]


async def test_a_batch_that_cannot_be_written_is_logged_not_raised(
    file_store: SqliteStore, caplog: pytest.LogCaptureFixture
) -> None:
    group = GroupCommit(file_store)
    writer = JournalWriter(file_store, delay=DELAY, defer=group.defer)
    writer.add({"received_at": "not a date", "pos": object()})  # no journal row can hold this
    with caplog.at_level(logging.ERROR, logger="mockserver"):
        await asyncio.sleep(DELAY * 5)
    assert "could not journal 1 request(s)" in caplog.text
    assert paths(file_store) == []
    writer.add(entry(9))
    writer.flush()
    assert paths(file_store) == [entry(9)["path"]]
