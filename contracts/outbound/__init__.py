"""Outbound certification: what the POS exposes to LoyaPro (``openapi/pos-partner.yaml``)."""

from __future__ import annotations

from collections.abc import Callable

from loyapro_mock.contracts.defaults import DEFAULT_MAX_EXAMPLES
from loyapro_mock.contracts.findings import Finding
from loyapro_mock.contracts.outbound.checks import OUTBOUND
from loyapro_mock.contracts.outbound.evidence import OutboundEvidence
from loyapro_mock.contracts.outbound.fuzz import run_conformance
from loyapro_mock.contracts.outbound.probes import (
    PosClient,
    run_customer_round_trips,
    run_product_round_trips,
)

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "OUTBOUND",
    "OutboundEvidence",
    "Progress",
    "certify_pos",
    "collect_outbound_evidence",
]

#: Told what the certification is doing now, one short sentence per step (for a progress line).
Progress = Callable[[str], None]


def _silent(message: str) -> None:
    """The progress callback of a caller that asked for none."""


def collect_outbound_evidence(
    base_url: str,
    token: str | None = None,
    *,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int | None = None,
    fuzz: bool = True,
    progress: Progress | None = None,
) -> OutboundEvidence:
    """Call the POS: round trips first (on a clean POS), then schemathesis on every operation.

    ``progress`` is told each step (the round trips, then each schemathesis operation).
    """
    step = progress or _silent
    evidence = OutboundEvidence(base_url=base_url.rstrip("/"))
    client = PosClient(evidence.base_url, token)
    step("customer round trips: push a customer, search it, push it again")
    run_customer_round_trips(client, evidence, seed)
    step("product round trips: walk the Product API's pages")
    run_product_round_trips(client, evidence)
    if fuzz:
        evidence.conformance = run_conformance(
            evidence.base_url, token, max_examples=max_examples, progress=step
        )
    return evidence


def certify_pos(
    base_url: str,
    token: str | None = None,
    *,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int | None = None,
    progress: Progress | None = None,
) -> list[Finding]:
    """Run the whole outbound certification against the POS at ``base_url``."""
    evidence = collect_outbound_evidence(
        base_url, token, max_examples=max_examples, seed=seed, progress=progress
    )
    (progress or _silent)(f"grading {len(OUTBOUND)} outbound checks")
    return OUTBOUND.run(evidence)
