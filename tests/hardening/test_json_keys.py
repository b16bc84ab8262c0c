"""Duplicate keys are found whatever the JSON looks like, and valid bodies are never refused."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loyapro_mock.mockserver.http.pipeline.json_keys import find_duplicate_key

# Keys and strings rich in the characters the fast count depends on.
_TEXT = st.text(alphabet=st.sampled_from(["a", "b", ":", '"', "\\", " ", "é", "\u0646"]), max_size=4)


@st.composite
def _raw(draw: st.DrawFn, depth: int = 0) -> tuple[str, bool]:
    """Raw JSON text (any spacing and escaping) and whether it repeats a key somewhere."""
    kind = draw(
        st.sampled_from(["object", "array", "string", "number"] if depth < 3 else ["string", "number"])
    )
    ensure_ascii = draw(st.booleans())
    colon = draw(st.sampled_from([":", ": ", " :", "\n:"]))
    if kind == "string":
        return json.dumps(draw(_TEXT), ensure_ascii=ensure_ascii), False
    if kind == "number":
        return str(draw(st.integers(-5, 5))), False
    children = [draw(_raw(depth + 1)) for _ in range(draw(st.integers(0, 3)))]
    duplicated = any(child[1] for child in children)
    if kind == "array":
        return "[" + ",".join(text for text, _ in children) + "]", duplicated
    keys = [draw(_TEXT) for _ in children]
    duplicated = duplicated or len(set(keys)) < len(keys)
    members = [
        json.dumps(key, ensure_ascii=ensure_ascii) + colon + text
        for key, (text, _) in zip(keys, children, strict=True)
    ]
    return "{" + ",".join(members) + "}", duplicated


@pytest.mark.slow  # 400 generated documents
@settings(max_examples=400, deadline=None, database=None)
@given(_raw())
def test_a_repeated_key_is_found_and_nothing_else_is(document: tuple[str, bool]) -> None:
    text, duplicated = document
    raw = text.encode()
    found = find_duplicate_key(raw, orjson.loads(raw))
    assert (found is not None) == duplicated, text


def test_the_docs_order_has_no_duplicate(docs_order: dict[str, Any]) -> None:
    raw = json.dumps(docs_order).encode()
    assert find_duplicate_key(raw, orjson.loads(raw)) is None


def test_the_repeated_key_is_named() -> None:
    raw = b'{"order": {"id": "a", "status": 4, "id": "b"}}'
    assert find_duplicate_key(raw, orjson.loads(raw)) == "id"


def test_a_colon_written_as_an_escape_does_not_hide_a_duplicate() -> None:
    raw = b'{"a": 1, "a": "\\u003a"}'
    assert find_duplicate_key(raw, orjson.loads(raw)) == "a"
