"""Outbound certification: the reference POS passes every check; each faulty POS fails
exactly the checks meant to catch its bug."""

from __future__ import annotations

import pytest
from faulty_pos import FAULTY_BACKENDS, SearchIgnoresFilter, UpsertIgnoresUpdates

from loyapro_mock.contracts.findings import Finding, Outcome
from loyapro_mock.contracts.harness import REFERENCE_POS_TOKEN, running_pos
from loyapro_mock.contracts.outbound import OUTBOUND, certify_pos
from loyapro_mock.contracts.reference_pos import PosBackend
from loyapro_mock.contracts.registry import failed_checks
from loyapro_mock.contracts.runner import build_report

#: Every test runs the outbound certification, schemathesis fuzzing a POS API over HTTP.
pytestmark = pytest.mark.slow

MAX_EXAMPLES = 5


def certify(backend: PosBackend | None) -> list[Finding]:
    with running_pos(backend) as pos:
        return certify_pos(pos.url, REFERENCE_POS_TOKEN, max_examples=MAX_EXAMPLES, seed=7)


@pytest.fixture(scope="module")
def reference_findings() -> list[Finding]:
    return certify(None)


def test_reference_pos_passes_every_outbound_check(reference_findings: list[Finding]) -> None:
    assert [f.check for f in reference_findings] == OUTBOUND.names()
    assert {f.check: f.outcome for f in reference_findings} == dict.fromkeys(OUTBOUND.names(), Outcome.PASS)


def test_conformance_checks_report_how_many_requests_they_made(
    reference_findings: list[Finding],
) -> None:
    by_name = {f.check: f for f in reference_findings}
    # positive + negative generated cases plus the probe with undeclared query parameters
    assert by_name["products.no_server_errors"].received.endswith("generated requests, none failed")
    assert int(by_name["products.no_server_errors"].received.split()[0]) > MAX_EXAMPLES


@pytest.mark.parametrize("backend", FAULTY_BACKENDS, ids=lambda cls: cls.__name__)
def test_faulty_pos_fails_exactly_the_checks_meant_to_catch_it(backend: type[PosBackend]) -> None:
    findings = certify(backend())
    failed = failed_checks(findings)
    assert failed >= backend.CAUGHT_BY  # type: ignore[attr-defined]
    assert failed - backend.CAUGHT_BY <= getattr(backend, "MAY_CATCH", frozenset())  # type: ignore[attr-defined]
    for finding in findings:
        if finding.check in backend.CAUGHT_BY:  # type: ignore[attr-defined]
            assert finding.outcome is Outcome.FAIL
            assert finding.evidence, "a failure names its evidence"
            assert finding.reproduce.startswith("curl "), "a failure says how to reproduce it"


@pytest.mark.parametrize(
    ("backend", "check"),
    [
        (SearchIgnoresFilter, "customers.search_by_mobile_excludes_others"),
        (UpsertIgnoresUpdates, "customers.push_updates_existing"),
    ],
    ids=["search-ignores-filter", "upsert-ignores-updates"],
)
def test_a_pos_that_answers_well_but_ignores_its_input_is_not_signed_off(
    backend: type[PosBackend], check: str
) -> None:
    report = build_report(certify(backend()), pos_name="faulty", scope=["outbound"])
    assert not report.signed_off and report.exit_code() == 1
    [finding] = [f for f in report.findings if f.check == check]
    assert finding.outcome is Outcome.FAIL


def test_a_pos_that_earlier_runs_filled_still_passes_every_check() -> None:
    with running_pos() as pos:
        for seed in (7, 8, 7):
            findings = certify_pos(pos.url, REFERENCE_POS_TOKEN, max_examples=1, seed=seed)
            assert failed_checks(findings) == set(), seed


def test_unreachable_pos_fails_instead_of_passing() -> None:
    findings = certify_pos("http://127.0.0.1:9", None, max_examples=1, seed=1)
    assert not any(f.outcome is Outcome.PASS for f in findings)
    assert {f.outcome for f in findings} <= {Outcome.FAIL, Outcome.NOT_EXERCISED}
