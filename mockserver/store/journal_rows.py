"""The journal's rows as every backend stores them: indexed columns beside the whole entry.

A journal entry is kept as one JSON text (``entry``) plus the columns the journal is
filtered by (``received_at, pos, operation, verdict, session``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import orjson

from loyapro_mock.mockserver.domain.clock import iso, parse_iso
from loyapro_mock.mockserver.domain.records import Row

__all__ = ["journal_row"]

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
