"""The direction of the imports, read from the source with `ast`.

domain <- store <- http <- contracts <- CLI: each part of `loyapro_mock` imports only the
parts below it (`RULES`). Every import counts, also one inside a function or under
``TYPE_CHECKING``, since it is a dependency all the same. Nothing imports the repository's
folders by their own names (``import mockserver``): only as ``loyapro_mock.<name>``.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "loyapro_mock"
#: The repository's folders that install as ``loyapro_mock.<name>``.
FOLDERS = ("openapi", "mockserver", "contracts", "fixtures")

DOMAIN = "loyapro_mock.mockserver.domain"
STORE = "loyapro_mock.mockserver.store"
HTTP = "loyapro_mock.mockserver.http"
MOCKSERVER = "loyapro_mock.mockserver"
OPENAPI = "loyapro_mock.openapi"
FIXTURES = "loyapro_mock.fixtures"
CONTRACTS = "loyapro_mock.contracts"
CLI = "loyapro_mock.cli"

#: A module's part (the longest key naming it or a package above it) -> the parts of
#: `loyapro_mock` it may import (each with everything below it).
RULES: dict[str, tuple[str, ...]] = {
    PACKAGE: (),  # the root package imports none of its parts
    f"{PACKAGE}.__main__": (CLI,),
    MOCKSERVER: (),  # its __init__ only describes the three layers
    DOMAIN: (DOMAIN,),
    STORE: (DOMAIN, STORE),
    HTTP: (DOMAIN, STORE, HTTP, OPENAPI),
    OPENAPI: (OPENAPI,),
    FIXTURES: (OPENAPI, FIXTURES),
    CONTRACTS: (MOCKSERVER, OPENAPI, FIXTURES, CONTRACTS),
    CLI: (PACKAGE,),  # the CLI wires everything, the root's __version__ included
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[0] != PACKAGE:
        parts.insert(0, PACKAGE)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def package_modules() -> dict[str, Path]:
    """Every module of the package by its installed name, read from the repository."""
    paths = [path for folder in FOLDERS for path in (ROOT / folder).rglob("*.py")]
    paths += (ROOT / PACKAGE / "cli").rglob("*.py")
    paths += [ROOT / PACKAGE / "__init__.py", ROOT / PACKAGE / "__main__.py"]
    return {_module_name(path): path for path in sorted(paths)}


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@cache
def imported_names(path: Path, module: str | None, known: frozenset[str]) -> tuple[str, ...]:
    """The absolute names the file at ``path`` imports, in the order `ast.walk` meets them.

    ``from a import b`` is ``a.b`` when that is a module in ``known``, else ``a``. Relative
    imports are resolved against ``module``, the file's name in the package (None: a file
    outside the package, whose relative imports are its own business).
    """
    if module is None:
        package: list[str] = []
    else:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
        if isinstance(node, ast.Import):
            names += (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level and module is None:
                continue
            anchor = package[: len(package) - node.level + 1] if node.level else []
            base = ".".join([*anchor, node.module] if node.module else anchor)
            for alias in node.names:
                name = f"{base}.{alias.name}"
                names.append(name if name in known else base)
    return tuple(names)


def part_of(module: str) -> str:
    """The key of `RULES` that governs ``module``."""
    return max((key for key in RULES if _within(module, key)), key=len)


def forbidden(module: str, names: Iterable[str]) -> list[str]:
    """The names among ``names`` that ``module`` may not import, by `RULES`."""
    allowed = RULES[part_of(module)]
    return [name for name in names if _within(name, PACKAGE) and not any(_within(name, p) for p in allowed)]


@cache
def upward_imports() -> frozenset[tuple[str, str]]:
    """Every (module, imported name) of the package that `RULES` forbids."""
    known = frozenset(package_modules())
    return frozenset(
        (module, name)
        for module, path in package_modules().items()
        for name in forbidden(module, imported_names(path, module, known))
    )


def test_every_part_of_the_package_is_read() -> None:
    parts = {part_of(module) for module in package_modules()}
    assert parts == set(RULES)
    assert f"{DOMAIN}.usecases.loyapro" in package_modules()
    assert f"{STORE}.sqlite.store" in package_modules()
    assert f"{HTTP}.pipeline.auth" in package_modules()


@pytest.mark.parametrize("part", list(RULES))
def test_each_part_imports_only_the_parts_below_it(part: str) -> None:
    offences = sorted((module, name) for module, name in upward_imports() if part_of(module) == part)
    allowed = ", ".join(RULES[part]) or "nothing of loyapro_mock"
    assert offences == [], f"{part} may import only {allowed}; it imports:\n" + "\n".join(
        f"  {module} imports {name}" for module, name in offences
    )


def test_nothing_imports_a_folder_by_its_own_name() -> None:
    """Not the package, its tests or its benchmarks: ``import mockserver`` only works from a
    checkout's root, and loads a second copy of what ``loyapro_mock.mockserver`` is."""
    files: list[tuple[str, Path, str | None]] = [
        (name, path, name) for name, path in package_modules().items()
    ]
    for folder in ("tests", "bench"):
        files += [(str(path.relative_to(ROOT)), path, None) for path in sorted((ROOT / folder).rglob("*.py"))]
    offences = sorted(
        (where, name)
        for where, path, module in files
        for name in imported_names(path, module, frozenset(package_modules()))
        if name.split(".")[0] in FOLDERS
    )
    assert offences == [], "import these as loyapro_mock.<name>:\n" + "\n".join(
        f"  {module} imports {name}" for module, name in offences
    )


