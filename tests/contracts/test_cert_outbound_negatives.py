"""The negative outbound checks graded on recorded calls: what they decide from the
evidence alone, and that missing evidence is never a pass."""

from __future__ import annotations

from typing import Any

import pytest

from loyapro_mock.contracts.findings import Finding, Outcome
from loyapro_mock.contracts.outbound import OUTBOUND, OutboundEvidence
from loyapro_mock.contracts.outbound.evidence import PosCall
from loyapro_mock.contracts.outbound.probes import arabic_query, latin_query, probe_customers
from loyapro_mock.contracts.reference_pos import fold_name, normalise_mobile

NEGATIVE_CHECKS = (
    "customers.search_by_mobile_excludes_others",
    "customers.search_by_name_excludes_others",
    "customers.push_updates_existing",
    "customer_search.rejects_invalid_query",
    "products.page_size_honoured",
    "products.past_last_page_empty",
    "products.rejects_invalid_paging",
    "products.refuses_bad_credentials",
    "customer_push.refuses_bad_credentials",
    "customer_search.refuses_bad_credentials",
)

CUSTOMER = {
    "name": "Lulwa Alharbi Qxvmek",
    "name_localized": "لولوة الحربي سشص",
    "dial_code": 966,
    "mobile": "551234567",
}
DECOY = {
    "name": "Lulwa Alharbi Zzzzzz",
    "name_localized": "لولوة الحربي ككك",
    "dial_code": 966,
    "mobile": "1551234567",
}
INTRUDER = {"name": "Hessa Alqahtani Abcdef", "name_localized": None, "dial_code": 966, "mobile": "559999999"}


def call(
    method: str, path: str, query: dict[str, str] | None = None, status: int = 200, response: Any = None
) -> PosCall:
    return PosCall(method, path, query or {}, None, status, response, "", f"curl {path}")


def grade(evidence: OutboundEvidence, check: str) -> Finding:
    [finding] = OUTBOUND.run(evidence, only=[check])
    return finding


def test_every_negative_check_is_registered() -> None:
    assert set(NEGATIVE_CHECKS) <= set(OUTBOUND.names())
    assert {OUTBOUND.get(name).requirement for name in NEGATIVE_CHECKS} == {"POS-01", "POS-02", "POS-09"}


@pytest.mark.parametrize("check", NEGATIVE_CHECKS)
def test_a_negative_check_without_evidence_is_not_exercised(check: str) -> None:
    finding = grade(OutboundEvidence(base_url="http://pos"), check)
    assert finding.outcome is Outcome.NOT_EXERCISED, finding.received


def _searched(found: list[dict[str, Any]], decoy_status: int = 201) -> OutboundEvidence:
    evidence = OutboundEvidence(base_url="http://pos", customer=CUSTOMER, decoys=[DECOY])
    evidence.calls["push"] = [call("POST", "/customers", status=201, response={"id": "c1", **CUSTOMER})]
    evidence.calls["push_decoys"] = [call("POST", "/customers", status=decoy_status)]
    evidence.calls["find_by_mobile"] = [
        call("GET", "/customers", {"mobile": "0551234567"}, response={"data": found})
    ]
    return evidence


def test_a_mobile_search_listing_another_mobile_fails() -> None:
    finding = grade(_searched([CUSTOMER, DECOY]), "customers.search_by_mobile_excludes_others")
    assert finding.outcome is Outcome.FAIL
    assert "1551234567" in finding.received and finding.reproduce == "curl /customers"


def test_a_clean_mobile_search_passes_only_when_a_decoy_was_there_to_leave_out() -> None:
    assert grade(_searched([CUSTOMER]), "customers.search_by_mobile_excludes_others").passed
    refused = grade(_searched([CUSTOMER], decoy_status=422), "customers.search_by_mobile_excludes_others")
    assert refused.outcome is Outcome.NOT_EXERCISED
    assert "no decoy customer was accepted" in refused.received


