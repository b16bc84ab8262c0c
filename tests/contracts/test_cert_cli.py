"""`loyapro-mock certify start | report | pos` and `loyapro-mock demo`, through click."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from faulty_amounts import SendsNetPricesAsGross
from faulty_drivers import NeverSendsVoids
from faulty_pos import PushDuplicates

from loyapro_mock.cli.certify import certify_group
from loyapro_mock.cli.demo import demo
from loyapro_mock.contracts.driver import Driver
from loyapro_mock.contracts.harness import REFERENCE_POS_TOKEN, RunningMock, running_pos
from loyapro_mock.contracts.mock_admin import MockAdmin
from loyapro_mock.contracts.reference_pos.backend import default_catalogue
from loyapro_mock.contracts.serving import BackgroundServer
from loyapro_mock.contracts.session import CertSession


@pytest.fixture(scope="module")
def pos() -> Iterator[BackgroundServer]:
    """The reference POS (its Product API lists the 23 products of its café menu)."""
    with running_pos() as server:
        yield server


def _start(mock: RunningMock, directory: Path, *options: str) -> CertSession:
    args = ["start", "--mock-url", mock.url, "--dir", str(directory), "--pos-version", "9.1", *options]
    result = CliRunner().invoke(certify_group, args)
    assert result.exit_code == 0, result.output
    session_id = result.output.split()[1]
    assert f"certify report --session {session_id}" in result.output
    return CertSession.load(directory / session_id)


def _start_with_pos(mock: RunningMock, pos: BackgroundServer, directory: Path) -> CertSession:
    return _start(mock, directory, "--pos-url", pos.url, "--pos-token", REFERENCE_POS_TOKEN)


def test_start_writes_the_session_and_the_cashier_checklist(mock: RunningMock, tmp_path: Path) -> None:
    session = _start(mock, tmp_path)
    folder = tmp_path / session.id
    assert sorted(p.name for p in folder.iterdir()) == ["checklist.json", "checklist.md", "session.json"]
    assert [r.kind for r in session.rewards] == ["products", "percentage", "fixed_amount"]
    markdown = (folder / "checklist.md").read_text("utf-8")
    for reward in session.rewards:
        assert f"`{reward.code}`" in markdown
    assert session.customer.international in markdown
    steps = json.loads((folder / "checklist.json").read_text("utf-8"))["steps"]
    assert [step["id"] for step in steps] == [step_id for step_id, _ in Driver(session, "t").steps()]


def test_start_installs_fault_rules_scoped_to_the_resilience_customer_and_codes(
    mock: RunningMock, tmp_path: Path
) -> None:
    session = _start(mock, tmp_path)
    plan = session.resilience
    assert plan is not None and plan.customer.mobile != session.customer.mobile
    held = {rule["id"]: rule for rule in MockAdmin(mock.url).faults()["rules"]}
    roles = ("lost_answer", "rate_limited", "redeem_error")
    lost, limited, failed = (held[plan.rules[role]] for role in roles)
    assert (lost["action"], lost["then"], lost["customer_mobile"], lost["order_status"], lost["nth"]) == (
        "commit_then_fail",
        "reset",
        plan.customer.mobile,
        "Paid",
        1,
    )
    assert (limited["operation"], limited["reward_code"], limited["status"], limited["retry_after"]) == (
        "reward",
        plan.code,
        429,
        1,
    )
    assert (failed["operation"], failed["reward_code"], failed["then"], failed["status"]) == (
        "redeem",
        plan.code,
        "error",
        502,
    )
    markdown = (tmp_path / session.id / "checklist.md").read_text("utf-8")
    assert "## Resilience steps" in markdown and f"`{plan.refused_code}`" in markdown
    assert "(`retry-lost-answer`)" in markdown


def test_start_without_resilience_installs_no_rule_and_says_it_cannot_sign_off(
    mock: RunningMock, tmp_path: Path
) -> None:
    before = len(MockAdmin(mock.url).faults()["rules"])
    result = CliRunner().invoke(
        certify_group, ["start", "--mock-url", mock.url, "--dir", str(tmp_path), "--no-resilience"]
    )
    assert result.exit_code == 0, result.output
    assert "RES-01 to RES-05 will be not graded, so the session cannot sign off" in result.output
    assert len(MockAdmin(mock.url).faults()["rules"]) == before


def test_report_without_pos_url_passes_the_session_but_is_incomplete_without_the_pos_api(
    mock: RunningMock, pos: BackgroundServer, tmp_path: Path
) -> None:
    session = _start_with_pos(mock, pos, tmp_path)
    Driver(session, mock.token()).run()
    result = CliRunner().invoke(certify_group, ["report", "--session", session.id, "--dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "INCOMPLETE - not graded: POS-01, POS-02, POS-09" in " ".join(result.output.split())
    report = json.loads((tmp_path / session.id / "certification.json").read_text("utf-8"))
    assert report["pos"] == {"name": "foodics", "version": "9.1"}
    assert report["summary"]["fail"] == 0 and report["summary"]["not_exercised"] == 0
    assert report["verdict"] == "incomplete" and report["session_id"] == session.id
    assert report["mock_url"] == mock.url
    assert [item["requirement"] for item in report["not_graded"]] == ["POS-01", "POS-02", "POS-09"]
    assert result.stderr.startswith(f"loyapro-mock [ 0.0 s] grading session {session.id}")
    assert "loyapro-mock [" not in result.stdout


@pytest.mark.slow  # schemathesis fuzzes the POS API
def test_report_with_pos_url_grades_the_whole_catalogue_and_signs_off_with_exit_0(
    mock: RunningMock, pos: BackgroundServer, tmp_path: Path
) -> None:
    session = _start_with_pos(mock, pos, tmp_path)
    Driver(session, mock.token()).run()
    args = ["report", "--session", session.id, "--dir", str(tmp_path), "--pos-url", pos.url]
    result = CliRunner().invoke(certify_group, [*args, "--pos-token", REFERENCE_POS_TOKEN])
    assert result.exit_code == 0, result.output
    assert "SIGNED OFF - every requirement of the catalogue" in " ".join(result.output.split())
    report = json.loads((tmp_path / session.id / "certification.json").read_text("utf-8"))
    assert report["verdict"] == "signed_off" and report["not_graded"] == []


def test_report_exits_1_and_names_the_failed_check(mock: RunningMock, tmp_path: Path) -> None:
    session = _start(mock, tmp_path)
    NeverSendsVoids(session, mock.token()).run()
    result = CliRunner().invoke(certify_group, ["report", "--session", session.id, "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "FAIL POS-04 orders.void_sent" in result.output


def test_report_of_an_unknown_session_says_how_to_start_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(certify_group, ["report", "--session", "cert-nope", "--dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "run `certify start` first" in result.output


@pytest.mark.slow  # every outbound check with its default examples against the reference POS
def test_pos_command_grades_the_pos_api_and_says_the_session_requirements_are_not_graded(
    tmp_path: Path,
) -> None:
    with running_pos() as pos:
        args = ["pos", "--base-url", pos.url, "--token", REFERENCE_POS_TOKEN, "--max-examples", "3"]
        result = CliRunner().invoke(certify_group, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert "INCOMPLETE - not graded: POS-03, POS-04, POS-05" in output
    assert "SIGNED OFF -" not in output.replace("NOT SIGNED OFF", "")
    report = json.loads((tmp_path / "certification.json").read_text("utf-8"))
    assert report["summary"]["fail"] == 0 and report["summary"]["not_exercised"] == 0
    assert report["verdict"] == "incomplete" and report["exit_code"] == 2
    # progress goes to stderr, one line per step when it is not a terminal; stdout is the report
    steps = [line.split("] ", 1)[1] for line in result.stderr.splitlines()]
    assert steps[:4] == [
        "loading schemathesis and the pos-partner contract",
        "customer round trips: push customers and decoys, search them, push again renamed",
        "product round trips: walk the Product API's pages",
        "refusals: invalid parameters, no token and a wrong token on every operation",
    ]
    assert steps[4].startswith("schemathesis 1/3: GET /products (3 positive and 3 negative requests)")
    assert "schemathesis stateful run: push generated customers, then search each" in steps
    assert "loyapro-mock [" not in result.stdout
    outbound = {"POS-01", "POS-02", "POS-09"}
    assert {item["status"] for item in report["requirements"] if item["id"] in outbound} == {"pass"}


@pytest.mark.slow  # schemathesis fuzzes the POS API
def test_pos_command_exits_1_on_a_faulty_pos(tmp_path: Path) -> None:
    with running_pos(PushDuplicates()) as pos:
        args = ["pos", "--base-url", pos.url, "--token", REFERENCE_POS_TOKEN, "--max-examples", "3"]
        result = CliRunner().invoke(certify_group, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "FAIL POS-01 customers.push_idempotent" in result.output


@pytest.mark.slow  # the whole certification, outbound fuzzing included
def test_demo_prints_a_passing_report_and_writes_the_three_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(demo, ["--out", str(tmp_path), "--max-examples", "3"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "SIGNED OFF - every requirement of the catalogue" in output
    assert "0 failed, 0 not exercised, 0 requirements not graded" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "certification.html",
        "certification.json",
        "certification.junit.xml",
    ]
    report = json.loads((tmp_path / "certification.json").read_text("utf-8"))
    assert report["signed_off"] is True
    assert {f["requirement"] for f in report["findings"]} == {r["id"] for r in report["requirements"]}


def test_start_falls_back_to_any_product_when_the_mock_does_not_know_the_pos_products(
    mock: RunningMock, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        certify_group,
        ["start", "--mock-url", mock.url, "--dir", str(tmp_path), "--product-id", "not-in-the-mock"],
    )
    assert result.exit_code == 0, result.output
    session = CertSession.load(tmp_path / result.output.split()[1])
    assert session.reward("products").allowed_products == ()
    assert "not-in-the-mock" in session.notes[0]


def test_start_with_pos_url_loads_the_pos_catalogue_into_the_mock_and_the_session(
    mock: RunningMock, pos: BackgroundServer, tmp_path: Path
) -> None:
    args = ["start", "--mock-url", mock.url, "--dir", str(tmp_path), "--pos-url", pos.url]
    result = CliRunner().invoke(certify_group, [*args, "--pos-token", REFERENCE_POS_TOKEN])
    assert result.exit_code == 0, result.output
    assert (
        f"prices are graded against the POS's Product API at {pos.url} (23 products, prices "
        "tax-inclusive): orders.prices_match_catalogue"
    ) in result.output
    session = CertSession.load(tmp_path / result.output.split()[1])
    assert [(p.id, p.price) for p in session.catalogue] == [
        (p["id"], p["price"]) for p in default_catalogue()
    ]
    # the mock knows the POS's products: the free-product reward allows three of them
    assert session.reward("products").allowed_products == ("prd-0001", "prd-0002", "prd-0003")
    assert session.notes == []


def test_start_without_pos_url_says_prices_will_not_be_graded(mock: RunningMock, tmp_path: Path) -> None:
    result = CliRunner().invoke(certify_group, ["start", "--mock-url", mock.url, "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (
        "prices are graded against no catalogue: orders.prices_match_catalogue will be not exercised; "
        "pass --pos-url"
    ) in result.output
    assert "rewards.amount_matches_terms will be not exercised" in result.output


def test_a_session_without_catalogue_reports_prices_as_not_exercised(
    mock: RunningMock, tmp_path: Path
) -> None:
    session = _start(mock, tmp_path)
    Driver(session, mock.token()).run()
    result = CliRunner().invoke(certify_group, ["report", "--session", session.id, "--dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    report = json.loads((tmp_path / session.id / "certification.json").read_text("utf-8"))
    not_exercised = {f["check"] for f in report["findings"] if f["outcome"] == "not_exercised"}
    assert not_exercised == {"orders.prices_match_catalogue", "rewards.amount_matches_terms"}


def test_report_fails_net_prices_sent_as_prices_after_tax(
    mock: RunningMock, pos: BackgroundServer, tmp_path: Path
) -> None:
    session = _start_with_pos(mock, pos, tmp_path)
    SendsNetPricesAsGross(session, mock.token()).run()
    result = CliRunner().invoke(certify_group, ["report", "--session", session.id, "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "FAIL ORD-05 orders.prices_match_catalogue" in result.output


def test_start_exits_non_zero_when_the_pos_refuses_the_token(
    mock: RunningMock, pos: BackgroundServer, tmp_path: Path
) -> None:
    args = ["start", "--mock-url", mock.url, "--dir", str(tmp_path), "--pos-url", pos.url]
    missing = CliRunner().invoke(certify_group, args)
    assert missing.exit_code == 1
    assert "the POS answered 401 to GET /products: pass its token with --pos-token" in missing.output
    wrong = CliRunner().invoke(certify_group, [*args, "--pos-token", "not-the-token"])
    assert wrong.exit_code == 1
    assert (
        "the POS answered 401 to GET /products: it refused the token given with --pos-token" in wrong.output
    )
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []


def test_start_exits_non_zero_when_the_pos_cannot_be_reached(mock: RunningMock, tmp_path: Path) -> None:
    args = ["start", "--mock-url", mock.url, "--dir", str(tmp_path), "--pos-url", "http://127.0.0.1:9"]
    result = CliRunner().invoke(certify_group, args)
    assert result.exit_code == 1
    assert "cannot reach the POS at http://127.0.0.1:9: connection refused" in result.output


@pytest.mark.parametrize("command", [[], ["report"], ["pos"]])
def test_help_documents_the_exit_codes_of_the_verdicts(command: list[str]) -> None:
    text = " ".join(CliRunner().invoke(certify_group, [*command, "--help"]).output.split())
    assert "0 SIGNED OFF every requirement graded, every check passed" in text
    assert "1 NOT SIGNED OFF a check failed" in text
    assert "2 INCOMPLETE nothing failed, but requirements were not graded" in text
