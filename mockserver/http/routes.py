"""Routes come from the spec: every operation in it must have a handler, and vice versa.

Each operation is resolved once at startup into an :class:`~mockserver.http.keys.Operation`
(route, compiled body validator, handler), so no request looks anything up in the spec.
"""

from __future__ import annotations

from aiohttp import web

from loyapro_mock.mockserver.http import admin, admin_traffic, handlers
from loyapro_mock.mockserver.http.keys import Handler, Operation
from loyapro_mock.mockserver.http.pipeline.validation import SpecValidator, UnsupportedSpecError

__all__ = ["HANDLERS", "add_routes", "build_operations"]

HANDLERS: dict[str, Handler] = {
    "order": handlers.order,
    "reward": handlers.reward,
    "redeem": handlers.redeem,
    **admin.HANDLERS,
    **admin_traffic.HANDLERS,
}


def build_operations(spec: SpecValidator) -> dict[str, Operation]:
    """Pair each spec operation with its handler and compile its body validator.

    Fails loudly when the spec and the mock disagree on the set of operations.
    """
    operations: dict[str, Operation] = {}
    for info in spec.operations():
        handler = HANDLERS.get(info.operation_id)
        if handler is None:
            raise UnsupportedSpecError(
                f"the spec's operation {info.operation_id!r} ({info.method} {info.path}) "
                "has no handler in the mock"
            )
        validator = spec.request_validator(info.operation_id) if info.has_body else None
        operations[info.operation_id] = Operation(
            operation_id=info.operation_id,
            method=info.method,
            path=info.path,
            pos="admin" not in info.tags,
            validator=validator,
            handler=handler,
        )
    missing = sorted(set(HANDLERS) - set(operations))
    if missing:
        raise UnsupportedSpecError("the spec lacks operations the mock serves: " + ", ".join(missing))
    return operations


def add_routes(app: web.Application, operations: dict[str, Operation]) -> None:
    """Register one route per operation, named by its operation id."""
    for op in operations.values():
        app.router.add_route(op.method, op.path, op.handler, name=op.operation_id)
