"""The ceiling: a bare aiohttp handler that reads the body and returns a fixed JSON.

python bench/bare_server.py PORT
"""

from __future__ import annotations

import sys

from aiohttp import web

from loyapro_mock.mockserver.http.runner import loop_factory

_BODY = b'{"order_id":"x","status":"Paid","duplicate":false}'


async def handle(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(body=_BODY, content_type="application/json")


def main() -> None:
    app = web.Application()
    app.router.add_post("/pos/1.0.0/{pos_name}/order", handle)
    # The same event loop as the mock's (uvloop when installed), so the ratio compares the
    # mock's own work, not two loops.
    factory = loop_factory()
    web.run_app(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        print=None,
        access_log=None,
        loop=factory() if factory else None,
    )


if __name__ == "__main__":
    main()
