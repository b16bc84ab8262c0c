"""Finding an object that names the same key twice, without a slow parse on every request.

JSON parsers keep one of two duplicate keys (orjson the last), so ``{"reward_code": "A",
"reward_code": "B"}`` means different things to different systems; the mock refuses such a
body rather than guess. orjson cannot report duplicates, and the standard library's parser
with a hook costs several times a fast parse, so the exact check only runs when a cheap
count cannot rule duplicates out.

The count: outside strings, a colon only ever separates a key from its value. Serialising
the parsed body again writes each key that survived once, and every string with the same
colons as the request, unless the request wrote a colon as a ``\u003a`` escape. So when the
request holds no such escape and no more colons than the re-serialised body, no key (and no
value under it) was dropped for a duplicate. Other bodies take the exact check.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["find_duplicate_key"]


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(key)
            seen.add(key)
    return result


def _exact(raw: bytes) -> str | None:
    try:
        json.loads(raw, object_pairs_hook=_refuse_duplicates)
    except _Duplicate as found:
        return found.key
    except (ValueError, RecursionError):  # orjson accepted it; trust that parse
        return None
    return None


def find_duplicate_key(raw: bytes, parsed: Any) -> str | None:
    """A key that some object in ``raw`` names twice, or None.

    ``parsed`` is ``raw`` as orjson parsed it (without error).
    """
    if not isinstance(parsed, dict | list):
        return None
    if b"\\u003" not in raw:  # no colon written as an escape (nor a digit: never mind)
        try:
            again = orjson.dumps(parsed)
        except orjson.JSONEncodeError:
            return _exact(raw)
        if raw.count(b":") == again.count(b":"):
            return None
    return _exact(raw)
