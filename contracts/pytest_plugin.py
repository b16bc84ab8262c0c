"""pytest plugin ``loyapro``: the mock as a fixture, and POS certification as test items.

* ``loyapro_mock`` fixture: the mock LoyaPro served in-process on a free loopback port
  (started once per test session), reset before every test. An unexpected error inside the
  mock fails the test that caused it, with the mock's traceback, instead of hiding behind
  a 500 answer.
* ``loyapro_faults`` fixture: fault rules (latency, 5xx, reset, hang, commit-then-fail) and a
  rate limit for that mock, removed after the test.
* ``pytest --loyapro-pos-url=URL [--loyapro-pos-token=T]`` adds one test item per outbound
  check (schemathesis on pos-partner.yaml and the round trips), so ``--junitxml`` gives CI
  the certification as test results. A check that was not exercised fails: it is not a pass.
  Each requirement these checks do not grade (those a certification session grades) is a
  skipped item saying so. The run ends with the certification's verdict, as ``certify pos``
  prints it: a failure is NOT SIGNED OFF (pytest exits 1); otherwise the run is INCOMPLETE,
  since only part of the catalogue was graded, and pytest exits 2 instead of 0
  (``--loyapro-allow-incomplete`` keeps exit 0 for a job that gates only the POS API). The JUnit
  XML carries the verdict as the properties ``loyapro_verdict`` and ``loyapro_exit_code``.

Heavy imports happen inside the hooks and fixtures, so loading the plugin costs nothing
for a test session that uses neither.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from loyapro_mock.contracts.defaults import DEFAULT_MAX_EXAMPLES

if TYPE_CHECKING:
    from loyapro_mock.contracts.findings import Finding, Report
    from loyapro_mock.contracts.harness import RunningMock
    from loyapro_mock.contracts.mock_admin import MockAdmin
    from loyapro_mock.contracts.outbound.evidence import OutboundEvidence

_COLLECTOR = "loyapro-pos-certification"
_COLLECTOR_KEY = pytest.StashKey["CertificationCollector"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``--loyapro-*`` options."""
    group = parser.getgroup("loyapro", "LoyaPro POS certification")
    group.addoption("--loyapro-pos-url", default=None, help="Certify the POS API at this base URL.")
    group.addoption("--loyapro-pos-token", default=None, help="Bearer token for the POS API.")
    group.addoption(
        "--loyapro-max-examples",
        type=int,
        default=DEFAULT_MAX_EXAMPLES,
        help=f"schemathesis requests per operation and mode (default {DEFAULT_MAX_EXAMPLES}).",
    )
    group.addoption(
        "--loyapro-allow-incomplete",
        action="store_true",
        default=False,
        help="Exit 0 (not 2) when the certification is INCOMPLETE but nothing failed, for a CI "
        "job that gates only the POS API; the verdict still says INCOMPLETE.",
    )


class MockHandle:
    """What the ``loyapro_mock`` fixture gives a test: URLs, tokens and the admin API."""

    def __init__(self, mock: RunningMock) -> None:
        from loyapro_mock.contracts.mock_admin import MockAdmin

        self._mock = mock
        self.url = mock.url
        self.admin: MockAdmin = MockAdmin(mock.url)

    def token(self, pos_name: str = "foodics") -> str:
        """A bearer token the mock accepts for ``pos_name``."""
        return self._mock.token(pos_name)

    def webhook_url(self, operation: str, pos_name: str = "foodics") -> str:
        """``{url}/pos/1.0.0/{pos_name}/{operation}``."""
        return f"{self.url}/pos/1.0.0/{pos_name}/{operation}"

    def headers(self, pos_name: str = "foodics") -> dict[str, str]:
        """The headers a correct POS sends (Accept, Content-Type, Authorization)."""
        return {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.token(pos_name)}",
        }

    def journal(self, pos: str | None = None, operation: str | None = None) -> list[dict[str, Any]]:
        """The journal entries since the last reset (optionally of one POS or operation)."""
        return self.admin.journal(pos=pos, operation=operation)


class _ErrorCatcher(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="session")
def loyapro_mock_server() -> Iterator[RunningMock]:
    """The mock served once for the test session (in-memory store, demo state)."""
    from loyapro_mock.contracts.harness import running_mock

    with running_mock() as mock:
        yield mock


