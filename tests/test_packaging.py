"""The wheel carries the specs, and an installed copy loads them from site-packages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from loyapro_mock.mockserver.http.pipeline.validation import SpecValidator

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # Built from a copy, so the build leaves nothing (build/, *.egg-info) in the checkout.
    source = tmp_path_factory.mktemp("source") / "loyapro-mock"
    shutil.copytree(
        ROOT,
        source,
        symlinks=True,
        ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.db"),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("loyapro_mock-*.whl")
    return built


def test_wheel_contains_both_specs_and_the_docs_example(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "loyapro_mock/openapi/loyapro-pos.yaml",
        "loyapro_mock/openapi/pos-partner.yaml",
        "loyapro_mock/openapi/examples/order.json",
    } <= names


def test_wheel_contains_the_programs_schema(wheel: Path) -> None:
    assert "loyapro_mock/mockserver/http/programs.schema.json" in zipfile.ZipFile(wheel).namelist()


def test_wheel_contains_the_inspector_page(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    folder = "loyapro_mock/mockserver/http/ui/"
    assert {folder + name for name in ("index.html", "inspector.js", "inspector.css")} <= names


def test_wheel_installs_one_import_root(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"loyapro_mock", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    packages = {name.rsplit("/", 1)[0] for name in names if name.endswith("/__init__.py")}
    assert {
        "loyapro_mock/mockserver",
        "loyapro_mock/contracts",
        "loyapro_mock/fixtures",
        "loyapro_mock/openapi",
        "loyapro_mock/cli",
    } <= packages


def test_wheel_registers_the_pytest_plugin_under_the_import_root(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (entry_points,) = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
        text = archive.read(entry_points).decode()
    assert "loyapro = loyapro_mock.contracts.pytest_plugin" in text


def test_wheel_leaves_a_generic_fixtures_package_alone(wheel: Path, tmp_path: Path) -> None:
    # testtools' `fixtures` (PyPI) owns the top-level name; installing the wheel beside it
    # must not overwrite it.
    target = tmp_path / "site"
    (target / "fixtures").mkdir(parents=True)
    (target / "fixtures" / "__init__.py").write_text("class Fixture:\n    pass\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    assert (target / "fixtures" / "__init__.py").read_text() == "class Fixture:\n    pass\n"
    assert (target / "loyapro_mock" / "fixtures" / "__init__.py").is_file()


def test_installed_wheel_loads_specs_from_site_packages(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    target = sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)})
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", target, str(wheel)],
        check=True,
        capture_output=True,
    )
    # The new venv sees its own site-packages first; third-party dependencies come from this
    # interpreter's site-packages (plain directories, so no editable finder of the checkout).
    deps = sysconfig.get_paths()["purelib"]
    script = (
        "from loyapro_mock import openapi; import loyapro_mock.mockserver.http.pipeline.validation as v;"
        "print(openapi.__file__);"
        "print(len(v.SpecValidator.load('loyapro-pos').operations()));"
        "print(len(v.SpecValidator.load('pos-partner').operations()));"
        "from loyapro_mock.mockserver.http import programs_config as p;"
        "p.load_programs({'440810': {}}); print(p.SCHEMA_PATH)"
    )
    result = subprocess.run(
        [str(python), "-c", script],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": deps},
    )
    origin, pos_ops, partner_ops, programs_schema = result.stdout.split()
    assert Path(origin).is_relative_to(env_dir)
    assert Path(programs_schema).is_relative_to(env_dir)
    assert int(pos_ops) == len(SpecValidator.load("loyapro-pos").operations())
    assert int(partner_ops) == 3
