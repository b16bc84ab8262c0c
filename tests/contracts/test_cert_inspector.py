"""`certify start` registers its session with the mock, whose inspector ticks the checklist's
steps as the POS performs them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from click.testing import CliRunner
from faulty_drivers import NeverSendsVoids

from loyapro_mock.cli.certify import certify_group
from loyapro_mock.contracts.checklist import build_checklist
from loyapro_mock.contracts.driver import Driver
from loyapro_mock.contracts.harness import RunningMock
from loyapro_mock.contracts.session import CertSession
from loyapro_mock.contracts.step_matchers import step_matchers


def _start(mock: RunningMock, directory: Path) -> tuple[CertSession, str]:
    result = CliRunner().invoke(certify_group, ["start", "--mock-url", mock.url, "--dir", str(directory)])
    assert result.exit_code == 0, result.output
    return CertSession.load(directory / result.output.split()[1]), result.output


def _progress(mock: RunningMock, session: CertSession) -> dict[str, Any]:
    response = requests.get(f"{mock.url}/__admin/sessions/{session.id}", timeout=10)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_every_checklist_step_has_matchers() -> None:
    session = CertSession.from_dict(
        {
            "id": "cert-x",
            "mock_url": "http://127.0.0.1:1",
            "pos_name": "foodics",
            "business_reference": 440810,
            "branch_id": "b",
            "created_at": "2026-01-01T00:00:00Z",
            "customers": [{"name": "A", "name_localized": "ا", "dial_code": 966, "mobile": "512345678"}],
            "rewards": [
                {"code": f"C-{kind}", "kind": kind, "customer_mobile": "512345678", "discount_amount": 10}
                for kind in ("products", "percentage", "fixed_amount")
            ],
        }
    )
    matchers = step_matchers(session)
    assert [step.id for step in build_checklist(session)] == list(matchers)
    assert all(matchers[step_id] for step_id in matchers)


def test_start_registers_the_session_with_the_mock_and_says_where_to_follow_it(
    mock: RunningMock, tmp_path: Path
) -> None:
    session, output = _start(mock, tmp_path)
    assert f"follow it live: {mock.url}/__admin/ui#sessions" in output
    progress = _progress(mock, session)
    assert (progress["pos_name"], progress["since_id"]) == (session.pos_name, session.since_id)
    assert [step["id"] for step in progress["steps"]] == [step.id for step in build_checklist(session)]
    assert progress["progress"] == {"done": 0, "total": len(progress["steps"])}


def test_the_reference_pos_ticks_every_step(mock: RunningMock, tmp_path: Path) -> None:
    session, _ = _start(mock, tmp_path)
    Driver(session, mock.token()).run()
    progress = _progress(mock, session)
    assert [step["id"] for step in progress["steps"] if not step["done"]] == []
    assert progress["verdict"]["state"] == "all steps seen"
    assert progress["verdict"]["refused"] == 0


def test_a_pos_that_never_sends_voids_leaves_that_step_unticked(mock: RunningMock, tmp_path: Path) -> None:
    session, _ = _start(mock, tmp_path)
    NeverSendsVoids(session, mock.token()).run()
    progress = _progress(mock, session)
    assert [step["id"] for step in progress["steps"] if not step["done"]] == ["order-void"]
    assert progress["verdict"]["state"] == "in progress"
