"""Outbound certification: what the POS exposes to LoyaPro (``openapi/pos-partner.yaml``)."""

from __future__ import annotations

from collections.abc import Callable

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
    """Call the POS: round trips first (on a clean POS), then schemathesis on every operation
    and a schemathesis stateful run (push generated customers, follow the link to search them).

    The round trips push customers of the run (decoys and a refused push included), walk
    the product pages and send the parameters and credentials the contract refuses.
    ``progress`` is told each step (the round trips, each schemathesis operation, the
    stateful run).
    """
    step = progress or _silent
    evidence = OutboundEvidence(base_url=base_url.rstrip("/"))
    client = PosClient(evidence.base_url, token)
    step("customer round trips: push customers and decoys, search them, push again renamed")
    run_customer_round_trips(client, evidence, seed)
    step("product round trips: walk the Product API's pages")
    run_product_round_trips(client, evidence)
    step("refusals: invalid parameters, no token and a wrong token on every operation")
    run_credential_probes(client, evidence, seed)
    if fuzz:
        evidence.conformance = run_conformance(
            evidence.base_url, token, max_examples=max_examples, progress=step
        )
        step("schemathesis stateful run: push generated customers, then search each")
        stateful = run_stateful(evidence.base_url, token)
        evidence.stateful, evidence.stateful_error = stateful.steps, stateful.error
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
