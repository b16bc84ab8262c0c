"""Inbound checks on every webhook call: the body follows the contract, the headers are there."""

from __future__ import annotations

from collections import Counter

from loyapro_mock.contracts.findings import Verdict
from loyapro_mock.contracts.inbound.evidence import INBOUND, InboundEvidence, JournalEntry
from loyapro_mock.contracts.inbound.support import cite, reproduce, schema_violations


@INBOUND.check(
    "requests.valid",
    requirement="WHK-01",
    area="Contract",
    action="Every order, reward lookup and redeem call of the session",
    expected="Each body is JSON and matches the operation's schema in loyapro-pos.yaml",
)
def requests_valid(evidence: InboundEvidence) -> Verdict:
    """Every webhook body validates against the spec (business rules are graded elsewhere)."""
    calls = evidence.webhooks()
    if not calls:
        return Verdict.not_exercised("the POS made no webhook call during the session")
    broken: list[tuple[JournalEntry, str]] = []
    for entry in calls:
        violations = schema_violations(entry)
        if violations:
            first = violations[0]
            text = f"{first.pointer or '/'}: {first.message}"
            if len(violations) > 1:
                text += f" (+{len(violations) - 1} more)"
            broken.append((entry, text))
    if broken:
        entry, text = broken[0]
        return Verdict.failed(
            f"{len(broken)} of {len(calls)} calls break the schema; first, journal #{entry.id}: {text}",
            [item for entry, text in broken for item in cite([entry], text)],
            reproduce(evidence, entry),
        )
    return Verdict.passed(f"all {len(calls)} calls match the schema", cite(calls[:5]))


def _sent(entry: JournalEntry, name: str) -> str:
    value = entry.headers.get(name.lower())
    return f"'{name}: {value}'" if value is not None else f"no {name} header"


def _header_check(evidence: InboundEvidence, name: str, wanted: str) -> Verdict:
    calls = evidence.webhooks()
    if not calls:
        return Verdict.not_exercised("the POS made no webhook call during the session")
    missing = [entry for entry in calls if wanted not in entry.headers.get(name.lower(), "").lower()]
    if missing:
        sent = Counter(_sent(entry, name) for entry in missing)
        what = ", ".join(f"{count} sent {text}" for text, count in sorted(sent.items()))
        return Verdict.failed(
            f"{len(missing)} of {len(calls)} calls lack '{name}: {wanted}': {what} "
            f"(first: journal #{missing[0].id})",
            cite(missing, _sent(missing[0], name)),
            reproduce(evidence, missing[0]),
        )
    return Verdict.passed(f"'{name}: {wanted}' on all {len(calls)} calls", cite(calls[:3]))


@INBOUND.check(
    "headers.accept",
    requirement="HDR-01",
    area="Headers",
    action="Every webhook call of the session",
    expected="An 'Accept' header naming application/json",
)
def accept_header(evidence: InboundEvidence) -> Verdict:
    """Every call says it accepts JSON."""
    return _header_check(evidence, "Accept", "application/json")


@INBOUND.check(
    "headers.content_type",
    requirement="HDR-02",
    area="Headers",
    action="Every webhook call of the session",
    expected="A 'Content-Type: application/json' header",
)
def content_type_header(evidence: InboundEvidence) -> Verdict:
    """Every call declares a JSON body."""
    return _header_check(evidence, "Content-Type", "application/json")
