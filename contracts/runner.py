"""Assemble certification reports: findings plus what the sign-off page says around them."""

from __future__ import annotations

from datetime import UTC, datetime

from loyapro_mock.contracts.findings import Finding, Report
from loyapro_mock.contracts.requirements import REQUIREMENTS
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
) -> Report:
    """A report of ``findings`` with the limitations that apply to the parts that ran."""
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
    )
