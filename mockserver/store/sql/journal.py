"""The journal as every backend stores and queries it: indexed columns beside the whole entry.

A journal entry is kept as one JSON text (``entry``) plus the columns the journal is
filtered by (``received_at, pos, operation, verdict, session``). It is pruned in chunks of
the oldest rows, each a statement of its own, so writers wait for it only briefly.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from loyapro_mock.mockserver.domain.clock import iso, parse_iso
from loyapro_mock.mockserver.domain.records import Row
from loyapro_mock.mockserver.store.sql.statements import select_sql, where_equal

__all__ = [
    "KEEP_SQL",
    "PRUNE_PAUSE",
    "delete_in_chunks",
    "journal_entries",
    "journal_query",
    "journal_row",
    "prune_conditions",
]

#: The id of the newest entry past the ``keep`` newest ones (the last one ``keep`` deletes).
KEEP_SQL = "SELECT id FROM journal ORDER BY id DESC LIMIT 1 OFFSET ?"
#: Seconds the pruning pauses between two chunks, so that waiting writers get the lock.
PRUNE_PAUSE = 0.002

_ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def _json_default(value: Any) -> Any:
    as_dict = getattr(value, "as_dict", None)
    if callable(as_dict):
        return as_dict()
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", "replace")
    return str(value)


def _received_at(value: Any) -> str:
    if isinstance(value, str) and _ISO_UTC.fullmatch(value):
        return value  # already the store's format (what the server's journal sends)
    try:
        return iso(parse_iso(value)) if value else iso(datetime.now(UTC))
    except (TypeError, ValueError):
        return iso(datetime.now(UTC))


def journal_row(entry: Row) -> tuple[Any, ...]:
    """``(received_at, pos, operation, verdict, session, entry)`` of a journal entry; its
    ``received_at`` in the store's format (now, when absent or unreadable)."""
    data = {k: v for k, v in entry.items() if k != "id"}
    data["received_at"] = _received_at(data.get("received_at"))
    blob = orjson.dumps(data, default=_json_default, option=orjson.OPT_NON_STR_KEYS)
    return (
        data["received_at"],
        data.get("pos"),
        data.get("operation"),
        data.get("verdict"),
        data.get("session"),
        blob.decode(),
    )


def journal_query(
    pos: str | None,
    operation: str | None,
    verdict: str | None,
    since: str | None,
    session: str | None,
    limit: int,
) -> tuple[str, list[Any]]:
    """The SELECT of `Store.list_requests` and its parameters (``id, entry`` per row).

    Raises ValueError for a ``since`` that is neither digits nor an ISO-8601 instant.
    """
    clauses: list[str] = []
    params: list[Any] = []
    where_equal(
        (("pos", pos), ("operation", operation), ("verdict", verdict), ("session", session)), clauses, params
    )
    if since is not None:
        text = str(since).strip()
        if text.isdigit():
            clauses.append("id >= ?")
            params.append(int(text))
        else:
            clauses.append("received_at >= ?")
            params.append(iso(parse_iso(text)))
    params.append(max(1, int(limit)))
    return select_sql("id, entry", "journal", clauses, "ORDER BY id LIMIT ?"), params


def journal_entries(rows: Sequence[Row]) -> list[Row]:
    """The entries of `journal_query`'s rows (their ``entry`` decoded), each with its ``id``."""
    return [{"id": row["id"], **row["entry"]} for row in rows]


def prune_conditions(cutoff: int | None, before: str | None) -> list[tuple[str, Any]]:
    """The conditions of `Store.prune_requests`: ids up to ``cutoff`` (from `KEEP_SQL`),
    entries received before ``before`` (an ISO-8601 instant; ValueError when it is not)."""
    conditions: list[tuple[str, Any]] = []
    if cutoff is not None:
        conditions.append(("id <= ?", cutoff))
    if before is not None:
        conditions.append(("received_at < ?", iso(parse_iso(before))))
    return conditions


def delete_in_chunks(
    delete: Callable[[str, Sequence[Any]], int], conditions: Sequence[tuple[str, Any]], chunk: int
) -> int:
    """Delete the journal rows each condition matches, oldest first, ``chunk`` rows per call of
    ``delete(sql, params)`` (which runs the statement and returns its row count); how many."""
    deleted = 0
    for condition, bound in conditions:
        sql = (
            f"DELETE FROM journal WHERE id IN (SELECT id FROM journal WHERE {condition} ORDER BY id LIMIT ?)"
        )
        while True:
            count = delete(sql, (bound, chunk))
            deleted += count
            if count < chunk:
                break
            time.sleep(PRUNE_PAUSE)
    return deleted
