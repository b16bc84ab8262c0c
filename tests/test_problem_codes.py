"""The catalogue of problem codes is the one source of every code the mock answers.

The source tree raises only codes of the catalogue, with its statuses; the spec and
docs/server.md document exactly the catalogue's codes; the journal and the problem bodies
take what they need from it.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from loyapro_mock.mockserver.domain.errors import DomainError
from loyapro_mock.mockserver.domain.problem_codes import (
    CATALOGUE,
    CONTRACT_CODES,
    PROBLEM_CODES,
    UnknownProblemCodeError,
    problem_code,
)
from loyapro_mock.mockserver.http.journal import entry_violations
from loyapro_mock.mockserver.http.keys import Call
from loyapro_mock.mockserver.http.problems import ProblemError, problem_body, problem_from_domain
from loyapro_mock.openapi import load_spec

REPOSITORY = Path(__file__).resolve().parents[1]
SOURCE = REPOSITORY / "mockserver"
#: The functions that build a problem from a status and a code.
BUILDERS = frozenset({"ProblemError", "DomainError", "problem_body", "problem_response"})
#: The module that turns already-built errors into bodies: it forwards their codes.
FORWARDING_MODULE = SOURCE / "http" / "problems.py"
#: Codes no operation of the spec answers: they are about the path or the mock itself.
OUTSIDE_OPERATIONS = frozenset({"not_found", "method_not_allowed", "internal_error"})


# -- the catalogue itself ----------------------------------------------------------------


def test_every_entry_has_an_error_status_a_title_and_one_sentence_of_when() -> None:
    for entry in CATALOGUE:
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", entry.code), entry
        assert 400 <= entry.status <= 599, entry
        assert entry.title and entry.title[0].isupper(), entry
        assert entry.when.endswith(".") and entry.when.count(". ") == 0, entry


def test_codes_are_unique() -> None:
    assert len(PROBLEM_CODES) == len(CATALOGUE)


def test_contract_codes_are_the_entries_marked_contract() -> None:
    assert {e.code for e in CATALOGUE if e.contract} == CONTRACT_CODES
    assert {"unauthorized", "malformed_json", "not_found"} <= CONTRACT_CODES
    assert not CONTRACT_CODES & {"reward_not_found", "store_unavailable", "internal_error"}


def test_an_unknown_code_fails_loudly() -> None:
    with pytest.raises(UnknownProblemCodeError, match="'reward_lost' is not a problem code"):
        problem_code("reward_lost")
    with pytest.raises(UnknownProblemCodeError):
        ProblemError(400, "bad_request", "no such code")
    with pytest.raises(UnknownProblemCodeError):
        DomainError(422, "reward_lost", "no such code")
    with pytest.raises(UnknownProblemCodeError):
        problem_body(422, "reward_lost", "no such code")


def test_a_status_other_than_the_catalogues_fails_loudly() -> None:
    with pytest.raises(UnknownProblemCodeError, match="with status 409 in the catalogue, not 422"):
        DomainError(422, "reward_already_redeemed", "wrong status")
    with pytest.raises(UnknownProblemCodeError, match="with status 404 in the catalogue, not 400"):
        ProblemError(400, "not_found", "wrong status")


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda e: e.code)
def test_a_problem_body_takes_status_and_title_from_the_catalogue(entry: Any) -> None:
    body = ProblemError(entry.status, entry.code, "why").body()
    assert body == {
        "type": f"urn:loyapro-mock:problem:{entry.code}",
        "title": entry.title,
        "status": entry.status,
        "detail": "why",
        "code": entry.code,
    }


def test_a_domain_refusal_keeps_the_catalogues_title_over_http() -> None:
    refusal = DomainError(410, "reward_expired", "code X expired")
    assert refusal.title == "Reward expired"
    assert problem_from_domain(refusal).body()["title"] == "Reward expired"


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda e: e.code)
def test_the_journal_records_a_contract_rejection_as_a_violation(entry: Any) -> None:
    call = Call()
    call.response_data = ProblemError(entry.status, entry.code, "why").body()
    expected = (
        [{"pointer": "", "message": "why", "rule": entry.code, "severity": "error"}] if entry.contract else []
    )
    assert entry_violations(call, entry.status) == expected


def test_the_catalogue_imports_nothing_outside_the_domain() -> None:
    probe = (
        "import sys, loyapro_mock.mockserver.domain.problem_codes, loyapro_mock.mockserver.domain.errors; "
        "print([m for m in ('aiohttp', 'sqlite3', 'jsonschema_rs') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- the source tree raises only catalogue codes ------------------------------------------


@dataclass(frozen=True)
class RaiseSite:
    where: str
    status: int | None  # None: not a literal
    code: str


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _argument(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _literal_int(node: ast.expr | None) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    return None


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _enclosing_function(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> Function | None:
    while node in parents:
        node = parents[node]
        if isinstance(node, Function):
            return node
    return None


def _forwarded_codes(
    tree: ast.Module, helper: Function, parameter: str, where: str, status: int | None
) -> tuple[list[RaiseSite], list[str]]:
    """The literal codes every call of ``helper`` passes as its ``parameter``."""
    names = [a.arg for a in helper.args.args]
    index = names.index(parameter)
    sites: list[RaiseSite] = []
    problems: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) == helper.name:
            code = _argument(node, index, parameter)
            at = f"{where}:{node.lineno}"
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                sites.append(RaiseSite(at, status, code.value))
            else:
                problems.append(f"{at}: {helper.name}() is called with a code that is not a literal")
    return sites, problems


def _raise_sites() -> tuple[list[RaiseSite], list[str]]:
    """Every (status, code) the source builds a problem with, and what could not be read."""
    sites: list[RaiseSite] = []
    problems: list[str] = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = _parents(tree)
        where = str(path.relative_to(REPOSITORY))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _name(node.func) in BUILDERS):
                continue
            status, code = _argument(node, 0, "status"), _argument(node, 1, "code")
            at = f"{where}:{node.lineno}"
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                sites.append(RaiseSite(at, _literal_int(status), code.value))
                continue
            helper = _enclosing_function(node, parents)
            if (
                isinstance(code, ast.Name)
                and helper is not None
                and code.id in [a.arg for a in helper.args.args]
                and path != FORWARDING_MODULE
            ):
                found, unread = _forwarded_codes(tree, helper, code.id, where, _literal_int(status))
                sites += found
                problems += unread
            elif path != FORWARDING_MODULE:
                problems.append(f"{at}: a problem built with a code that is not a literal")
    return sites, problems


def test_every_raise_site_uses_a_catalogue_code_with_its_status() -> None:
    sites, unread = _raise_sites()
    assert unread == []
    assert len(sites) > 40  # the scan found the raise sites
    wrong = [
        f"{site.where}: {site.status} {site.code}"
        for site in sites
        if site.code not in PROBLEM_CODES or site.status != PROBLEM_CODES[site.code].status
    ]
    assert wrong == [], "raise sites that disagree with mockserver/domain/problem_codes.py"


def test_the_scan_reads_the_use_cases_too() -> None:
    sites, _ = _raise_sites()
    scanned = {site.where.rsplit(":", 1)[0] for site in sites}
    assert any(where.startswith("mockserver/domain/usecases/") for where in scanned)
    assert "mockserver/http/pipeline/auth.py" in scanned  # codes forwarded by a helper


def test_every_catalogue_code_is_raised_somewhere() -> None:
    sites, _ = _raise_sites()
    assert set(PROBLEM_CODES) - {site.code for site in sites} == set()


# -- the spec documents the catalogue -----------------------------------------------------


def _response(spec: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in response:
        return spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


def _documented(spec: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    """The codes each operation's error responses name: ``{(operation_id, status): codes}``."""
    documented: dict[tuple[str, str], list[str]] = {}
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                if status.startswith(("1", "2", "3")):
                    continue
                schema = _response(spec, response)["content"]["application/problem+json"]["schema"]
                codes = [
                    part["properties"]["code"]["enum"]
                    for part in schema.get("allOf", [])
                    if "enum" in part.get("properties", {}).get("code", {})
                ]
                key = (operation["operationId"], status)
                assert len(codes) == 1, f"{key}: name the codes in one code enum"
                documented[key] = codes[0]
    return documented


