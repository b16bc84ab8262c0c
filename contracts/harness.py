"""Run the mock and the reference POS in-process and certify a POS end to end.

Used by ``loyapro-mock demo``, by the pytest plugin and by the tests that prove each check
catches the bug it is meant to catch (a faulty driver class, a faulty POS backend).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from loyapro_mock.contracts.driver import Driver, StepResult
from loyapro_mock.contracts.findings import Finding, Report
from loyapro_mock.contracts.inbound import evaluate_session
from loyapro_mock.contracts.outbound import DEFAULT_MAX_EXAMPLES, certify_pos
from loyapro_mock.contracts.prepare import DOCS_BUSINESS_REFERENCE, read_pos_catalogue, start_session
from loyapro_mock.contracts.reference_pos import REFERENCE_POS_TOKEN, PosBackend, create_pos_app
from loyapro_mock.contracts.runner import build_report
from loyapro_mock.contracts.serving import BackgroundServer
from loyapro_mock.contracts.session import CertSession
from loyapro_mock.mockserver.domain.usecases import add_product
from loyapro_mock.mockserver.http.app import create_app
from loyapro_mock.mockserver.http.keys import LOYAPRO
from loyapro_mock.mockserver.http.pipeline.auth import issue_token
from loyapro_mock.mockserver.http.settings import Settings

REFERENCE_POS_NAME = "loyapro-mock reference POS"
DriverFactory = Callable[..., Driver]


@dataclass
class RunningMock:
    """A mock served in-process: its URL, settings and a POS token for ``pos_name``."""

    server: BackgroundServer
    settings: Settings
    pos_name: str = "foodics"

    @property
    def url(self) -> str:
        """The mock's base URL."""
        return self.server.url

    def token(self, pos_name: str | None = None) -> str:
        """A bearer token the mock accepts for ``pos_name`` (default: the mock's POS)."""
        return issue_token(self.settings.secret, pos_name or self.pos_name)

    def load_catalogue(self, business_reference: int | str, products: list[dict[str, Any]]) -> None:
        """Give the mock the POS's products, as LoyaPro reads them from the Product API."""
        app = self.server.app
        assert app is not None
        loyapro = app[LOYAPRO]

        def load() -> None:
            for product in products:
                category = product.get("category")
                add_product(
                    loyapro,
                    business_reference,
                    {
                        "id": product["id"],
                        "sku": product.get("sku"),
                        "name": product.get("name"),
                        "name_localized": product.get("name_localized"),
                        "price": product.get("price"),
                        "category": category.get("name") if isinstance(category, dict) else category,
                    },
                )

        self.server.call(load)


@contextmanager
def running_mock(settings: Settings | None = None) -> Iterator[RunningMock]:
    """Serve the mock (in-memory store, demo state) on a free loopback port."""
    settings = settings or Settings(db=":memory:", port=0)
    server = BackgroundServer(lambda: create_app(settings))
    with server:
        yield RunningMock(server, settings)


@contextmanager
def running_pos(
    backend: PosBackend | None = None, token: str = REFERENCE_POS_TOKEN
) -> Iterator[BackgroundServer]:
    """Serve the reference POS (or a faulty ``backend``) on a free loopback port."""
    with BackgroundServer(lambda: create_pos_app(backend, token)) as server:
        yield server


@dataclass
class InboundRun:
    """A session performed by a driver and the findings of grading it."""

    session: CertSession
    steps: list[StepResult]
    findings: list[Finding] = field(default_factory=list)


def pos_catalogue(pos_url: str, token: str | None) -> list[dict[str, Any]]:
    """The POS's products as its Product API lists them (``PosCatalogueError`` when it cannot)."""
    return read_pos_catalogue(pos_url, token)


def run_inbound(
    mock: RunningMock,
    *,
    driver: DriverFactory = Driver,
    catalogue: list[dict[str, Any]] | None = None,
    seed: int = 0,
    pos_version: str = "",
    resilience: bool = True,
) -> InboundRun:
    """Start a session, let ``driver`` perform the checklist, grade the journal.

    Without ``resilience`` the session has no resilience steps (no fault is injected, the
    RES requirements are not graded): quicker, for runs that grade the other requirements.

    The ``catalogue`` (the POS's products, Product API items) is loaded into the mock and
    kept by the session, so prices and product rewards are graded against it.
    """
    allowed = [str(item["id"]) for item in (catalogue or [])][:3]
    if catalogue:
        mock.load_catalogue(DOCS_BUSINESS_REFERENCE, catalogue)
    session = start_session(
        mock.url,
        pos_name=mock.pos_name,
        allowed_products=allowed,
        catalogue=catalogue or (),
        seed=seed,
        pos_version=pos_version,
        resilience=resilience,
    )
    steps = driver(session, mock.token(), catalogue, seed=seed).run()
    return InboundRun(session, steps, evaluate_session(session))


def run_demo(
    *,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int = 0,
    pos_version: str = "",
    on_ready: Callable[[str, str], None] | None = None,
) -> tuple[Report, InboundRun]:
    """Certify the reference POS end to end (inbound and outbound) on in-process servers."""
    with running_mock() as mock, running_pos() as pos:
        if on_ready is not None:
            on_ready(mock.url, pos.url)
        catalogue = pos_catalogue(pos.url, REFERENCE_POS_TOKEN)
        inbound = run_inbound(mock, catalogue=catalogue, seed=seed, pos_version=pos_version)
        outbound = certify_pos(pos.url, REFERENCE_POS_TOKEN, max_examples=max_examples, seed=seed)
    report = build_report(
        inbound.findings + outbound,
        pos_name=REFERENCE_POS_NAME,
        pos_version=pos_version,
        scope=["inbound", "outbound"],
        session_id=inbound.session.id,
        mock_url=mock.url,
    )
    return report, inbound
