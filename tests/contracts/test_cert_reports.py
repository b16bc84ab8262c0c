"""Report writers: HTML sign-off, JUnit XML, JSON and the terminal summary."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from rich.console import Console

from loyapro_mock.contracts.findings import Finding, Outcome, Report, journal, pos_call
from loyapro_mock.contracts.reports import print_report, render_html, render_json, render_junit, write_all

HOSTILE = '<script>alert("x")</script> & "quotes"'


def _report() -> Report:
    return Report(
        pos_name="Acme POS <beta>",
        pos_version="4.2.0",
        spec_version="loyapro-pos 1.0.0",
        generated_at="2024-05-01T10:00:00Z",
        findings=[
            Finding(
                "POS-04",
                "orders.void_sent",
                "Orders",
                "Void an order",
                "status 7",
                "3 voids",
                Outcome.PASS,
                (journal(12, "order x status 7"),),
            ),
            Finding(
                "POS-04",
                "orders.refund_sent",
                "Orders",
                "Refund an order",
                "status 5",
                HOSTILE,
                Outcome.FAIL,
                (journal(13, HOSTILE),),
                "curl -X POST 'http://x' --data '<b>'",
            ),
            Finding(
                "POS-09",
                "products.stable_ids",
                "Product API",
                "Walk twice",
                "same ids",
                "no products",
                Outcome.NOT_EXERCISED,
                (pos_call("GET /products"),),
            ),
        ],
        limitations=["Only what the journal shows is graded."],
        scope=["inbound"],
    )


def test_html_shows_the_sign_off_facts_and_escapes_every_value() -> None:
    page = render_html(_report(), tool_version="0.1.0")
    for fact in (
        "Acme POS &lt;beta&gt;",
        "4.2.0",
        "2024-05-01T10:00:00Z",
        "loyapro-pos 1.0.0",
        "Only what the journal shows is graded.",
        "Not signed off",
    ):
        assert fact in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    assert "--data &#x27;&lt;b&gt;&#x27;" in page


def test_html_shows_not_exercised_as_its_own_outcome_not_as_a_pass() -> None:
    page = render_html(_report())
    assert '<span class="badge not_exercised">NOT EXERCISED</span>' in page
    assert page.count('<span class="badge pass">PASS</span>') == 1


def test_html_is_self_contained() -> None:
    page = render_html(_report())
    assert "<link" not in page and "<script" not in page and "src=" not in page
    assert "<style>" in page


def test_junit_has_one_testcase_per_check_and_fails_not_exercised() -> None:
    root = ET.fromstring(render_junit(_report()))
    cases = root.findall(".//testcase")
    assert [case.get("name") for case in cases] == [
        "orders.void_sent",
        "orders.refund_sent",
        "products.stable_ids",
    ]
    assert cases[0].find("failure") is None
    assert cases[1].find("failure").get("type") == "fail"  # type: ignore[union-attr]
    assert cases[2].find("failure").get("type") == "not_exercised"  # type: ignore[union-attr]
    assert root.get("tests") == "3" and root.get("failures") == "2"
    assert [suite.get("name") for suite in root.findall("testsuite")] == ["POS-04", "POS-09"]


def test_json_round_trips_findings_and_names_the_requirements_used() -> None:
    document = json.loads(render_json(_report()))
    assert document["signed_off"] is False
    assert document["summary"] == {"pass": 1, "fail": 1, "not_exercised": 1}
    assert document["findings"][1]["received"] == HOSTILE
    assert [item["id"] for item in document["requirements"]] == ["POS-04", "POS-09"]
    assert document["findings"][0]["evidence"] == [
        {"kind": "journal", "ref": "#12", "summary": "order x status 7"}
    ]


def test_write_all_writes_three_files(tmp_path: Path) -> None:
    paths = write_all(_report(), tmp_path / "out")
    assert sorted(path.name for path in paths.values()) == [
        "certification.html",
        "certification.json",
        "certification.junit.xml",
    ]
    assert all(path.stat().st_size > 500 for path in paths.values())


def test_terminal_summary_lists_requirements_and_explains_failures() -> None:
    console = Console(record=True, width=120)
    print_report(_report(), console)
    text = console.export_text()
    assert "POS-04" in text and "FAIL orders.refund_sent" in text
    assert "NOT EXERCISED products.stable_ids" in text
    assert "expected: status 5" in text
    assert "NOT SIGNED OFF (1 passed, 1 failed, 1 not exercised)" in text
