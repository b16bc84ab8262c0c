"""Session integrity: a scenario played on a mock with an open session leaves the session
intact; a reset, a clock move or a restarted journal during a session is named by the report,
which then cannot sign off, and no other check blames the POS for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from loyapro_mock.contracts.findings import Finding, Outcome
from loyapro_mock.contracts.harness import InboundRun, RunningMock, run_inbound, running_mock
from loyapro_mock.contracts.inbound import collect_inbound_evidence, evaluate_session
from loyapro_mock.contracts.inbound.checks_session import INTEGRITY
from loyapro_mock.contracts.inbound.integrity import read_integrity
from loyapro_mock.contracts.mock_admin import MockAdmin
from loyapro_mock.contracts.reference_pos.backend import default_catalogue
from loyapro_mock.contracts.runner import build_report
from loyapro_mock.fixtures.scenario import list_scenarios, render
from loyapro_mock.fixtures.scenario_runner import run_scenario_sync
from loyapro_mock.mockserver.http.pipeline.auth import issue_token
from loyapro_mock.mockserver.http.settings import DEFAULT_SECRET

CATALOGUE = default_catalogue()


@pytest.fixture
def mock() -> Iterator[RunningMock]:
    """A mock of the test's own: these tests reset it and move its clock."""
    with running_mock() as running:
        yield running


@pytest.fixture
def run(mock: RunningMock) -> InboundRun:
    """The reference POS's session on ``mock``, graded once."""
    return run_inbound(mock, catalogue=CATALOGUE, seed=5)


def _graded(findings: list[Finding]) -> list[tuple[str, Outcome, str]]:
    return [(finding.check, finding.outcome, finding.received) for finding in findings]


def _integrity(findings: list[Finding]) -> Finding:
    return next(finding for finding in findings if finding.check == INTEGRITY)


def test_the_reference_session_passes_the_integrity_check(run: InboundRun) -> None:
    finding = _integrity(run.findings)
    assert finding.outcome is Outcome.PASS
    state_id = run.session.mock_state["state_id"]
    assert finding.received == (
        f"the mock holds the state the session started in (state {state_id}, 0 earlier resets), "
        "and its clock did not move"
    )
    assert finding.requirement == "WHK-01"


def test_shipped_scenarios_played_during_a_session_leave_it_intact(
    mock: RunningMock, run: InboundRun
) -> None:
    admin = MockAdmin(mock.url)
    before = collect_inbound_evidence(run.session, admin)
    codes = {reward.code: admin.reward(reward.code) for reward in run.session.rewards}
    token = issue_token(DEFAULT_SECRET, "scenario")
    played = [name for name in list_scenarios() if not render(name).demo_state]
    assert "stamps-reward-void" in played
    for index, name in enumerate(played):
        scenario = render(name, 0, business_reference=800000001 + index, pos="scenario")
        result = run_scenario_sync(scenario, mock.url, token)
        assert result.ok, result.report()
    assert len(admin.journal(pos="scenario")) > 20  # the scenarios did play on this mock
    after = collect_inbound_evidence(run.session, admin)
    assert [entry.id for entry in after.entries] == [entry.id for entry in before.entries]
    assert {reward.code: admin.reward(reward.code) for reward in run.session.rewards} == codes
    assert after.state == before.state
    assert _graded(evaluate_session(run.session, admin)) == _graded(run.findings)


def test_a_reset_during_the_session_fails_it_and_voids_every_other_check(
    mock: RunningMock, run: InboundRun
) -> None:
    admin = MockAdmin(mock.url)
    admin.reset()
    reset_at = admin.health()["state"]["state_since"]
    findings = evaluate_session(run.session, admin)
    finding = _integrity(findings)
    assert finding.outcome is Outcome.FAIL
    assert finding.received.startswith(
        f"the mock was reset during the session (1 reset, the last at {reset_at}): the session's "
        "journal entries and reward codes are gone. This is no fault of the POS"
    )
    others = [f for f in findings if f.check != INTEGRITY]
    assert others and all(f.outcome is Outcome.NOT_EXERCISED for f in others)
    assert all(f.received.startswith("not graded: the mock was reset during the session") for f in others)
    assert not any("the POS sent no" in f.received or "the POS made no" in f.received for f in findings)
    report = build_report(findings, pos_name="reference", scope=["inbound"])
    assert not report.signed_off and report.exit_code() == 1
    assert [f.check for f in report.findings if f.outcome is Outcome.FAIL] == [INTEGRITY]


def test_a_clock_move_during_the_session_is_named_with_when(mock: RunningMock, run: InboundRun) -> None:
    admin = MockAdmin(mock.url)
    admin._call("POST", "/__admin/clock", json={"advance_seconds": 3600})
    moved_at = admin.health()["state"]["clock_moved_at"]
    findings = evaluate_session(run.session, admin)
    finding = _integrity(findings)
    assert finding.outcome is Outcome.FAIL
    assert finding.received.startswith(
        f"the mock's clock was moved 3600 s forward during the session (1 time, last at {moved_at})"
    )
    # the journal and the state are still the session's: the other checks grade as before
    graded = {check: outcome for check, outcome, _ in _graded(findings) if check != INTEGRITY}
    assert graded == {check: outcome for check, outcome, _ in _graded(run.findings) if check != INTEGRITY}
    assert build_report(findings, pos_name="reference", scope=["inbound"]).exit_code() == 1


def test_a_mock_restarted_on_an_empty_store_is_named(run: InboundRun) -> None:
    with running_mock() as restarted:  # what `serve --db :memory:` is after a restart
        # the new journal fills again, from id 1, with calls of the session's POS name
        scenario = render("stamps-reward-void", 0, business_reference=800000009, pos=run.session.pos_name)
        assert run_scenario_sync(scenario, restarted.url, restarted.token()).ok
        assert len(MockAdmin(restarted.url).journal(since_id=run.session.since_id)) > 10
        run.session.mock_url = restarted.url
        findings = evaluate_session(run.session, MockAdmin(restarted.url))
    finding = _integrity(findings)
    assert finding.outcome is Outcome.FAIL
    assert "the mock holds another state than the session started in" in finding.received
    assert "no reset counted): it restarted on an empty store" in finding.received
    assert all(f.outcome is Outcome.NOT_EXERCISED for f in findings if f.check != INTEGRITY)


def test_a_journal_below_the_session_start_is_a_restart() -> None:
    marker = {"state_id": "a1", "reset_count": 0, "clock_offset_seconds": 0.0, "clock_moves": 0}
    integrity = read_integrity(marker, marker, since_id=40, newest_id=12)
    assert [d.kind for d in integrity.disturbances] == ["journal"]
    assert integrity.summary() == (
        "the mock's journal restarted: its newest entry is #12, but the session began after entry #39"
    )
    assert integrity.evidence_lost
    assert read_integrity(marker, marker, since_id=40, newest_id=39).disturbances == ()


def test_a_session_without_a_marker_is_not_graded_for_integrity() -> None:
    now = {"state_id": "b2", "reset_count": 0, "clock_offset_seconds": 0.0, "clock_moves": 0}
    integrity = read_integrity({}, now, since_id=1, newest_id=None)
    assert not integrity.graded and integrity.disturbances == ()
    assert integrity.reason.startswith("the session recorded no state marker of the mock")
    # a journal that restarted is still told without one
    assert [d.kind for d in read_integrity({}, now, since_id=9, newest_id=2).disturbances] == ["journal"]
