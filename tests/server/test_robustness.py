"""Nothing a client sends makes the mock answer 500: mutated bodies, strict and lenient."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from support.payloads import DEMO_CODES, lookup_body, redeem_body
from support.webhooks import auth_headers

ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1,
    1.5,
    -1e308,
    1e308,
    2**62,
    "",
    "x",
    "966",
    "0557937530",
    "+966557937530",
    [],
    {},
    [1],
    {"a": 1},
    "2023-01-01",
    "\u0000",
    "٠٥٥٧٩٣٧٥٣٠",
    4,
    5,
    7,
    "440810",
    440810,
    "PRD-4B8N2X",
]
MUTANTS_PER_MODE = 150


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def mutate(rng: random.Random, document: dict[str, Any]) -> dict[str, Any]:
    """Replace or delete one to four members anywhere in the document."""
    body = copy.deepcopy(document)
    paths = list(_paths(body))
    for _ in range(rng.randint(1, 4)):
        path = rng.choice(paths)
        parent: Any = body
        try:
            for key in path[:-1]:
                parent = parent[key]
            if isinstance(parent, dict) and rng.random() < 0.2:
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = rng.choice(ODD_VALUES)
        except (KeyError, IndexError, TypeError):
            continue
    return body


@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "lenient"])
async def test_mutated_requests_never_cause_a_500(
    make_client: Any, token: str, docs_order: dict[str, Any], lenient: bool
) -> None:
    client = await make_client(lenient=lenient)
    rng = random.Random(20230101)
    bases = [
        ("order", docs_order),
        ("reward", lookup_body(DEMO_CODES["percentage"])),
        ("redeem", redeem_body(DEMO_CODES["products"], "o-1", 24, product_id="_7g3g8555")),
        ("redeem", redeem_body(DEMO_CODES["fixed_amount"], "o-2", 10)),
    ]
    statuses: set[int] = set()
    for _ in range(MUTANTS_PER_MODE):
        operation, base = rng.choice(bases)
        body = orjson.dumps(mutate(rng, base))
        response = await client.post(
            f"/pos/1.0.0/foodics/{operation}", data=body, headers=auth_headers(token)
        )
        assert response.status < 500, (body, await response.text())
        statuses.add(response.status)
    assert 200 in statuses
    assert statuses & {400, 404, 409, 410, 422}
