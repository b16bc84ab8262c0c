"""The ``loyapro_faults`` fixture of the pytest plugin, exercised with pytester."""

from __future__ import annotations

import pytest

from loyapro_mock.openapi import example_path

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _user_project_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def test_loyapro_faults_injects_rules_for_one_test_and_journals_them(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import json
        import requests

        ORDER = json.load(open({str(example_path("order"))!r}, encoding="utf-8"))

        def test_a_lost_answer_is_retried_with_the_same_id(loyapro_mock, loyapro_faults):
            rule = loyapro_faults.add(
                "commit_then_fail", operation="order", order_status="Paid", nth=1, then="error"
            )
            url, headers = loyapro_mock.webhook_url("order"), loyapro_mock.headers()
            first = requests.post(url, json=ORDER, headers=headers)
            assert first.status_code == 503
            retry = requests.post(url, json=ORDER, headers=headers)
            assert retry.json()["duplicate"] is True
            assert [e["rule"] for e in loyapro_faults.injected()] == [rule["id"]]
            assert loyapro_mock.journal()[0]["fault"]["committed"] is True

        def test_a_rate_limit_for_one_test(loyapro_mock, loyapro_faults):
            loyapro_faults.rate_limit("1/min")
            url, headers = loyapro_mock.webhook_url("order"), loyapro_mock.headers()
            statuses = [requests.post(url, json=ORDER, headers=headers).status_code for _ in range(2)]
            assert statuses == [200, 429]

        def test_the_next_test_starts_without_them(loyapro_mock, loyapro_faults):
            assert [r["source"] for r in loyapro_faults.rules()] == ["demo"]
            url, headers = loyapro_mock.webhook_url("order"), loyapro_mock.headers()
            statuses = {{requests.post(url, json=ORDER, headers=headers).status_code for _ in range(3)}}
            assert statuses == {{200}}
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
