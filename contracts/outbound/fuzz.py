"""schemathesis on ``openapi/pos-partner.yaml`` against a POS, kept small and deterministic.

Each operation gets ``max_examples`` positive and negative cases (derandomized, no
shrinking, no example database), plus explicit probes a real LoyaPro sends (the Product API
with a query parameter it does not declare). Every schemathesis check runs on its own so
each failure is filed under one category; when a response is a 5xx only the server-error
category records it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis import checks as core_checks
from schemathesis.specs.openapi import checks as openapi_checks

from loyapro_mock.contracts.outbound.evidence import CaseFailure, ConformanceRun
from loyapro_mock.openapi import load_spec

_CHECKS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("server_errors", core_checks.not_a_server_error),
    ("status_codes", openapi_checks.status_code_conformance),
    ("response_schemas", openapi_checks.response_schema_conformance),
    ("content_types", openapi_checks.content_type_conformance),
    ("negative_rejected", openapi_checks.negative_data_rejection),
)

# Query parameters LoyaPro may add that the contract does not declare: a POS must ignore them.
EXTRA_PRODUCT_QUERY = {"page": "1", "per_page": "5", "sort": "name", "include": "category"}


def load_schema(base_url: str, token: str | None, spec: dict[str, Any] | None = None) -> Any:
    """The pos-partner schema as schemathesis sees it, aimed at ``base_url``."""
    document = copy.deepcopy(spec if spec is not None else load_spec("pos-partner"))
    schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config())
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    schema.config.update(base_url=base_url, headers=headers, request_timeout=10)
    return schema


def run_conformance(
    base_url: str,
    token: str | None = None,
    *,
    max_examples: int = 10,
    spec: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, ConformanceRun]:
    """Run schemathesis against every operation of the POS; results by operation id.

    ``progress`` is told, before each operation, which one is being exercised.
    """
    schema = load_schema(base_url, token, spec)
    session = requests.Session()
    runs: dict[str, ConformanceRun] = {}
    operations = list(schema.get_all_operations())
    for index, result in enumerate(operations, start=1):
        operation = result.ok()
        if progress is not None:
            progress(
                f"schemathesis {index}/{len(operations)}: {operation.label} "
                f"({max_examples} positive and {max_examples} negative requests)"
            )
        operation_id = str(schema.get_operation_id(operation) or operation.label)
        run = ConformanceRun(operation_id=operation_id, label=operation.label)
        runs[operation_id] = run
        if operation_id == "list_products":  # first, so its readable request leads the report
            case = operation.Case(query=dict(EXTRA_PRODUCT_QUERY))
            run.positive_answered += _exercise(case, run, session, base_url, token)
            run.positive_cases += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, run, session, base_url, token, max_examples)
    return runs


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    run: ConformanceRun,
    session: requests.Session,
    base_url: str,
    token: str | None,
    max_examples: int,
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
        print_blob=False,
    )
    def exercise(case: Any) -> None:
        answered = _exercise(case, run, session, base_url, token)
        if mode is GenerationMode.NEGATIVE:
            run.negative_cases += 1
            run.negative_answered += answered
        else:
            run.positive_cases += 1
            run.positive_answered += answered

    try:
        exercise()
    except Exception as exc:  # generation itself failed: say so, do not invent a pass
        run.error = f"{mode.value} generation failed: {type(exc).__name__}: {exc}"


def _exercise(
    case: Any, run: ConformanceRun, session: requests.Session, base_url: str, token: str | None
) -> bool:
    """Send one case and file every failed check; False when the POS did not answer."""
    target = f"{case.method} {case.formatted_path}"
    if case.query:
        target += "?" + "&".join(f"{key}={value}" for key, value in case.query.items())
    curl = _curl(case, base_url, token)
    try:
        response = case.call(base_url=base_url, session=session)
    except requests.RequestException as exc:
        run.failures.append(CaseFailure("server_errors", "No response", str(exc), target, None, curl))
        return False
    failed: list[CaseFailure] = []
    for category, check in _CHECKS:
        try:
            case.validate_response(response, checks=[check])
        except BaseException as exc:  # schemathesis raises FailureGroup (an exception group)
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            for failure in getattr(exc, "exceptions", (exc,)):
                title = str(getattr(failure, "title", type(failure).__name__))
                message = str(getattr(failure, "message", failure))
                failed.append(CaseFailure(category, title, message, target, response.status_code, curl))
    if response.status_code >= 500:
        failed = [failure for failure in failed if failure.category == "server_errors"]
    run.failures.extend(failed)
    return True


def _curl(case: Any, base_url: str, token: str | None) -> str:
    try:
        command = str(case.as_curl_command(base_url=base_url))
    except Exception:
        return ""
    if token:
        command = command.replace(token, "$POS_TOKEN")
    return command
