"""The verdict of a whole run: a session the POS did not perform is incomplete, never a
failure and never a sign-off; a session performed in part fails what it left out."""

from __future__ import annotations

from collections.abc import Callable

from loyapro_mock.contracts.driver import Driver
from loyapro_mock.contracts.findings import Outcome, SignOff
from loyapro_mock.contracts.harness import InboundRun, RunningMock, run_inbound
from loyapro_mock.contracts.reference_pos.backend import default_catalogue
from loyapro_mock.contracts.runner import build_report

CATALOGUE = default_catalogue()


class DoesNothing(Driver):
    """The cashier never performed the checklist."""

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        return []


class SkipsTheRewardSteps(Driver):
    """Performs the order steps only: no code is looked up or redeemed."""

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        return [(step_id, step) for step_id, step in super().steps() if not step_id.startswith("reward-")]


class NeverRedeemsFixedAmount(Driver):
    """Redeems the products and percentage codes but has no fixed-amount redemption."""

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        return [(step_id, step) for step_id, step in super().steps() if step_id != "reward-fixed-amount"]


def _outcome(run: InboundRun, check: str) -> Outcome:
    return next(finding.outcome for finding in run.findings if finding.check == check)


def test_an_untouched_session_is_incomplete_not_a_failure(mock: RunningMock) -> None:
    run = run_inbound(mock, driver=DoesNothing, catalogue=CATALOGUE, seed=51)
    report = build_report(run.findings, pos_name="POS", scope=["inbound"])
    assert report.counts()[Outcome.FAIL] == 0
    assert report.verdict is SignOff.INCOMPLETE and report.exit_code() == 2
    assert _outcome(run, "rewards.all_kinds_redeemed") is Outcome.NOT_EXERCISED
    assert "the POS sent no redeem of a session reward code" in next(
        f.received for f in run.findings if f.check == "rewards.all_kinds_redeemed"
    )


def test_a_session_whose_reward_steps_were_not_performed_is_incomplete(mock: RunningMock) -> None:
    run = run_inbound(mock, driver=SkipsTheRewardSteps, catalogue=CATALOGUE, seed=52)
    assert _outcome(run, "rewards.all_kinds_redeemed") is Outcome.NOT_EXERCISED
    assert _outcome(run, "orders.void_sent") is Outcome.PASS
    report = build_report(run.findings, pos_name="POS", scope=["inbound"])
    assert report.verdict is SignOff.INCOMPLETE
    assert "not exercised: 11 checks of POS-05, POS-06, POS-07, POS-08, ORD-10" in report.verdict_reason()


def test_a_kind_left_unredeemed_in_a_performed_session_fails(mock: RunningMock) -> None:
    run = run_inbound(mock, driver=NeverRedeemsFixedAmount, catalogue=CATALOGUE, seed=53)
    finding = next(f for f in run.findings if f.check == "rewards.all_kinds_redeemed")
    assert finding.outcome is Outcome.FAIL
    assert "no successful redeem of the fixed_amount code" in finding.received
    report = build_report(run.findings, pos_name="POS", scope=["inbound", "outbound"])
    assert report.verdict is SignOff.NOT_SIGNED_OFF and report.exit_code() == 1
