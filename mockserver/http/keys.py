"""Typed keys of the objects the app shares, and the per-request state of one call.

Kept apart from `app.py` so that middlewares, handlers and the admin API can use the keys
without importing the app factory.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from loyapro_mock.mockserver.domain.violations import Violation
from loyapro_mock.mockserver.http.pipeline.validation import OperationValidator, SpecValidator

if TYPE_CHECKING:
    from loyapro_mock.mockserver.domain.usecases import LoyaPro
    from loyapro_mock.mockserver.domain.usecases.demo_state import DemoState
    from loyapro_mock.mockserver.http.journal_writer import JournalWriter
    from loyapro_mock.mockserver.http.pipeline.auth import Authenticator, Principal
    from loyapro_mock.mockserver.http.settings import Settings
    from loyapro_mock.mockserver.store import Store
    from loyapro_mock.mockserver.store.group_commit import GroupCommit

__all__ = [
    "AUTH",
    "CALL",
    "DEMO",
    "GROUP",
    "JOURNAL",
    "LOYAPRO",
    "OPERATIONS",
    "SETTINGS",
    "SPEC",
    "STARTED_AT",
    "STORE",
    "Call",
    "Handler",
    "Operation",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Operation:
    """One served operation: its spec id, route, compiled body validator and handler.

    Built once at startup so the request path does no spec lookups.
    """

    operation_id: str
    method: str
    path: str
    pos: bool  # a POS webhook (authenticated, journaled, lenient-aware); else admin
    validator: OperationValidator | None
    handler: Handler


@dataclass(slots=True)
class Call:
    """What the pipeline learned about one request; the journal entry is built from it."""

    operation: Operation | None = None
    pos_name: str | None = None
    principal: Principal | None = None
    body: Any = None
    raw_body: bytes | None = None
    violations: list[Violation] = field(default_factory=list)
    response_data: Any = None
    fault: dict[str, Any] | None = None  # the injected fault (mockserver.http.pipeline.traffic)


SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
SPEC: web.AppKey[SpecValidator] = web.AppKey("spec", SpecValidator)
AUTH: web.AppKey[Authenticator] = web.AppKey("auth")
STORE: web.AppKey[Store] = web.AppKey("store")
LOYAPRO: web.AppKey[LoyaPro] = web.AppKey("loyapro")
DEMO: web.AppKey[DemoState | None] = web.AppKey("demo")
JOURNAL: web.AppKey[JournalWriter] = web.AppKey("journal")
GROUP: web.AppKey[GroupCommit] = web.AppKey("group_commit")
OPERATIONS: web.AppKey[dict[str, Operation]] = web.AppKey("operations")
STARTED_AT: web.AppKey[float] = web.AppKey("started_at", float)
CALL: web.RequestKey[Call] = web.RequestKey("call", Call)
