"""The startup banner of ``loyapro-mock serve``: what a POS developer needs for a first request.

It names the demo state (`mockserver.domain.usecases.demo_state`: the docs' business 440810
with POS ``foodics``, its branch and customer, one reward code of each kind) and ends with a
curl command that posts the docs' example order.
"""

from __future__ import annotations

import shlex

from loyapro_mock.mockserver.domain.usecases.demo_state import DemoState
from loyapro_mock.mockserver.http.pipeline.auth import issue_token
from loyapro_mock.mockserver.http.settings import DOCS_SAMPLE_TOKEN, Settings
from loyapro_mock.mockserver.http.version import VERSION
from loyapro_mock.mockserver.store import describe_db

__all__ = ["EXAMPLE_COMMAND", "banner", "base_url", "curl_command"]


def base_url(host: str, port: int) -> str:
    """The URL a client on this machine uses to reach a server bound to ``host:port``."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


#: The shell command the banner pipes into curl: it prints the docs' example order.
EXAMPLE_COMMAND = "loyapro-mock example order"


def curl_command(
    url: str, token: str, pos_name: str = "foodics", *, body_command: str = EXAMPLE_COMMAND
) -> str:
    """A one-line shell command that posts the docs' example order: ``body_command`` prints
    the body (read from the installed package at run time, so it survives any reinstall)
    and curl sends it from stdin."""
    parts = [
        "curl",
        "-sS",
        "-X",
        "POST",
        f"{url}/pos/1.0.0/{pos_name}/order",
        "-H",
        f"Authorization: Bearer {token}",
        "-H",
        "Accept: application/json",
        "-H",
        "Content-Type: application/json",
        "--data-binary",
        "@-",
    ]
    return f"{body_command} | {shlex.join(parts)}"


def banner(
    settings: Settings, demo: DemoState | None, *, port: int, example_command: str = EXAMPLE_COMMAND
) -> str:
    """What ``loyapro-mock serve`` prints once it listens; ``example_command`` is the shell
    command that prints the docs' example order (the CLI passes its own path)."""
    url = base_url(settings.host, port)
    pos = demo.pos_name if demo is not None else "foodics"
    token = issue_token(settings.secret, pos)
    mode = (
        "lenient (out-of-contract requests are accepted and recorded)"
        if settings.lenient
        else "strict (use --lenient to accept out-of-contract requests)"
    )
    lines = [
        f"loyapro-mock {VERSION}: a local LoyaPro is listening",
        "",
        f"  base URL       {url}/pos/1.0.0/{pos}",
        *(
            [f"  workers        {settings.workers} processes sharing the port and the state"]
            if settings.workers > 1
            else []
        ),
        f"  state          {describe_db(settings.db)}",
        f"  mode           {mode}",
        f"  bearer token   {token}",
    ]
    if demo is not None:
        lines += [
            f"                 (the docs' sample token {DOCS_SAMPLE_TOKEN[:16]}... works too)",
            f"  business       {demo.business_reference} ({demo.business_name}), branch {demo.branch_id}",
            f"  customer       +{demo.customer_dial_code} {demo.customer_mobile} (the docs' customer)",
            "  reward codes   " + ", ".join(f"{code} ({kind})" for kind, code in demo.codes.items()),
        ]
        if demo.magic_codes:
            lines.append(
                "  test codes     " + ", ".join(demo.magic_codes) + " (always refused: docs/server.md)"
            )
    lines += [
        f"  inspector      {url}/__admin/ui (open it in a browser: requests live, state, sessions)",
        f"  journal        {url}/__admin/requests",
        "",
        "Post the docs' example order:",
        "",
        curl_command(url, token, pos, body_command=example_command),
        "",
    ]
    return "\n".join(lines) + "\n"
