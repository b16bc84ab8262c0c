"""The matchers a registered certification session's steps are ticked with."""

from __future__ import annotations

from typing import Any

import pytest

from loyapro_mock.mockserver.domain.sessions import matches, pointer_value, session_progress


def entry(body: Any = None, answer: Any = None, **fields: Any) -> dict[str, Any]:
    return {
        "id": 1,
        "operation": "order",
        "verdict": "accepted",
        "request": {"body": body},
        "response": {"body": answer},
        **fields,
    }


@pytest.mark.parametrize(
    ("pointer", "value"),
    [
        ("", {"a/b": [10, {"~k": 2}]}),
        ("/a~1b", [10, {"~k": 2}]),
        ("/a~1b/0", 10),
        ("/a~1b/1/~0k", 2),
    ],
)
def test_a_pointer_reads_the_value_rfc_6901_names(pointer: str, value: Any) -> None:
    assert pointer_value({"a/b": [10, {"~k": 2}]}, pointer) == value


@pytest.mark.parametrize("pointer", ["/missing", "/a~1b/2", "/a~1b/x", "a~1b", "/a~1b/0/deeper"])
def test_a_pointer_to_nothing_matches_no_value_not_even_null(pointer: str) -> None:
    document = {"a/b": [10, {"~k": 2}]}
    assert not matches({"body": {pointer: None}}, entry(document))
    assert matches({"body": {"/a~1b/0": 10}}, entry(document))


def test_values_compare_as_json_values() -> None:
    paid = entry({"order": {"status": 4, "flag": True}})
    assert matches({"operation": "order", "body": {"/order/status": 4.0}}, paid)
    assert not matches({"body": {"/order/status": "4"}}, paid)
    assert not matches({"body": {"/order/flag": 1}}, paid)  # true is not 1
    assert not matches({"body": {"/order/status": True}}, entry({"order": {"status": 1}}))
    assert matches({"body": {"/order/flag": True}}, paid)


def test_a_matcher_wants_an_accepted_request_unless_it_says_otherwise() -> None:
    refused = entry({"order": {}}, {"code": "validation_failed"}, verdict="rejected")
    assert not matches({"operation": "order"}, refused)
    assert matches(
        {"operation": "order", "verdict": "rejected", "response": {"/code": "validation_failed"}}, refused
    )
    assert not matches({"operation": "redeem"}, entry())


def test_a_refusal_a_step_expects_is_not_counted_as_the_sessions_refusal() -> None:
    def call(entry_id: int, verdict: str, code: str) -> dict[str, Any]:
        return {
            **entry({"reward_code": code}, {"code": "rate_limited"} if verdict == "rejected" else {}),
            "id": entry_id,
            "operation": "reward",
            "verdict": verdict,
            "pos": "foodics",
        }

    expected = {"operation": "reward", "verdict": "rejected", "body": {"/reward_code": "FIX-1"}}
    session = {
        "id": "cert-1",
        "pos_name": "foodics",
        "since_id": 1,
        "steps": [{"id": "retry", "expects": [expected, {"operation": "reward"}]}],
    }
    entries = [call(1, "rejected", "FIX-1"), call(2, "accepted", "FIX-1"), call(3, "rejected", "FIX-2")]
    progress = session_progress(session, entries)
    assert progress["steps"][0]["done"] is True
    # the injected 429 the step expects is no refusal; the lookup of FIX-2 is one
    assert (progress["verdict"]["refused"], progress["verdict"]["state"]) == (1, "refused requests")
    assert session_progress(session, entries[:2])["verdict"]["refused"] == 0