def test_the_rules_catch_an_upward_import(tmp_path: Path) -> None:
    """What the walk sees of a domain module that reaches up, and into a function."""
    path = tmp_path / "rules.py"
    path.write_text(
        "from loyapro_mock import __version__\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from loyapro_mock.mockserver.http.settings import Settings\n"
        "def f():\n"
        "    from ..store import sqlite\n"
        "    import loyapro_mock.cli\n",
        encoding="utf-8",
    )
    module = f"{DOMAIN}.rules"
    names = imported_names(path, module, frozenset({f"{STORE}.sqlite", CLI}))
    assert names == (PACKAGE, "typing", f"{HTTP}.settings", f"{STORE}.sqlite", CLI)
    assert forbidden(module, names) == [PACKAGE, f"{HTTP}.settings", f"{STORE}.sqlite", CLI]


#: What the domain must not load, even indirectly: it is testable without HTTP or a database.
NOT_IN_THE_DOMAIN = ("aiohttp", "sqlite3", "psycopg", "psycopg_pool", "jsonschema_rs")

_IMPORT_THE_DOMAIN = """
import importlib, json, pkgutil, sys

watched, chains = set(sys.argv[2:]), {}

class Watch:
    # On the first import of a watched module, the modules being executed are the chain.
    def find_spec(self, name, path=None, target=None):
        if name in watched and name not in chains:
            frame, chain = sys._getframe(1), [name]
            while frame is not None:
                if frame.f_code.co_name == "<module>" and frame.f_globals.get("__name__") != "__main__":
                    chain.insert(0, frame.f_globals["__name__"])
                frame = frame.f_back
            chains[name] = chain
        return None

def fail(name):
    raise ImportError(name)

sys.meta_path.insert(0, Watch())
domain = importlib.import_module(sys.argv[1])
modules = [domain.__name__]
for info in pkgutil.walk_packages(domain.__path__, domain.__name__ + ".", onerror=fail):
    importlib.import_module(info.name)
    modules.append(info.name)
print(json.dumps({"modules": modules, "chains": chains, "loaded": sorted(watched & set(sys.modules))}))
"""


def test_the_domain_loads_no_http_database_or_schema_library() -> None:
    """In a fresh interpreter, so that nothing another test imported hides a dependency."""
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_THE_DOMAIN, DOMAIN, *NOT_IN_THE_DOMAIN],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert f"{DOMAIN}.usecases.loyapro" in report["modules"]
    chains = {lib: " -> ".join(chain) for lib, chain in report["chains"].items()}
    assert (report["loaded"], chains) == ([], {}), "\n".join(
        f"{lib} is loaded by {chain}" for lib, chain in sorted(chains.items())
    )
