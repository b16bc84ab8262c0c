"""Journal entries: what a POS sent, what the mock answered, the verdict and every violation.

Each violation carries its ``severity``: ``error`` (the request broke the contract or a
business rule) or ``warning`` (accepted, but a certification check fails it).

Every request outside ``/__admin/`` becomes one entry, stored with the store's
``record_request`` and read back by ``GET /__admin/requests`` and by certification. A call a
fault rule fired on also carries ``fault`` (`mockserver.http.pipeline.traffic`); one whose
answer never left (a reset connection, a hang) has ``status`` 0 and is ``rejected``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from loyapro_mock.mockserver.domain.clock import iso
from loyapro_mock.mockserver.domain.problem_codes import CONTRACT_CODES
from loyapro_mock.mockserver.domain.violations import ERROR
from loyapro_mock.mockserver.http.keys import Call
from loyapro_mock.mockserver.http.problems import violation_dicts

__all__ = [
    "RAW_BODY_LIMIT",
    "VERDICTS",
    "build_entry",
    "entry_violations",
    "merge_violations",
    "utc_now_iso",
    "verdict_for",
]

VERDICTS = ("accepted", "rejected")
RAW_BODY_LIMIT = 64 * 1024


def utc_now_iso() -> str:
    """The real current time as journal entries carry it (the store's fixed-width format)."""
    return iso(datetime.now(UTC))


def verdict_for(status: int) -> str:
    """``accepted`` for an answer below 400, ``rejected`` otherwise (and for none: status 0)."""
    return "accepted" if 0 < status < 400 else "rejected"


def _request_body(call: Call) -> Any:
    if call.body is not None:
        if call.raw_body is not None and len(call.raw_body) <= RAW_BODY_LIMIT:
            # The bytes the body was parsed from: valid JSON, stored without encoding the
            # parsed objects again (reads back equal to `call.body`).
            return orjson.Fragment(call.raw_body)
        return call.body
    if call.raw_body is None:
        return None
    text = call.raw_body[:RAW_BODY_LIMIT].decode("utf-8", errors="replace")
    if len(call.raw_body) > RAW_BODY_LIMIT:
        text += f"... ({len(call.raw_body)} bytes)"
    return text


def merge_violations(*groups: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Concatenate violation dicts, dropping repeats (same pointer, rule and message)."""
    seen: set[tuple[Any, Any, Any]] = set()
    out: list[dict[str, Any]] = []
    for group in groups:
        for item in group:
            key = (item.get("pointer"), item.get("rule"), item.get("message"))
            if key not in seen:
                seen.add(key)
                out.append(dict(item))
    return out


def entry_violations(call: Call, status: int) -> list[dict[str, Any]]:
    """Every violation the request showed: pipeline findings, problem errors, lenient ones,
    warnings; each with its ``severity`` (``error`` unless it says otherwise)."""
    data = call.response_data if isinstance(call.response_data, dict) else {}
    listed: list[dict[str, Any]] = []
    if status >= 400:
        errors = data.get("errors")
        if isinstance(errors, list):
            listed = [e for e in errors if isinstance(e, dict)]
        elif data.get("code") in CONTRACT_CODES:  # the request broke the contract: a violation
            listed = [
                {
                    "pointer": "",
                    "message": str(data.get("detail", "")),
                    "rule": str(data["code"]),
                    "severity": ERROR,
                }
            ]
    else:
        found = data.get("violations")
        if isinstance(found, list):
            listed = [v for v in found if isinstance(v, dict)]
    merged = merge_violations(violation_dicts(call.violations), listed)
    for item in merged:
        item.setdefault("severity", ERROR)
    return merged


def build_entry(
    call: Call,
    *,
    received_at: str,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    status: int,
    duration_ms: float,
) -> dict[str, Any]:
    """Assemble the journal entry of one finished request."""
    operation = call.operation.operation_id if call.operation is not None else None
    return {
        "received_at": received_at,
        "pos": call.pos_name,
        "operation": operation,
        "method": method,
        "path": path,
        "status": status,
        "verdict": verdict_for(status),
        "duration_ms": round(duration_ms, 3),
        "request": {
            "query": query,
            "headers": {str(k): v for k, v in headers.items()},
            "body": _request_body(call),
        },
        "response": {"status": status, "body": call.response_data},
        "violations": entry_violations(call, status),
        **({"fault": call.fault} if call.fault is not None else {}),
    }
