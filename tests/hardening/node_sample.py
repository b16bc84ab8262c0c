"""LoyaPro's published Node.js sample request (``data/loyapro-node-sample.js``, a verbatim copy),
read into the headers and body bytes it sends, so a test can send exactly that without Node.js.

The sample writes ``JSON.stringify(<object literal>)`` with the header ``Content-Length: 8856``,
more than the body's bytes: a server that trusts the header waits for bytes that never come.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

SAMPLE = Path(__file__).parent / "data" / "loyapro-node-sample.js"
_KEY = re.compile(r"([{,]\s*)([A-Za-z_$][\w$]*)\s*:")


def _js_to_json(literal: str) -> str:
    """A JavaScript object literal (unquoted keys, single-quoted strings) as JSON text."""
    out: list[str] = []
    code: list[str] = []
    i = 0
    while i < len(literal):
        char = literal[i]
        if char in "'\"":
            end = literal.index(char, i + 1)
            out.append(_KEY.sub(r'\1"\2":', "".join(code)))
            code = []
            out.append(json.dumps(literal[i + 1 : end], ensure_ascii=False))
            i = end + 1
        else:
            code.append(char)
            i += 1
    out.append(_KEY.sub(r'\1"\2":', "".join(code)))
    return "".join(out)


def _literal(source: str, start: str, end: str) -> Any:
    begin = source.index(start) + len(start)
    return json.loads(_js_to_json(source[begin : source.index(end, begin)]))


def sample_source() -> str:
    """The sample as LoyaPro publishes it."""
    return SAMPLE.read_text(encoding="utf-8")


def sample_headers() -> dict[str, str]:
    """The headers the sample's ``options`` name (Content-Length: 8856 among them)."""
    options = _literal(sample_source(), "const options = ", ";\nconst req")
    return {str(k): str(v) for k, v in options["headers"].items()}


def sample_body() -> bytes:
    """The bytes ``JSON.stringify`` makes of the sample's body."""
    body = _literal(sample_source(), "req.write(JSON.stringify(", "));\nreq.end();")
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def runnable_sample(port: int, *, fixed: bool = False) -> str:
    """The sample pointed at ``http://127.0.0.1:port``; ``fixed`` drops its Content-Length."""
    source = (
        sample_source()
        .replace('require("https")', 'require("http")')
        .replace('"hostname": "loyapro.com"', '"hostname": "127.0.0.1"')
        .replace('"port": null', f'"port": {port}')
    )
    if fixed:
        source = source.replace(',\n"Content-Length": "8856"', "")
    return source
