"""The `loyapro` pytest plugin, exercised with pytester."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from faulty_pos import ArabicSearchFails

from loyapro_mock.contracts.harness import REFERENCE_POS_TOKEN, running_pos
from loyapro_mock.contracts.outbound import OUTBOUND
from loyapro_mock.contracts.requirements import REQUIREMENTS
from loyapro_mock.openapi import example_path

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _user_project_ini(pytester: pytest.Pytester) -> None:
    """The user's project settles pytest-asyncio's loop scope, as its own config would."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def test_loyapro_mock_fixture_serves_the_mock_and_resets_it_between_tests(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        f"""
        import json
        import requests

        ORDER = json.load(open({str(example_path("order"))!r}, encoding="utf-8"))

        def test_an_order_is_journaled(loyapro_mock):
            response = requests.post(
                loyapro_mock.webhook_url("order"), json=ORDER, headers=loyapro_mock.headers()
            )
            assert response.status_code == 200
            assert [e["operation"] for e in loyapro_mock.journal()] == ["order"]

        def test_the_journal_starts_empty_in_the_next_test(loyapro_mock):
            assert loyapro_mock.journal() == []
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def _certify(pytester: pytest.Pytester, url: str, *options: str) -> pytest.RunResult:
    """Run pytest with the plugin certifying the POS API at ``url`` (three examples each)."""
    return pytester.runpytest(
        "-p",
        "no:cacheprovider",
        f"--loyapro-pos-url={url}",
        f"--loyapro-pos-token={REFERENCE_POS_TOKEN}",
        "--loyapro-max-examples=3",
        *options,
    )


@pytest.mark.slow  # schemathesis fuzzes the POS API
def test_pos_url_option_runs_the_outbound_certification_as_test_items(pytester: pytest.Pytester) -> None:
    with running_pos() as pos:
        result = _certify(pytester, pos.url, "--junitxml=certification.xml")
    inbound = [item.id for item in REQUIREMENTS if item.id not in {"POS-01", "POS-02", "POS-09"}]
    result.assert_outcomes(passed=len(OUTBOUND), skipped=len(inbound))
    # only part of the catalogue was graded: incomplete, as `certify pos` says, never exit 0
    assert result.ret == 2
    result.stdout.fnmatch_lines(
        ["*LoyaPro certification*", f"INCOMPLETE - not graded: {', '.join(inbound)}*"]
    )
    root = ET.parse(pytester.path / "certification.xml").getroot()
    names = [case.get("name") for case in root.iter("testcase")]
    assert names == [f"{spec.name}[{spec.requirement}]" for spec in OUTBOUND] + [
        f"not_graded[{requirement_id}]" for requirement_id in inbound
    ]
    properties = {item.get("name"): item.get("value") for item in root.iter("property")}
    assert properties["loyapro_verdict"] == "incomplete" and properties["loyapro_exit_code"] == "2"


@pytest.mark.slow  # schemathesis fuzzes the POS API
def test_allow_incomplete_exits_0_but_still_says_incomplete(pytester: pytest.Pytester) -> None:
    with running_pos() as pos:
        result = _certify(pytester, pos.url, "--loyapro-allow-incomplete")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*LoyaPro certification*", "INCOMPLETE - not graded: *"])


@pytest.mark.slow  # schemathesis fuzzes the POS API
def test_allow_incomplete_keeps_a_failure_a_failure(pytester: pytest.Pytester) -> None:
    with running_pos(ArabicSearchFails()) as pos:
        result = _certify(pytester, pos.url, "--loyapro-allow-incomplete")
    assert result.ret == 1


@pytest.mark.slow  # schemathesis fuzzes the POS API
def test_a_failing_check_fails_its_item_with_expected_and_received(pytester: pytest.Pytester) -> None:
    with running_pos(ArabicSearchFails()) as pos:
        result = _certify(pytester, pos.url)
    result.assert_outcomes(passed=len(OUTBOUND) - 1, failed=1, skipped=len(REQUIREMENTS) - 3)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "*POS-02 customers.findable_by_arabic_name*",
            "*expected: The pushed customer is among the results*",
            "*received: the pushed customer*was not found by GET /customers?name=*",
            "NOT SIGNED OFF - failed: POS-02 customers.findable_by_arabic_name*",
        ]
    )


def test_without_the_option_no_certification_item_is_added(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