def test_a_refused_push_that_stored_its_customer_fails() -> None:
    evidence = OutboundEvidence(base_url="http://pos", customer=CUSTOMER, intruder=INTRUDER)
    evidence.calls["credentials.upsert_customer"] = [
        call("POST", "/customers", status=401),
        call("POST", "/customers", status=401),
        call(
            "GET", "/customers", {"mobile": INTRUDER["mobile"]}, response={"data": [{"id": "x", **INTRUDER}]}
        ),
    ]
    finding = grade(evidence, "customer_push.refuses_bad_credentials")
    assert finding.outcome is Outcome.FAIL
    assert "answered 401 but the customer it carried" in finding.received
    evidence.calls["credentials.upsert_customer"][2] = call("GET", "/customers", status=500, response="boom")
    assert grade(evidence, "customer_push.refuses_bad_credentials").outcome is Outcome.NOT_EXERCISED


def test_a_forbidden_status_other_than_401_fails_the_credential_check() -> None:
    evidence = OutboundEvidence(base_url="http://pos")
    evidence.calls["credentials.list_products"] = [
        call("GET", "/products", status=401),
        call("GET", "/products", status=404),
    ]
    finding = grade(evidence, "products.refuses_bad_credentials")
    assert finding.outcome is Outcome.FAIL
    assert finding.received == (
        "with a bearer token the POS never issued, GET /products answered HTTP 404 (expected 401)"
    )


def test_the_run_s_customers_are_seeded_and_the_decoys_do_not_match_the_searches() -> None:
    people = probe_customers(11)
    assert people == probe_customers(11)
    assert people["customer"]["mobile"] != probe_customers(12)["customer"]["mobile"]
    customer, decoys = people["customer"], people["decoys"]
    mobile = customer["mobile"]
    assert [d["mobile"] for d in decoys] == [
        decoys[0]["mobile"][0] + mobile,
        mobile + decoys[1]["mobile"][-1],
    ]
    for decoy in decoys:
        assert normalise_mobile(decoy["mobile"]) != normalise_mobile(mobile)
        for query in (latin_query(customer), arabic_query(customer)):
            assert fold_name(query) not in fold_name(decoy["name"]) + " " + fold_name(decoy["name_localized"])
    for query in (latin_query(customer), arabic_query(customer)):
        assert fold_name(query) in fold_name(customer["name"]) + " " + fold_name(customer["name_localized"])
    assert (
        normalise_mobile(people["update"]["mobile"]) == mobile and people["update"]["mobile"] == "0" + mobile
    )
    assert people["update"]["name"] != customer["name"]


def _stateful(listed: list[dict[str, Any]]) -> OutboundEvidence:
    pushed = {"name": "x", "dial_code": 971, "mobile": "501234567"}
    push = PosCall("POST", "/customers", {}, pushed, 201, {"id": "c9", **pushed}, "", "curl push")
    search = call("GET", "/customers", {"mobile": "501234567"}, response={"data": listed})
    return OutboundEvidence(base_url="http://pos", stateful=[push, search])


def test_the_stateful_check_grades_each_linked_search_after_a_push() -> None:
    check = "customers.stateful_push_then_search"
    assert grade(OutboundEvidence(base_url="http://pos"), check).outcome is Outcome.NOT_EXERCISED
    assert grade(OutboundEvidence(base_url="http://pos", stateful=[]), check).outcome is Outcome.NOT_EXERCISED
    found = {"id": "c9", "name": "x", "dial_code": 971, "mobile": "501234567"}
    assert grade(_stateful([found]), check).passed
    missing = grade(_stateful([]), check)
    assert (
        missing.outcome is Outcome.FAIL
        and "did not list the customer pushed with dial code 971" in missing.received
    )
    saudi = grade(_stateful([{**found, "dial_code": 966}]), check)
    assert saudi.received.endswith("listed customer c9 with dial code 966; it was pushed with 971")
