"""The check registry and the findings model."""

from __future__ import annotations

import pytest

from loyapro_mock.contracts.findings import Finding, Outcome, Report, Verdict, journal
from loyapro_mock.contracts.inbound import INBOUND
from loyapro_mock.contracts.outbound import OUTBOUND
from loyapro_mock.contracts.registry import CheckSpec, DuplicateCheckError, Registry
from loyapro_mock.contracts.requirements import REQUIREMENTS, requirement


def _registry() -> Registry[int]:
    registry: Registry[int] = Registry("test")

    @registry.check("even", requirement="POS-01", area="A", action="act", expected="even")
    def even(value: int) -> Verdict:
        if value % 2:
            return Verdict.failed(f"{value} is odd", [journal(value)], "echo reproduce")
        return Verdict.passed(f"{value} is even")

    return registry


def test_registry_refuses_a_second_check_with_the_same_name() -> None:
    registry = _registry()
    with pytest.raises(DuplicateCheckError, match="'even' already exists"):
        registry.add(CheckSpec("even", "POS-01", "A", "act", "x", lambda value: Verdict.passed("")))


def test_registry_refuses_a_check_for_an_unknown_requirement() -> None:
    with pytest.raises(KeyError, match="POS-99"):
        _registry().add(CheckSpec("odd", "POS-99", "A", "act", "x", lambda value: Verdict.passed("")))


def test_running_a_check_adds_its_description_to_the_verdict() -> None:
    [finding] = _registry().run(3)
    assert finding == Finding(
        requirement="POS-01",
        check="even",
        area="A",
        action="act",
        expected="even",
        received="3 is odd",
        outcome=Outcome.FAIL,
        evidence=(journal(3),),
        reproduce="echo reproduce",
    )


def test_a_check_that_crashes_fails_and_says_why() -> None:
    registry: Registry[int] = Registry("test")
    registry.add(CheckSpec("boom", "POS-01", "A", "act", "x", lambda value: Verdict.passed(str(1 / value))))
    [finding] = registry.run(0)
    assert finding.outcome is Outcome.FAIL
    assert "ZeroDivisionError" in finding.received


def test_run_can_select_checks_by_name_and_rejects_unknown_names() -> None:
    registry = _registry()
    assert [f.check for f in registry.run(2, only=["even"])] == ["even"]
    with pytest.raises(KeyError, match="nope"):
        registry.run(2, only=["nope"])


def test_every_requirement_in_the_catalogue_is_graded_by_at_least_one_check() -> None:
    graded = {spec.requirement for spec in INBOUND} | {spec.requirement for spec in OUTBOUND}
    assert graded == {item.id for item in REQUIREMENTS}


def test_the_catalogue_covers_the_docs_lists() -> None:
    ids = [item.id for item in REQUIREMENTS]
    assert [i for i in ids if i.startswith("POS-")] == [f"POS-{n:02d}" for n in range(1, 10)]
    assert [i for i in ids if i.startswith("ORD-")] == [f"ORD-{n:02d}" for n in range(1, 13)]
    assert requirement("HDR-01").quote.endswith("Accept: application/json")
    assert len(set(ids)) == len(ids)


def _report(*outcomes: Outcome) -> Report:
    findings = [
        Finding("POS-01", f"c{i}", "A", "act", "exp", "got", outcome) for i, outcome in enumerate(outcomes)
    ]
    return Report("POS", "1", "spec 1", "2024-01-01T00:00:00Z", findings)


def test_not_exercised_is_never_a_pass() -> None:
    report = _report(Outcome.PASS, Outcome.NOT_EXERCISED)
    assert not report.signed_off
    assert report.exit_code() == 2
    assert [f.check for f in report.failures()] == ["c1"]


def test_any_failure_gives_exit_code_1() -> None:
    assert _report(Outcome.PASS, Outcome.NOT_EXERCISED, Outcome.FAIL).exit_code() == 1


def test_all_passed_is_incomplete_while_requirements_are_not_graded_and_an_empty_report_too() -> None:
    assert _report(Outcome.PASS, Outcome.PASS).exit_code() == 2
    assert _report(Outcome.PASS, Outcome.PASS).not_graded() == [
        item.id for item in REQUIREMENTS if item.id != "POS-01"
    ]
    assert _report().exit_code() == 2
    assert _report(Outcome.PASS).counts() == {Outcome.PASS: 1, Outcome.FAIL: 0, Outcome.NOT_EXERCISED: 0}


def test_the_runner_knows_which_part_grades_each_requirement_of_the_catalogue() -> None:
    from loyapro_mock.contracts.runner import OUTBOUND_REQUIREMENTS, scope_of

    assert {spec.requirement for spec in OUTBOUND} == OUTBOUND_REQUIREMENTS
    catalogue = {item.id for item in REQUIREMENTS}
    assert {spec.requirement for spec in INBOUND} == catalogue - OUTBOUND_REQUIREMENTS
    assert {scope_of(item.id) for item in REQUIREMENTS} == {"inbound", "outbound"}
