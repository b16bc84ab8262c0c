"""Fault injection: rules through the admin API and a ``--faults`` file, matched and fired
deterministically, applied as latency, 5xx, reset, hang or commit-then-fail, and journaled."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from click.testing import CliRunner

from loyapro_mock.cli import main
from loyapro_mock.mockserver.domain import faults
from loyapro_mock.mockserver.domain.errors import DomainError
from loyapro_mock.mockserver.domain.usecases.demo_state import MAGIC_FAULT
from loyapro_mock.mockserver.http.app import create_app
from loyapro_mock.mockserver.http.faults_config import FaultsFileError, load_fault_rules
from loyapro_mock.mockserver.http.settings import Settings
from loyapro_mock.mockserver.store.sqlite.store import SqliteStore

from support.payloads import DOCS_CUSTOMER
from support.webhooks import auth_headers

ORDER_URL = "/pos/1.0.0/foodics/order"
DEMO_RULE = MAGIC_FAULT["id"]


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    test_client: TestClient[Any, Any] = await aiohttp_client(create_app(Settings(db=":memory:")))
    return test_client


def _order(docs_order: dict[str, Any], order_id: str, status: int = 4) -> dict[str, Any]:
    body = {**docs_order, "order": {**docs_order["order"], "id": order_id, "status": status}}
    return body


async def _add(client: TestClient[Any, Any], **rule: Any) -> dict[str, Any]:
    response = await client.post("/__admin/faults", json=rule)
    assert response.status == 201, await response.text()
    added: dict[str, Any] = await response.json()
    return added


async def _points(client: TestClient[Any, Any]) -> float:
    response = await client.get(f"/__admin/customers/{DOCS_CUSTOMER}", params={"business": "440810"})
    return float((await response.json())["balances"]["points"])


async def _journal(client: TestClient[Any, Any]) -> list[dict[str, Any]]:
    response = await client.get("/__admin/requests", params={"operation": "order"})
    return list((await response.json())["requests"])


# -- rules through the admin API ----------------------------------------------------------


async def test_a_rule_is_added_listed_and_deleted(client: TestClient[Any, Any]) -> None:
    added = await _add(client, operation="order", nth=1, action="error")
    assert added == {
        "id": "rule-1",
        "operation": "order",
        "nth": 1,
        "action": "error",
        "status": 503,
        "source": "api",
        "matched": 0,
        "fired": 0,
    }
    listed = await (await client.get("/__admin/faults")).json()
    assert [r["id"] for r in listed["rules"]] == [DEMO_RULE, "rule-1"]
    assert listed["injected"] == []
    deleted = await client.delete("/__admin/faults/rule-1")
    assert (deleted.status, (await deleted.json())["deleted"]["id"]) == (200, "rule-1")
    missing = await client.delete("/__admin/faults/rule-1")
    body = await missing.json()
    assert (missing.status, body["code"]) == (404, "fault_not_found")
    assert DEMO_RULE in body["detail"]
    cleared = await (await client.delete("/__admin/faults")).json()
    assert cleared == {"deleted": 1}
    assert (await (await client.get("/__admin/faults")).json())["rules"] == []


@pytest.mark.parametrize(
    ("rule", "pointer"),
    [
        ({"action": "explode"}, "/action"),
        ({"action": "latency"}, "/latency"),
        ({"action": "error", "status": 404}, "/status"),
        ({"action": "reset", "status": 503}, "/status"),
        ({"action": "error", "nth": 0}, "/nth"),
        ({"action": "latency", "latency": {"uniform": [2, 1]}}, "/latency/uniform"),
        ({"action": "error", "probability": 2}, "/probability"),
    ],
)
async def test_a_rule_that_breaks_the_format_is_a_422_naming_the_field(
    client: TestClient[Any, Any], rule: dict[str, Any], pointer: str
) -> None:
    response = await client.post("/__admin/faults", json=rule)
    body = await response.json()
    assert response.status == 422 and body["code"] == "validation_failed"
    assert pointer in [error["pointer"] for error in body["errors"]]


def test_the_domain_checks_every_field_at_once() -> None:
    with pytest.raises(DomainError) as caught:
        faults.parse_rule({"action": "commit_then_fail", "then": "explode", "colour": "red", "times": 0})
    assert sorted(e.pointer for e in caught.value.errors) == ["/colour", "/then", "/times"]


async def test_a_taken_id_is_refused(client: TestClient[Any, Any]) -> None:
    await _add(client, id="mine", action="reset")
    response = await client.post("/__admin/faults", json={"id": "mine", "action": "reset"})
    assert response.status == 422
    assert "exists already" in (await response.json())["detail"]


# -- what each action does ----------------------------------------------------------------


async def test_an_error_rule_answers_a_5xx_and_applies_nothing(
    client: TestClient[Any, Any], token: str, docs_order: dict[str, Any]
) -> None:
    await _add(client, id="boom", operation="order", action="error", status=503, retry_after=2, times=1)
    before = await _points(client)
    response = await client.post(ORDER_URL, json=_order(docs_order, "e-1"), headers=auth_headers(token))
    body = await response.json()
    assert response.status == 503 and body["code"] == "injected_unavailable"
    assert response.headers["Retry-After"] == "2"
    assert "'boom'" in body["detail"] and "nothing of the call was applied" in body["detail"]
    assert await _points(client) == before
    again = await client.post(ORDER_URL, json=_order(docs_order, "e-1"), headers=auth_headers(token))
    assert (again.status, (await again.json())["duplicate"]) == (200, False)  # times: 1
    assert await _points(client) == before + 20
    first, second = await _journal(client)
    assert first["status"] == 503 and first["verdict"] == "rejected"
    assert first["fault"] == {
        "rule": "boom",
        "action": "error",
        "call": 1,
        "status": 503,
        "committed": False,
    }
    assert "fault" not in second


@pytest.mark.parametrize(
    ("status", "code"), [(500, "injected_internal_error"), (502, "injected_bad_gateway")]
)
async def test_error_rules_answer_the_status_they_name(
    client: TestClient[Any, Any], token: str, docs_order: dict[str, Any], status: int, code: str
) -> None:
    await _add(client, action="error", status=status)
    response = await client.post(ORDER_URL, json=docs_order, headers=auth_headers(token))
    assert (response.status, (await response.json())["code"]) == (status, code)


async def test_an_error_rule_can_answer_as_a_rate_limit(
    client: TestClient[Any, Any], token: str, docs_order: dict[str, Any]
) -> None:
    await _add(client, id="busy", operation="order", action="error", status=429, retry_after=3, nth=1)
    before = await _points(client)
    response = await client.post(ORDER_URL, json=_order(docs_order, "b-1"), headers=auth_headers(token))
    body = await response.json()
    assert (response.status, body["code"], response.headers["Retry-After"]) == (429, "rate_limited", "3")
    assert "'busy'" in body["detail"] and "Wait 3 s" in body["detail"]
    assert await _points(client) == before
    again = await client.post(ORDER_URL, json=_order(docs_order, "b-1"), headers=auth_headers(token))
    assert again.status == 200 and await _points(client) == before + 20


def test_only_an_error_rule_may_answer_429() -> None:
    with pytest.raises(DomainError) as raised:
        faults.parse_rule({"action": "commit_then_fail", "then": "error", "status": 429})
    assert [(e.pointer, e.message) for e in raised.value.errors] == [
        ("/status", "must be one of 500, 502, 503, 504")
    ]


async def test_the_nth_rule_fires_on_that_matching_call_only(
    client: TestClient[Any, Any], token: str, docs_order: dict[str, Any]
) -> None:
    await _add(client, operation="order", order_status="Paid", nth=2, action="error", status=500)
    statuses = []
    for i, status in enumerate((2, 4, 4, 4)):  # an active order does not match
        response = await client.post(
            ORDER_URL, json=_order(docs_order, f"n-{i}", status), headers=auth_headers(token)
        )
        statuses.append(response.status)
    assert statuses == [200, 200, 500, 200]
    [rule] = [r for r in (await (await client.get("/__admin/faults")).json())["rules"] if r["id"] == "rule-1"]
    assert (rule["matched"], rule["fired"]) == (3, 1)


async def test_a_rule_matches_by_pos_and_business(
    client: TestClient[Any, Any], token: str, docs_order: dict[str, Any]
) -> None:
    await _add(client, pos="marn", action="error")
    await _add(client, business="999999", action="error")
    response = await client.post(ORDER_URL, json=docs_order, headers=auth_headers(token))
    assert response.status == 200


async def test_a_rule_matches_by_customer_in_any_spelling_of_the_mobile(
    client: TestClient[Any, Any], token: str, docs_order: dict[str, Any]
) -> None:
    await _add(client, customer_mobile="+966557937530", action="error", status=502)
    other = _order(docs_order, "c-other")
    other["order"]["customer"] = {**other["order"]["customer"], "phone": "501234567"}
    response = await client.post(ORDER_URL, json=other, headers=auth_headers(token))
    assert response.status == 200  # another customer's order
    response = await client.post(ORDER_URL, json=_order(docs_order, "c-docs"), headers=auth_headers(token))
    assert response.status == 502  # the docs' customer: phone 557937530, dial code 966
    lookup = {
        "reward_code": "FIX-7Q2M9K",
        "business_reference": 440810,
        "customer_mobile_number": "0557937530",
        "mobile_country_code": "966",
    }
    response = await client.post("/pos/1.0.0/foodics/reward", json=lookup, headers=auth_headers(token))
    assert response.status == 502
    bad = await client.post("/__admin/faults", json={"customer_mobile": "12", "action": "reset"})
    assert bad.status == 422 and (await bad.json())["errors"][0]["pointer"] == "/customer_mobile"


def _fired_calls(seed: int, calls: int = 40) -> list[int]:
    with SqliteStore(":memory:") as store:
        with store.transaction() as tx:
            faults.add_rule(tx, faults.parse_rule({"action": "error", "probability": 0.3, "seed": seed}))
        fired = []
        for _ in range(calls):
            with store.transaction() as tx:
                injection = faults.decide(tx, faults.CallFacts("order"), "t")
            if injection is not None:
                fired.append(injection.call)
        return fired


def test_a_seeded_probability_fires_on_the_same_calls_every_run() -> None:
    first = _fired_calls(seed=7)
    assert first == _fired_calls(seed=7)
    assert first != _fired_calls(seed=8)
    assert 4 <= len(first) <= 20  # about 30% of 40


def test_a_latency_distribution_is_drawn_from_the_seed() -> None:
    def latencies(seed: int) -> list[float]:
        with SqliteStore(":memory:") as store:
            with store.transaction() as tx:
                rule = faults.parse_rule(
                    {"action": "latency", "latency": {"uniform": [0.1, 0.3]}, "seed": seed}
                )
                faults.add_rule(tx, rule)
            out = []
            for _ in range(5):
                with store.transaction() as tx:
                    injection = faults.decide(tx, faults.CallFacts("reward"), "t")
                assert injection is not None and injection.latency is not None
                out.append(injection.latency)
            return out

    drawn = latencies(3)
    assert drawn == latencies(3) and drawn != latencies(4)
    assert all(0.1 <= x <= 0.3 for x in drawn) and len(set(drawn)) == 5


async def test_a_latency_rule_delays_the_answer(
    client: TestClient[Any, Any], token: str, docs_order: dict[str, Any]
) -> None:
    await _add(client, operation="order", action="latency", latency=0.4)
    started = time.monotonic()
    response = await client.post(ORDER_URL, json=docs_order, headers=auth_headers(token))
    assert response.status == 200
    assert time.monotonic() - started >= 0.4
    [entry] = await _journal(client)
    assert entry["fault"]["latency_seconds"] == 0.4


async def test_a_reset_rule_resets_the_connection_and_applies_nothing(
    client: TestClient[Any, Any], token: str, docs_order: dict[str, Any]
) -> None:
    await _add(client, operation="order", action="reset")
    before = await _points(client)
    with pytest.raises(aiohttp.ClientError):
        await client.post(ORDER_URL, json=docs_order, headers=auth_headers(token))
    assert await _points(client) == before
    [entry] = await _journal(client)
    assert (entry["status"], entry["verdict"]) == (0, "rejected")
    assert entry["fault"]["answered"] is False and entry["fault"]["committed"] is False


async def test_a_hang_rule_sends_nothing_until_the_client_gives_up(
    client: TestClient[Any, Any], token: str, docs_order: dict[str, Any]
) -> None:
    await _add(client, operation="order", action="hang", seconds=30)
    before = await _points(client)
    started = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        await client.post(
            ORDER_URL,
            json=docs_order,
            headers=auth_headers(token),
            timeout=aiohttp.ClientTimeout(total=0.5),
        )
    for _ in range(50):  # the journal entry is written once the mock sees the client gone
        entries = await _journal(client)
        if entries:
            break
        await asyncio.sleep(0.1)
    [entry] = entries
    assert entry["status"] == 0 and entry["fault"]["client_gave_up"] is True
    assert time.monotonic() - started < 10
    assert await _points(client) == before
    response = await client.get(f"/__admin/orders?id={docs_order['order']['id']}")
    assert (await response.json())["orders"] == []  # nothing applied


# -- commit-then-fail: the case of the lost answer ----------------------------------------


@pytest.mark.parametrize("then", ["reset", "error"])
async def test_after_commit_then_fail_the_same_order_id_is_a_duplicate_and_earns_once(
    client: TestClient[Any, Any], token: str, docs_order: dict[str, Any], then: str
) -> None:
    await _add(client, operation="order", order_status="Paid", nth=1, action="commit_then_fail", then=then)
    before = await _points(client)
    order = _order(docs_order, "lost-answer-1")
    if then == "reset":
        with pytest.raises(aiohttp.ClientError):
            await client.post(ORDER_URL, json=order, headers=auth_headers(token))
    else:
        lost = await client.post(ORDER_URL, json=order, headers=auth_headers(token))
        body = await lost.json()
        assert lost.status == 503 and body["code"] == "injected_unavailable"
        assert "applied and committed" in body["detail"]
    assert await _points(client) == before + 20  # committed before the answer was lost
    retry = await client.post(ORDER_URL, json=order, headers=auth_headers(token))
    answer = await retry.json()
    assert retry.status == 200 and answer["duplicate"] is True
    assert await _points(client) == before + 20  # earned once
    first, second = await _journal(client)
    assert first["fault"]["committed"] is True
    assert first["fault"]["answer"]["status"] == 200
    assert first["fault"]["answer"]["body"]["duplicate"] is False
    assert first["status"] == (0 if then == "reset" else 503)
    assert "fault" not in second
    injected = (await (await client.get("/__admin/faults")).json())["injected"]
    assert [(i["rule"], i["action"], i["operation"], i["business"]) for i in injected] == [
        ("rule-1", "commit_then_fail", "order", "440810")
    ]


async def test_commit_then_fail_on_a_refused_call_commits_nothing(
    client: TestClient[Any, Any], token: str, docs_order: dict[str, Any]
) -> None:
    await _add(client, operation="order", action="commit_then_fail")
    order = _order(docs_order, "refused-1")
    order["order"]["total_price"] = 999  # breaks the money identities: a 422
    response = await client.post(ORDER_URL, json=order, headers=auth_headers(token))
    assert response.status == 422
    [entry] = await _journal(client)
    assert entry["fault"]["committed"] is False


# -- a --faults file ------------------------------------------------------------------------


def test_a_faults_file_reports_every_problem_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text("- {action: reset}\n- {action: nap}\n- {action: error, status: 418}\n", encoding="utf-8")
    with pytest.raises(FaultsFileError) as caught:
        load_fault_rules(path)
    message = str(caught.value)
    assert f"{path}: /1/action: must be one of" in message
    assert f"{path}: /2/status: must be one of 429, 500, 502, 503, 504" in message
    with pytest.raises(FaultsFileError, match="cannot read the faults file"):
        load_fault_rules(tmp_path / "missing.yaml")


async def test_the_files_rules_are_installed_and_come_back_after_a_reset(
    aiohttp_client: Any, tmp_path: Path, token: str, docs_order: dict[str, Any]
) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text("rules:\n  - {operation: order, nth: 1, action: error, status: 502}\n", encoding="utf-8")
    client = await aiohttp_client(create_app(Settings(db=":memory:", faults=str(path))))
    rules = (await (await client.get("/__admin/faults")).json())["rules"]
    assert [(r["id"], r["source"]) for r in rules] == [(DEMO_RULE, "demo"), ("config-1", "config")]
    first = await client.post(ORDER_URL, json=docs_order, headers=auth_headers(token))
    assert first.status == 502
    assert (await client.post(ORDER_URL, json=docs_order, headers=auth_headers(token))).status == 200
    await client.post("/__admin/reset")
    again = await client.post(ORDER_URL, json=docs_order, headers=auth_headers(token))
    assert again.status == 502  # installed anew, its counters at zero


def test_installing_the_same_file_again_keeps_the_counters() -> None:
    rule = faults.parse_rule({"action": "error", "nth": 2})
    with SqliteStore(":memory:") as store, store.transaction() as tx:
        faults.install_config(tx, [rule])
        faults.decide(tx, faults.CallFacts("order"), "t")
        faults.install_config(tx, [rule])  # a second worker starting
        [held] = faults.list_rules(tx)
        assert (held["id"], held["matched"]) == ("config-1", 1)
        faults.install_config(tx, [faults.parse_rule({"action": "reset"})])  # another file
        [held] = faults.list_rules(tx)
        assert (held["action"], held["matched"]) == ("reset", 0)


def test_serve_refuses_a_bad_faults_file_or_rate_limit_naming_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text("- {action: nap}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--db", ":memory:", "--faults", str(path)])
    assert result.exit_code == 1
    assert f"{path}: /0/action: must be one of latency, error" in result.output
    result = CliRunner().invoke(main, ["serve", "--db", ":memory:", "--rate-limit", "5 a second"])
    assert result.exit_code == 1
    assert "'5 a second' is not a rate limit; write calls/period such as 5/s" in result.output
