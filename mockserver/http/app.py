"""The app factory: ``create_app(settings)`` builds the whole mock LoyaPro.

The spec is loaded and every operation's validator compiled here, once; a spec the mock
cannot serve fails at this point, before anything listens. The store is opened (and the
demo state loaded on a first start) in ``cleanup_ctx`` and closed on shutdown, after the
open group commit and the journal's last batch are written (`mockserver.store.group_commit`,
`mockserver.http.journal_writer`).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

from loyapro_mock.mockserver.domain import faults
from loyapro_mock.mockserver.domain.programs import ProgramsConfig
from loyapro_mock.mockserver.domain.usecases import LoyaPro
from loyapro_mock.mockserver.domain.usecases.demo_state import DemoState, seed_demo
from loyapro_mock.mockserver.http.faults_config import load_fault_rules
from loyapro_mock.mockserver.http.journal_stream import setup_journal_stream
from loyapro_mock.mockserver.http.journal_writer import JournalWriter
from loyapro_mock.mockserver.http.keys import (
    AUTH,
    DEMO,
    GROUP,
    JOURNAL,
    LOYAPRO,
    OPERATIONS,
    SETTINGS,
    SPEC,
    STARTED_AT,
    STORE,
)
from loyapro_mock.mockserver.http.pipeline.auth import Authenticator
from loyapro_mock.mockserver.http.pipeline.limits import connection_middleware
from loyapro_mock.mockserver.http.pipeline.middlewares import contract_middleware, journal_middleware
from loyapro_mock.mockserver.http.pipeline.traffic import CONTROL_CACHE, ControlCache, traffic_middleware
from loyapro_mock.mockserver.http.pipeline.validation import SpecValidator
from loyapro_mock.mockserver.http.programs_config import load_programs
from loyapro_mock.mockserver.http.routes import add_routes, build_operations
from loyapro_mock.mockserver.http.settings import Settings
from loyapro_mock.mockserver.store import Store, open_store
from loyapro_mock.mockserver.store.group_commit import GroupCommit
from loyapro_mock.mockserver.store.retention import JournalPruner

__all__ = ["CHECKPOINT_INTERVAL", "create_app", "prepare_state"]

#: Seconds between background WAL checkpoints of a file store (mockserver.store.sqlite.connection).
CHECKPOINT_INTERVAL = 0.5


def create_app(settings: Settings | None = None) -> web.Application:
    """Build the aiohttp application serving ``settings.spec`` (default: loyapro-pos).

    Raises ``UnsupportedSpecError`` / ``ValueError`` (``ConfigError``) for a spec or programs
    configuration the mock cannot serve.
    """
    settings = settings or Settings()
    spec = SpecValidator.load(settings.spec)
    operations = build_operations(spec)
    programs = load_programs(settings.programs)
    fault_rules = load_fault_rules(settings.faults)
    app = web.Application(
        middlewares=[journal_middleware, connection_middleware, contract_middleware, traffic_middleware],
        client_max_size=settings.max_body_bytes,
    )
    app[SETTINGS] = settings
    app[SPEC] = spec
    app[OPERATIONS] = operations
    app[AUTH] = Authenticator(settings.secret, settings.all_static_tokens())
    app[STARTED_AT] = time.time()
    app[CONTROL_CACHE] = ControlCache()
    add_routes(app, operations)
    setup_journal_stream(app)

    async def state(app: web.Application) -> AsyncIterator[None]:
        store = open_store(settings.db, checkpoint_interval=CHECKPOINT_INTERVAL)
        loyapro = _loyapro(store, settings, programs, fault_rules)
        app[STORE] = store
        app[LOYAPRO] = loyapro
        app[GROUP] = GroupCommit(store)
        app[JOURNAL] = JournalWriter(store, defer=app[GROUP].defer)
        app[DEMO] = _seed(loyapro, store) if settings.demo else None
        _install_faults(loyapro, fault_rules)
        pruner = None
        if settings.journal_retention or settings.journal_max:
            pruner = JournalPruner(
                store, max_age=settings.journal_retention, max_entries=settings.journal_max
            ).start()
        try:
            yield
        finally:
            if pruner is not None:
                pruner.stop()
            app[GROUP].close()
            app[JOURNAL].flush()
            store.close()

    app.cleanup_ctx.append(state)
    return app


def _loyapro(
    store: Store, settings: Settings, programs: ProgramsConfig, fault_rules: list[dict[str, Any]]
) -> LoyaPro:
    return LoyaPro(
        store, programs, seeder=_seeder(settings, fault_rules), auto_register=settings.auto_register
    )


# -- the fault rules of a --faults file: installed on start and after every reset ------------
def _install_faults(loyapro: LoyaPro, fault_rules: list[dict[str, Any]]) -> None:
    if fault_rules:
        with loyapro.store.transaction() as tx:
            faults.install_config(tx, fault_rules)


def _seeder(settings: Settings, fault_rules: list[dict[str, Any]]) -> Callable[[LoyaPro], object] | None:
    """What a reset loads again: the demo state (when enabled) and the configured fault rules."""
    if not fault_rules:
        return seed_demo if settings.demo else None

    def seed(loyapro: LoyaPro) -> object:
        state = seed_demo(loyapro) if settings.demo else None
        _install_faults(loyapro, fault_rules)
        return state

    return seed


def prepare_state(settings: Settings) -> DemoState | None:
    """Open the store once and load the demo state (when enabled); return what it holds.

    ``serve --workers N`` calls this before starting the workers, so that they find the
    demo state complete instead of racing to create it.
    """
    store = open_store(settings.db)
    try:
        fault_rules = load_fault_rules(settings.faults)
        loyapro = _loyapro(store, settings, load_programs(settings.programs), fault_rules)
        demo = _seed(loyapro, store) if settings.demo else None
        _install_faults(loyapro, fault_rules)
        return demo
    finally:
        store.close()


def _seed(loyapro: LoyaPro, store: Store) -> DemoState:
    """Load the demo state in one transaction (a group commit): instances starting together
    on one database load it one after the other, each finding what the previous one made."""
    store.begin_group()
    try:
        return seed_demo(loyapro)
    finally:
        store.commit_group()  # a step that failed was undone alone, as outside a group
