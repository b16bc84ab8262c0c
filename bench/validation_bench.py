"""Time to validate the docs' example order: compiled jsonschema-rs vs pure-Python jsonschema.

Both validators get the same schema (the order webhook body with the spec's components) and
the same document, in the same run, so the ratio is comparable across machines.

    python bench/validation_bench.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from typing import Any

import jsonschema

from loyapro_mock.mockserver.http.pipeline.validation import SpecValidator
from loyapro_mock.openapi import example_path

TARGET_US = 50.0


def per_call_us(func: Callable[[], Any], seconds: float) -> float:
    """Best of five rounds, each calling `func` for about seconds/5; microseconds per call."""
    calls = 1
    while True:  # find a batch size that takes about 10 ms
        start = time.perf_counter()
        for _ in range(calls):
            func()
        if time.perf_counter() - start > 0.01:
            break
        calls *= 2
    best = float("inf")
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or best == float("inf"):
        start = time.perf_counter()
        for _ in range(calls):
            func()
        best = min(best, (time.perf_counter() - start) / calls)
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time spent per validator")
    args = parser.parse_args()

    spec = SpecValidator.load()
    document = json.loads(example_path("order").read_text())
    compiled = spec.request_validator("order")
    assert compiled.validate(document) == []

    body = spec.spec["paths"]["/pos/1.0.0/{pos_name}/order"]["post"]["requestBody"]
    schema = {**body["content"]["application/json"]["schema"], "components": spec.spec["components"]}
    pure = jsonschema.Draft202012Validator(schema)
    assert not list(pure.iter_errors(document))

    rs_us = per_call_us(lambda: compiled.validate(document), args.seconds)
    py_us = per_call_us(lambda: list(pure.iter_errors(document)), args.seconds)

    print(f"machine: {platform.machine()} {platform.python_implementation()} {platform.python_version()}")
    print(f"document: docs' example order, {len(json.dumps(document))} bytes")
    print(f"{'validator':<28}{'us/validation':>15}")
    print(f"{'jsonschema-rs (compiled)':<28}{rs_us:>15.1f}")
    print(f"{'jsonschema (pure Python)':<28}{py_us:>15.1f}")
    print(f"ratio: pure Python / compiled = {py_us / rs_us:.0f}x")
    verdict = "meets" if rs_us <= TARGET_US else "MISSES"
    print(f"target: compiled <= {TARGET_US:.0f} us -> {verdict}")


if __name__ == "__main__":
    main()
