"""Outbound certification: what the POS exposes to LoyaPro (``openapi/pos-partner.yaml``)."""

from __future__ import annotations

from loyapro_mock.contracts.defaults import DEFAULT_MAX_EXAMPLES
from loyapro_mock.contracts.findings import Finding
from loyapro_mock.contracts.outbound import (  # noqa: F401  (importing them registers the checks)
    customer_checks,
    product_checks,
    security_checks,
    stateful_checks,
)
from loyapro_mock.contracts.outbound.checks import OUTBOUND
from loyapro_mock.contracts.outbound.evidence import OutboundEvidence
from loyapro_mock.contracts.outbound.fuzz import run_conformance
from loyapro_mock.contracts.outbound.probes import (
    PosClient,
    run_credential_probes,
    run_customer_round_trips,
    run_product_round_trips,
)
from loyapro_mock.contracts.outbound.stateful import run_stateful

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "OUTBOUND",
    "OutboundEvidence",
    "certify_pos",
    "collect_outbound_evidence",
]


def collect_outbound_evidence(
    base_url: str,
    token: str | None = None,
    *,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int | None = None,
    fuzz: bool = True,
) -> OutboundEvidence:
    """Call the POS: round trips first (on a clean POS), then schemathesis on every operation
    and a schemathesis stateful run (push generated customers, follow the link to search them).

    The round trips push customers of the run (decoys and a refused push included), walk
    the product pages and send the parameters and credentials the contract refuses.
    """
    evidence = OutboundEvidence(base_url=base_url.rstrip("/"))
    client = PosClient(evidence.base_url, token)
    run_customer_round_trips(client, evidence, seed)
    run_product_round_trips(client, evidence)
    run_credential_probes(client, evidence, seed)
    if fuzz:
        evidence.conformance = run_conformance(evidence.base_url, token, max_examples=max_examples)
        stateful = run_stateful(evidence.base_url, token)
        evidence.stateful, evidence.stateful_error = stateful.steps, stateful.error
    return evidence


def certify_pos(
    base_url: str,
    token: str | None = None,
    *,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int | None = None,
) -> list[Finding]:
    """Run the whole outbound certification against the POS at ``base_url``."""
    evidence = collect_outbound_evidence(base_url, token, max_examples=max_examples, seed=seed)
    return OUTBOUND.run(evidence)