@pytest.fixture
def loyapro_mock(loyapro_mock_server: RunningMock) -> Iterator[MockHandle]:
    """The mock, reset before the test; errors inside the mock fail the test."""
    handle = MockHandle(loyapro_mock_server)
    handle.admin.reset()
    catcher = _ErrorCatcher()
    logger = logging.getLogger("loyapro_mock.mockserver")
    logger.addHandler(catcher)
    try:
        yield handle
    finally:
        logger.removeHandler(catcher)
    if catcher.records:
        formatter = logging.Formatter()
        details = "\n\n".join(formatter.format(record) for record in catcher.records)
        pytest.fail(f"the mock failed while serving this test:\n{details}", pytrace=False)


# -- fault injection: the loyapro_faults fixture -------------------------------------------


class FaultRules:
    """What the ``loyapro_faults`` fixture gives a test: the mock's fault rules and rate limit
    (``/__admin/faults``, ``/__admin/rate-limit``; see docs/server.md, "Fault injection")."""

    def __init__(self, url: str) -> None:
        import requests

        self.url = url.rstrip("/")
        self._http = requests.Session()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, f"{self.url}{path}", timeout=15, **kwargs)
        if response.status_code >= 400:
            raise AssertionError(f"{method} {path} answered {response.status_code}: {response.text[:500]}")
        return response.json()

    def add(self, action: str, **rule: Any) -> dict[str, Any]:
        """Add a rule (``add("error", operation="redeem", nth=1, status=503)``); returns it stored."""
        added: dict[str, Any] = self._call("POST", "/__admin/faults", json={"action": action, **rule})
        return added

    def rules(self) -> list[dict[str, Any]]:
        """The rules held, with their ``matched`` and ``fired`` counts."""
        return list(self._call("GET", "/__admin/faults")["rules"])

    def injected(self) -> list[dict[str, Any]]:
        """The faults injected so far, oldest first."""
        return list(self._call("GET", "/__admin/faults")["injected"])

    def remove(self, rule_id: str) -> None:
        """Remove one rule."""
        self._call("DELETE", f"/__admin/faults/{rule_id}")

    def clear(self) -> None:
        """Remove every rule."""
        self._call("DELETE", "/__admin/faults")

    def rate_limit(self, limit: str | None) -> dict[str, Any]:
        """Set the mock's rate limit (``"5/s"``, ``"off"``), or go back to its setting (None)."""
        if limit is None:
            state: dict[str, Any] = self._call("DELETE", "/__admin/rate-limit")
        else:
            state = self._call("PUT", "/__admin/rate-limit", json={"rate_limit": limit})
        return state


@pytest.fixture
def loyapro_faults(loyapro_mock: MockHandle) -> Iterator[FaultRules]:
    """Fault rules and the rate limit of the ``loyapro_mock`` mock, for this test only."""
    rules = FaultRules(loyapro_mock.url)
    try:
        yield rules
    finally:
        rules.clear()
        rules.rate_limit(None)


class CertificationFailure(Exception):
    """A certification check that did not pass."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.received)
        self.finding = finding


class CertificationItem(pytest.Item):
    """One outbound check, graded from evidence collected once per test session."""

    def __init__(self, *, check: str, requirement: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.requirement = requirement

    def runtest(self) -> None:
        """Grade the check; a failure or a check not exercised fails the item."""
        from loyapro_mock.contracts.outbound import OUTBOUND

        parent = self.parent
        assert isinstance(parent, CertificationCollector)
        finding = OUTBOUND.get(self.check).run(parent.evidence())
        parent.findings.append(finding)
        if not finding.passed:
            raise CertificationFailure(finding)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """Expected / received / evidence / how to reproduce, instead of a traceback."""
        if isinstance(excinfo.value, CertificationFailure):
            from loyapro_mock.contracts.reports.junit import details

            return details(excinfo.value.finding)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        """Where the item comes from, for pytest's report."""
        return _COLLECTOR, None, f"{self.requirement} {self.check}"


