"""Assemble certification reports: findings plus what the sign-off page says around them."""

from __future__ import annotations

from datetime import UTC, datetime

from loyapro_mock.contracts.findings import Finding, Report
from loyapro_mock.contracts.reports import tool_version
from loyapro_mock.contracts.requirements import REQUIREMENTS, RESILIENCE
from loyapro_mock.openapi import load_spec

_ORDER = {item.id: index for index, item in enumerate(REQUIREMENTS)}

INBOUND_LIMITATIONS = (
    "The cashier's screen is not observed: that the POS shows the reward's kind (POS-06) and "
    "lets the cashier choose (POS-07) is graded from the calls it makes (a lookup before each "
    "redeem, the chosen product in the redeem), not from its user interface.",
    "Inbound checks read the mock's journal from the session's first entry on, for the "
    "session's POS name; another client using the same POS name on the same mock during the "
    "session would be graded with it.",
    "Money identities are checked to 0.01 after rounding to 5 decimals, as the contract states.",
)
OUTBOUND_LIMITATIONS = (
    "Contract conformance of the POS's API is sampled by schemathesis (a bounded number of "
    "generated requests per operation, derandomized): a pass means no failure was found, "
    "not that none exists.",
    "The round trips push one uniquely named customer and read the product list three times "
    "(twice with small pages, once with large ones); they leave that customer in the POS.",
)


#: The requirements graded from the POS's own API; every other one is graded from a session.
OUTBOUND_REQUIREMENTS = frozenset({"POS-01", "POS-02", "POS-09"})

#: What grades each part of the catalogue, said to a reader of a run that did not include it.
SCOPE_HINTS = {
    "inbound": "graded from a certification session: `certify start`, the cashier checklist, "
    "then `certify report`",
    "outbound": "graded from the POS's own API: `certify pos`, or `certify report --pos-url`",
}


def scope_of(requirement_id: str) -> str:
    """``"outbound"`` for a requirement graded from the POS's API, else ``"inbound"``."""
    return "outbound" if requirement_id in OUTBOUND_REQUIREMENTS else "inbound"


def not_graded_reasons(findings: list[Finding], scope: list[str]) -> dict[str, str]:
    """Why each requirement without a finding was not graded, by id, for a run of ``scope``."""
    graded = {finding.requirement for finding in findings}
    reasons = {}
    for item in REQUIREMENTS:
        if item.id in graded:
            continue
        part = scope_of(item.id)
        if part in scope and item.group == RESILIENCE:
            reasons[item.id] = (
                "the session had no resilience steps (started with --no-resilience, or by an "
                "earlier version): start a new session with `certify start`"
            )
        elif part in scope:
            reasons[item.id] = f"no {part} check graded it in this run"
        else:
            reasons[item.id] = f"outside this run's scope; {SCOPE_HINTS[part]}"
    return reasons


def spec_versions(scope: list[str]) -> str:
    """``loyapro-pos 1.0.0, pos-partner 1.0.0``: the contract versions the run graded against."""
    names = []
    if "inbound" in scope:
        names.append("loyapro-pos")
    if "outbound" in scope:
        names.append("pos-partner")
    return ", ".join(f"{name} {load_spec(name)['info']['version']}" for name in names)


def build_report(
    findings: list[Finding],
    *,
    pos_name: str,
    pos_version: str = "",
    scope: list[str],
    generated_at: str | None = None,
    extra_limitations: list[str] | None = None,
    session_id: str = "",
    mock_url: str = "",
) -> Report:
    """A report of ``findings`` with the limitations that apply to the parts that ran.

    Requirements the findings do not grade stay in the report as not graded, with the
    reason (outside ``scope``, or no check of the run graded them).
    """
    limitations: list[str] = []
    if "inbound" in scope:
        limitations += INBOUND_LIMITATIONS
    if "outbound" in scope:
        limitations += OUTBOUND_LIMITATIONS
    limitations += extra_limitations or []
    return Report(
        pos_name=pos_name,
        pos_version=pos_version or "unspecified",
        spec_version=spec_versions(scope),
        generated_at=generated_at or datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        findings=sorted(findings, key=lambda finding: _ORDER[finding.requirement]),
        limitations=limitations,
        scope=list(scope),
        not_graded_reasons=not_graded_reasons(findings, scope),
        session_id=session_id,
        mock_url=mock_url,
        tool_version=tool_version(),
    )
