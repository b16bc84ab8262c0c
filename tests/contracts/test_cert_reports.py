"""Report writers: HTML sign-off, JUnit XML, JSON and the terminal summary."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from rich.console import Console

from loyapro_mock.contracts.findings import Finding, Outcome, Report, SignOff, journal, pos_call
from loyapro_mock.contracts.reports import print_report, render_html, render_json, render_junit, write_all
from loyapro_mock.contracts.requirements import REQUIREMENTS
from loyapro_mock.contracts.runner import build_report

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
        "NOT SIGNED OFF: failed: POS-04 orders.refund_sent",
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
    graded = [case for case in cases if case.get("name") != "not_graded"]
    assert [case.get("name") for case in graded] == [
        "orders.void_sent",
        "orders.refund_sent",
        "products.stable_ids",
    ]
    assert graded[0].find("failure") is None
    assert graded[1].find("failure").get("type") == "fail"  # type: ignore[union-attr]
    assert graded[2].find("failure").get("type") == "not_exercised"  # type: ignore[union-attr]
    assert root.get("failures") == "2"
    assert root.get("tests") == str(3 + len(REQUIREMENTS) - 2)


def test_json_round_trips_findings_and_names_the_requirements_used() -> None:
    document = json.loads(render_json(_report()))
    assert document["signed_off"] is False
    assert document["verdict"] == "not_signed_off" and document["exit_code"] == 1
    assert document["summary"] == {"pass": 1, "fail": 1, "not_exercised": 1}
    assert document["findings"][1]["received"] == HOSTILE
    assert [item["id"] for item in document["requirements"]] == [item.id for item in REQUIREMENTS]
    status = {item["id"]: item["status"] for item in document["requirements"]}
    assert (status["POS-04"], status["POS-09"], status["POS-01"]) == ("fail", "not_exercised", "not_graded")
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
    assert "POS-04" in text and "FAIL POS-04 orders.refund_sent" in text
    assert "NOT EXERCISED POS-09 products.stable_ids" in text
    assert "expected: status 5" in text
    assert "NOT SIGNED OFF - failed: POS-04 orders.refund_sent (1 passed, 1 failed, 1 not exercised" in text


def _passed(requirement_id: str, check: str) -> Finding:
    return Finding(requirement_id, check, "Area", "act", "exp", "fine", Outcome.PASS)


def _every_requirement_passed() -> list[Finding]:
    return [_passed(item.id, f"check.of_{item.id.lower()}") for item in REQUIREMENTS]


OUTBOUND_ONLY = ["POS-01", "POS-02", "POS-09"]


def _outbound_run() -> Report:
    """What `certify pos` builds for a POS whose API passes every check."""
    findings = [_passed(rid, f"check.of_{rid.lower()}") for rid in OUTBOUND_ONLY]
    return build_report(findings, pos_name="Acme", scope=["outbound"], generated_at="2024-05-01T10:00:00Z")


def _render(report: Report, width: int) -> str:
    console = Console(record=True, width=width, force_terminal=False)
    print_report(report, console)
    return console.export_text()


def test_a_run_that_graded_part_of_the_catalogue_is_incomplete_and_names_what_it_did_not_grade() -> None:
    report = _outbound_run()
    inbound = [item.id for item in REQUIREMENTS if item.id not in OUTBOUND_ONLY]
    assert report.verdict is SignOff.INCOMPLETE and report.exit_code() == 2
    assert report.not_graded() == inbound
    assert "outside this run's scope" in report.not_graded_reason("POS-04")
    assert "certify report" in report.not_graded_reason("POS-04")
    assert report.verdict_reason() == "not graded: " + ", ".join(inbound)


def test_every_report_lists_the_requirements_it_did_not_grade() -> None:
    report = _outbound_run()
    text = _render(report, 120)
    assert "SIGNED OFF -" not in text.replace("NOT SIGNED OFF", "")
    assert "INCOMPLETE - not graded: POS-03, POS-04" in text
    assert "exit code 2" in text
    page = render_html(report)
    assert '<div class="banner incomplete">INCOMPLETE: not graded: POS-03' in page
    assert page.count('<span class="badge not_graded">NOT GRADED</span>') == 2 * (len(REQUIREMENTS) - 3)
    root = ET.fromstring(render_junit(report))
    skipped = {case.get("classname") for case in root.iter("testcase") if case.find("skipped") is not None}
    assert skipped == {f"loyapro.{item.id}" for item in REQUIREMENTS if item.id not in OUTBOUND_ONLY}
    properties = {p.get("name"): p.get("value") for p in root.find("testsuite").iter("property")}  # type: ignore[union-attr]
    assert properties["verdict"] == "incomplete" and properties["exit_code"] == "2"
    document = json.loads(render_json(report))
    assert document["verdict"] == "incomplete" and document["exit_code"] == 2
    assert [item["requirement"] for item in document["not_graded"]] == report.not_graded()


def test_only_every_requirement_graded_and_passed_signs_off_everywhere() -> None:
    report = build_report(_every_requirement_passed(), pos_name="Acme", scope=["inbound", "outbound"])
    assert report.verdict is SignOff.SIGNED_OFF and report.exit_code() == 0
    expected = f"SIGNED OFF - every requirement of the catalogue ({len(REQUIREMENTS)}) graded"
    assert expected in _render(report, 120)
    assert '<div class="banner ok">SIGNED OFF' in render_html(report)
    assert json.loads(render_json(report))["verdict"] == "signed_off"
    root = ET.fromstring(render_junit(report))
    assert root.get("skipped") == "0" and root.get("failures") == "0"


def test_a_failure_is_not_signed_off_even_when_requirements_were_not_graded() -> None:
    findings = [Finding("POS-09", "products.pages_complete", "A", "a", "e", "lost page 2", Outcome.FAIL)]
    report = build_report(findings, pos_name="Acme", scope=["outbound"])
    assert report.verdict is SignOff.NOT_SIGNED_OFF and report.exit_code() == 1
    assert '<div class="banner ko">NOT SIGNED OFF' in render_html(report)


def test_at_80_columns_every_requirement_id_and_verdict_is_whole() -> None:
    findings = _every_requirement_passed()
    findings[3] = Finding(
        "POS-04", "outcomes.order_refund_reverses_every_earning", "A", "a", "e", "r", Outcome.FAIL
    )
    findings[12] = Finding(
        "ORD-01", "session.no_auto_registration_of_businesses", "A", "a", "e", "r", Outcome.NOT_EXERCISED
    )
    report = build_report(findings[1:], pos_name="Acme POS with a long name", scope=["inbound"])
    lines = _render(report, 80).splitlines()
    assert max(len(line) for line in lines) <= 80
    rows = {line.split("│")[1].strip(): line for line in lines if line.startswith("│ ") and line[2:8].strip()}
    for item in REQUIREMENTS:
        assert item.id in rows, f"{item.id} is not whole at 80 columns"
    assert "FAIL" in rows["POS-04"] and "NOT EXERCISED" in rows["ORD-01"]
    assert "NOT GRADED" in rows["POS-01"] and "PASS" in rows["POS-03"]
    text = "\n".join(lines)
    assert "FAIL POS-04 outcomes.order_refund_reverses_every_earning" in text
    assert "NOT EXERCISED ORD-01 session.no_auto_registration_of_businesses" in text
    assert "NOT SIGNED OFF - failed: POS-04" in text


def test_html_shows_the_session_the_mock_the_tool_and_the_contract_versions() -> None:
    report = build_report(
        _every_requirement_passed(),
        pos_name="Acme",
        scope=["inbound", "outbound"],
        session_id="cert-abc123",
        mock_url="http://127.0.0.1:8080",
    )
    page = render_html(report)
    assert "<dt>Session</dt><dd>cert-abc123</dd>" in page
    assert "<dt>Mock LoyaPro</dt><dd>http://127.0.0.1:8080</dd>" in page
    assert f"<dt>loyapro-mock</dt><dd>{report.tool_version}</dd>" in page and report.tool_version
    assert "<dt>Contract versions</dt><dd>loyapro-pos 1.0.0, pos-partner 1.0.0</dd>" in page
    document = json.loads(render_json(report))
    assert (document["session_id"], document["mock_url"]) == ("cert-abc123", "http://127.0.0.1:8080")


def test_progress_off_a_terminal_is_one_plain_line_per_step() -> None:
    from loyapro_mock.cli.progress import progress_on_stderr

    console = Console(record=True, width=80, force_terminal=False)
    with progress_on_stderr(console) as progress:
        progress("customer round trips")
        progress("schemathesis 1/3: GET /products")
    lines = console.export_text().splitlines()
    assert [line.split("] ", 1)[1] for line in lines] == [
        "customer round trips",
        "schemathesis 1/3: GET /products",
    ]
    assert all(line.startswith("loyapro-mock [") for line in lines)


def test_progress_on_a_terminal_is_a_status_line_that_leaves_nothing_behind() -> None:
    from loyapro_mock.cli.progress import progress_on_stderr

    screen = io.StringIO()
    console = Console(file=screen, width=80, force_terminal=True)
    with progress_on_stderr(console) as progress:
        progress("customer round trips")
    written = screen.getvalue()
    assert "customer round trips  (" in written
    assert written.endswith("\x1b[2K")  # the status line is erased when the step is over


def _without_resilience() -> Report:
    """Every documented requirement passed; the resilience steps were never performed."""
    findings = [f for f in _every_requirement_passed() if not f.requirement.startswith("RES-")]
    return build_report(findings, pos_name="Acme", scope=["inbound", "outbound"])


def test_resilience_is_its_own_group_in_every_report() -> None:
    report = build_report(_every_requirement_passed(), pos_name="Acme", scope=["inbound", "outbound"])
    text = _render(report, 120)
    documented, resilience = text.index("LoyaPro's POS documentation"), text.index("Resilience (LoyaPro")
    assert documented < text.index("POS-01") < text.index("ORD-12") < resilience < text.index("RES-01")
    page = render_html(report)
    assert page.count('<tr class="group">') == 2 and page.count('<h3 class="group">') == 2
    assert page.index("Resilience (LoyaPro best practice") < page.index('id="RES-01"')
    root = ET.fromstring(render_junit(report))
    groups = {
        suite.get("name"): {p.get("name"): p.get("value") for p in suite.iter("property")}[
            "requirement_group"
        ]
        for suite in root.iter("testsuite")
    }
    assert {name for name, group in groups.items() if group == "resilience"} == {
        f"RES-0{i}" for i in range(1, 6)
    }
    document = json.loads(render_json(report))
    [_, res] = document["groups"]
    assert (res["group"], res["requirements"], res["status"]["pass"]) == (
        "resilience",
        ["RES-01", "RES-02", "RES-03", "RES-04", "RES-05"],
        5,
    )
    assert {item["id"]: item["group"] for item in document["requirements"]}["RES-03"] == "resilience"
    assert "best practice" in {item["id"]: item["source"] for item in document["requirements"]}["RES-01"]


def test_a_run_without_the_resilience_steps_signs_off_nowhere() -> None:
    report = _without_resilience()
    assert report.verdict is SignOff.INCOMPLETE and report.exit_code() == 2
    reason = "not graded: RES-01, RES-02, RES-03, RES-04, RES-05"
    assert f"INCOMPLETE - {reason}" in _render(report, 120)
    assert f'<div class="banner incomplete">INCOMPLETE: {reason}' in render_html(report)
    document = json.loads(render_json(report))
    assert (document["verdict"], document["signed_off"], document["groups"][1]["status"]["not_graded"]) == (
        "incomplete",
        False,
        5,
    )
    root = ET.fromstring(render_junit(report))
    assert root.get("skipped") == "5"
