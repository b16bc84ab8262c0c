"""The LoyaPro contract as OpenAPI 3.1 documents, shipped inside the package.

`loyapro-pos.yaml` is what a POS sends to LoyaPro (plus the mock's admin API, tagged
`admin`); `pos-partner.yaml` is what a POS must expose to LoyaPro. Both are loaded from the
installed package unless a path is given.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = ["EXAMPLE_NAMES", "SPEC_NAMES", "example_path", "load_spec", "spec_path"]

SPEC_NAMES = ("loyapro-pos", "pos-partner")
#: The bundled example request bodies (`examples/<name>.json`).
EXAMPLE_NAMES = ("order",)


def spec_path(name: str = "loyapro-pos") -> Path:
    """The path of a bundled spec, by name (`loyapro-pos` or `pos-partner`)."""
    if name not in SPEC_NAMES:
        raise ValueError(f"unknown spec {name!r}; choose one of {', '.join(SPEC_NAMES)}")
    return Path(str(resources.files(__name__).joinpath(f"{name}.yaml")))


def example_path(name: str = "order") -> Path:
    """The path of a bundled example request body (`order` is the docs' example order)."""
    if name not in EXAMPLE_NAMES:
        raise ValueError(f"unknown example {name!r}; choose one of {', '.join(EXAMPLE_NAMES)}")
    return Path(str(resources.files(__name__).joinpath("examples", f"{name}.json")))


def load_spec(name_or_path: str | Path = "loyapro-pos") -> dict[str, Any]:
    """Parse a spec once: a bundled spec by name, or any OpenAPI YAML/JSON file by path."""
    if isinstance(name_or_path, str) and name_or_path in SPEC_NAMES:
        path = spec_path(name_or_path)
    else:
        path = Path(name_or_path)
    return _load(path.resolve())


@lru_cache(maxsize=8)
def _load(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read spec {path}: {exc.strerror}") from exc
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it
    try:
        document = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or "openapi" not in document:
        raise ValueError(f"{path} is not an OpenAPI document (no top-level 'openapi' key)")
    return document