class NotGradedItem(pytest.Item):
    """A requirement of the catalogue the outbound checks do not grade: skipped, with why."""

    def __init__(self, *, requirement: str, reason: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.requirement = requirement
        self.reason = reason

    def runtest(self) -> None:
        """Skip: this run cannot grade the requirement."""
        pytest.skip(f"{self.requirement} not graded: {self.reason}")

    def reportinfo(self) -> tuple[str, int | None, str]:
        """Where the item comes from, for pytest's report."""
        return _COLLECTOR, None, f"{self.requirement} not graded"


class CertificationCollector(pytest.Collector):
    """The outbound checks against ``--loyapro-pos-url``, one item each, plus one skipped
    item per requirement they do not grade."""

    _evidence: OutboundEvidence | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.findings: list[Finding] = []

    def collect(self) -> list[pytest.Item]:
        """One item per registered outbound check, then the requirements left ungraded."""
        from loyapro_mock.contracts.outbound import OUTBOUND
        from loyapro_mock.contracts.requirements import REQUIREMENTS
        from loyapro_mock.contracts.runner import SCOPE_HINTS

        items: list[pytest.Item] = [
            CertificationItem.from_parent(
                self, name=f"{spec.name}[{spec.requirement}]", check=spec.name, requirement=spec.requirement
            )
            for spec in OUTBOUND
        ]
        graded = {spec.requirement for spec in OUTBOUND}
        reason = f"outside this run's scope; {SCOPE_HINTS['inbound']}"
        items += [
            NotGradedItem.from_parent(self, name=f"not_graded[{item.id}]", requirement=item.id, reason=reason)
            for item in REQUIREMENTS
            if item.id not in graded
        ]
        return items

    def evidence(self) -> OutboundEvidence:
        """Call the POS once (round trips and schemathesis) and keep what it answered."""
        if self._evidence is None:
            from loyapro_mock.contracts.outbound import collect_outbound_evidence

            config = self.config
            self._evidence = collect_outbound_evidence(
                config.getoption("loyapro_pos_url"),
                config.getoption("loyapro_pos_token"),
                max_examples=config.getoption("loyapro_max_examples"),
            )
        return self._evidence

    def report(self) -> Report:
        """The certification report of the checks that ran."""
        from loyapro_mock.contracts.runner import build_report

        return build_report(
            list(self.findings),
            pos_name=f"POS at {self.config.getoption('loyapro_pos_url')}",
            scope=["outbound"],
        )


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """With ``--loyapro-pos-url``, add the certification items to the session."""
    if not config.getoption("loyapro_pos_url"):
        return
    collector = CertificationCollector.from_parent(session, name=_COLLECTOR)
    config.stash[_COLLECTOR_KEY] = collector
    items.extend(collector.collect())


def _certification(config: pytest.Config) -> Report | None:
    collector = config.stash.get(_COLLECTOR_KEY, None)
    if collector is None or not collector.findings:
        return None
    return collector.report()


def _junit_xml(config: pytest.Config) -> Any:
    """pytest's JUnit XML writer when ``--junitxml`` is given (what ``record_testsuite_property``
    uses; items that are not test functions reach it through the config's stash)."""
    try:
        from _pytest.junitxml import xml_key
    except ImportError:  # a pytest that moved it: the verdict is still in the terminal summary
        return None
    return config.stash.get(xml_key, None)


@pytest.hookimpl(tryfirst=True)  # before the JUnit XML is written
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Record the verdict in the JUnit XML; an incomplete certification does not exit 0."""
    report = _certification(session.config)
    if report is None:
        return
    xml = _junit_xml(session.config)
    if xml is not None:
        xml.add_global_property("loyapro_verdict", report.verdict.value)
        xml.add_global_property("loyapro_exit_code", str(report.exit_code()))
    if exitstatus != pytest.ExitCode.OK or report.exit_code() == 0:
        return
    if report.exit_code() == 2 and session.config.getoption("loyapro_allow_incomplete"):
        return
    session.exitstatus = report.exit_code()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """The certification's verdict, as `certify pos` prints it."""
    report = _certification(config)
    if report is None:
        return
    verdict = report.verdict
    colour = {"signed_off": "green", "not_signed_off": "red", "incomplete": "yellow"}[verdict.value]
    terminalreporter.section("LoyaPro certification", sep="=", **{colour: True, "bold": True})
    terminalreporter.write_line(
        f"{verdict.label} - {report.verdict_reason()}; exit code {verdict.exit_code}",
        **{colour: True, "bold": True},
    )
