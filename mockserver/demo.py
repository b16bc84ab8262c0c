"""Demo state on start, and the startup banner that tells a POS developer what to do next.

The demo state itself (the docs' business 440810 with POS ``foodics``, its branch, the docs'
customer and a few more, a small catalog, one reward code of each kind) is the domain's
`mockserver.seed.seed_demo`; it is idempotent, so a restart keeps what a POS did to it.
"""

from __future__ import annotations

import shlex
from dataclasses import asdict
from typing import Any

from loyapro_mock import __version__
from mockserver.auth import issue_token
from mockserver.seed import DemoState, seed_demo
from mockserver.service import LoyaltyService
from mockserver.settings import DOCS_SAMPLE_TOKEN, Settings
from openapi import example_path

__all__ = ["banner", "base_url", "curl_command", "demo_summary", "ensure_demo_state"]


def ensure_demo_state(service: LoyaltyService) -> DemoState:
    """Load the demo state (fills only what is missing on an existing database)."""
    return seed_demo(service)


def demo_summary(state: DemoState | None) -> dict[str, Any] | None:
    """The demo state as JSON-ready data (for ``POST /__admin/reset``)."""
    if state is None:
        return None
    data = asdict(state)
    data["product_ids"] = list(state.product_ids)
    return data


def base_url(host: str, port: int) -> str:
    """The URL a client on this machine uses to reach a server bound to ``host:port``."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def curl_command(url: str, token: str, pos_name: str = "foodics") -> str:
    """A one-line curl that posts the docs' example order (shipped in the package)."""
    data = "@" + str(example_path("order"))
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
        data,
    ]
    return shlex.join(parts)


def banner(settings: Settings, demo: DemoState | None, *, port: int) -> str:
    """What ``loyapro-mock serve`` prints once it listens."""
    url = base_url(settings.host, port)
    pos = demo.pos_name if demo is not None else "foodics"
    token = issue_token(settings.secret, pos)
    mode = (
        "lenient (out-of-contract requests are accepted and recorded)"
        if settings.lenient
        else "strict (use --lenient to accept out-of-contract requests)"
    )
    lines = [
        f"loyapro-mock {__version__}: a local LoyaPro is listening",
        "",
        f"  base URL       {url}/pos/1.0.0/{pos}",
        *(
            [f"  workers        {settings.workers} processes sharing the port and the state"]
            if settings.workers > 1
            else []
        ),
        f"  state          {settings.db}",
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
    lines += [
        f"  journal        {url}/__admin/requests",
        "",
        "Post the docs' example order:",
        "",
        curl_command(url, token, pos),
        "",
    ]
    return "\n".join(lines) + "\n"
