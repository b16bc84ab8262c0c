"""The wheel carries the specs, and an installed copy loads them from site-packages."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from mockserver.validation import SpecValidator

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
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
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("loyapro_mock-*.whl")
    return built


def test_wheel_contains_both_specs_and_the_docs_example(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"openapi/loyapro-pos.yaml", "openapi/pos-partner.yaml", "openapi/examples/order.json"} <= names


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
        "import openapi, mockserver.validation as v;"
        "print(openapi.__file__);"
        "print(len(v.SpecValidator.load('loyapro-pos').operations()));"
        "print(len(v.SpecValidator.load('pos-partner').operations()))"
    )
    result = subprocess.run(
        [str(python), "-c", script],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": deps},
    )
    origin, pos_ops, partner_ops = result.stdout.split()
    assert Path(origin).is_relative_to(env_dir)
    assert int(pos_ops) == len(SpecValidator.load("loyapro-pos").operations())
    assert int(partner_ops) == 3