def test_the_problem_schema_lists_exactly_the_catalogues_codes() -> None:
    code = load_spec("loyapro-pos")["components"]["schemas"]["Problem"]["properties"]["code"]
    assert code["enum"] == [entry.code for entry in CATALOGUE]


def test_every_documented_code_is_in_the_catalogue_with_the_responses_status() -> None:
    documented = _documented(load_spec("loyapro-pos"))
    wrong = [
        f"{operation} {status}: {code}"
        for (operation, status), codes in documented.items()
        for code in codes
        if code not in PROBLEM_CODES or str(PROBLEM_CODES[code].status) != status
    ]
    assert wrong == []


def test_every_catalogue_code_is_documented_on_an_operation_or_for_every_path() -> None:
    documented = _documented(load_spec("loyapro-pos"))
    on_operations = {code for codes in documented.values() for code in codes}
    assert on_operations | OUTSIDE_OPERATIONS == set(PROBLEM_CODES)
    assert not on_operations & OUTSIDE_OPERATIONS


def test_every_webhook_documents_the_pipelines_codes() -> None:
    documented = _documented(load_spec("loyapro-pos"))
    pipeline = {"unauthorized", "invalid_token", "forbidden_pos", "forbidden_business"} | {
        "not_acceptable",
        "unsupported_media_type",
        "payload_too_large",
        "malformed_json",
        "validation_failed",
        "store_unavailable",
    }
    for operation in ("order", "reward", "redeem"):
        codes = {code for (op, _), found in documented.items() if op == operation for code in found}
        assert pipeline <= codes, operation


# -- docs/server.md lists the catalogue ----------------------------------------------------


def test_the_servers_docs_list_the_catalogue() -> None:
    docs = (REPOSITORY / "docs" / "server.md").read_text(encoding="utf-8")
    expected = "| code | status | title | when | contract |\n|---|---|---|---|---|\n" + "".join(
        f"| `{e.code}` | {e.status} | {e.title} | {e.when} | {'yes' if e.contract else ''} |\n"
        for e in CATALOGUE
    )
    assert expected in docs, "docs/server.md's table of problem codes should read:\n" + expected


def test_every_code_in_a_table_of_the_servers_docs_has_the_catalogues_status() -> None:
    docs = (REPOSITORY / "docs" / "server.md").read_text(encoding="utf-8")
    rows = [line.split("|")[1:-1] for line in docs.splitlines() if line.startswith("| ")]
    for cells in rows:
        cells = [c.strip() for c in cells]
        codes = [c.strip("`") for c in cells if c.startswith("`") and c.strip("`") in PROBLEM_CODES]
        statuses = [int(c) for c in cells if c.isdigit() and len(c) == 3]
        if codes and statuses:
            assert statuses == [PROBLEM_CODES[codes[0]].status], cells
