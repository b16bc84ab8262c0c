"""A schemathesis stateful run on ``openapi/pos-partner.yaml``: push generated customers,
then follow the spec's ``FindByMobile`` link to search for each by the mobile it was pushed
with.

The round trips push customers the harness chose; this run pushes any customer the
contract allows (dial codes 1 to 9999, mobiles of 6 to 15 digits, any name), so a POS that
only works for Saudi numbers shows here. The run only records each step (a
:class:`PosCall`); :mod:`.customer_checks` decides what the steps mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode

from loyapro_mock.contracts.outbound.evidence import PosCall
from loyapro_mock.contracts.outbound.fuzz import load_schema

#: Calls in one generated scenario (a push and the searches its link leads to, and others).
STEPS_PER_SCENARIO = 6
#: Scenarios in a run. Hypothesis replays parts of earlier scenarios; a POS keeps state, so
#: after about a dozen scenarios a replay draws differently and Hypothesis stops the run as
#: flaky. Ten scenarios follow the link several times (measured on the reference POS).
SCENARIOS = 10


@dataclass
class StatefulRun:
    """The steps of a stateful run, in the order they were made."""

    steps: list[PosCall] = field(default_factory=list)
    scenarios_started: int = 0
    error: str = ""


def run_stateful(
    base_url: str, token: str | None = None, *, scenarios: int = SCENARIOS, spec: dict[str, Any] | None = None
) -> StatefulRun:
    """Run ``scenarios`` generated scenarios against the POS, derandomized, without shrinking.

    A run that stops early keeps the steps it made, with the reason in ``error``.
    """
    schema = load_schema(base_url, token, spec)
    # valid pushes only: an invalid one is refused and leads nowhere (invalid input is the
    # per-operation runs' business), so every scenario has pushes whose link can be followed
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    session = requests.Session()
    run = StatefulRun()

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            run.scenarios_started += 1

        def call(self, case: Any, **kwargs: Any) -> Any:
            return case.call(base_url=base_url, session=session, **kwargs)

        def after_call(self, response: Any, case: Any) -> None:
            run.steps.append(_recorded(case, response, base_url, token))

        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            """Conformance is graded by the per-operation runs; here the steps are only recorded."""

    try:
        Machine.run(
            settings=settings(
                max_examples=scenarios,
                stateful_step_count=STEPS_PER_SCENARIO,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.generate],
                print_blob=False,
            )
        )
    except Exception as exc:  # the POS did not answer, or generation failed: say so
        run.error = f"{type(exc).__name__}: {exc}".strip()[:500]
    return run


def _recorded(case: Any, response: Any, base_url: str, token: str | None) -> PosCall:
    try:
        payload: Any = response.json()
    except Exception:
        payload = response.text[:2000]
    try:
        curl = str(case.as_curl_command(base_url=base_url))
    except Exception:
        curl = ""
    if token:
        curl = curl.replace(token, "$POS_TOKEN")
    body = case.body if isinstance(case.body, dict) else None
    query = {str(key): str(value) for key, value in (case.query or {}).items()}
    return PosCall(case.method, case.formatted_path, query, body, response.status_code, payload, "", curl)
