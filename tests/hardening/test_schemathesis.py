"""schemathesis against a running mock: every default check, every phase, zero failures.

Runs the schemathesis CLI on the bundled loyapro-pos.yaml against a `loyapro-mock serve`
process, with the settings in ``schemathesis.toml`` beside this file. Bounded for CI: a fixed
seed and a few examples per operation (a ``--max-time`` budget would be spent whole: it
makes fuzzing repeat until the time is up).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from loyapro_mock.openapi import spec_path

from support.servers import ServerProcess, start_server

pytestmark = pytest.mark.slow
CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = 10
TIMEOUT_SECONDS = 120


def _schemathesis() -> str:
    beside_python = Path(sys.executable).with_name("schemathesis")
    found = str(beside_python) if beside_python.exists() else shutil.which("schemathesis")
    if found is None:
        pytest.fail("the schemathesis CLI is not installed (it is a dependency)")
    return found


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = start_server(tmp_path / "state.db")
    yield process
    process.stop()


def test_schemathesis_finds_no_failure(server: ServerProcess, token: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            _schemathesis(),
            "--no-color",
            "--config-file",
            str(CONFIG),
            "run",
            str(spec_path("loyapro-pos")),
            "--url",
            server.base_url,
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            "20230101",
            "--no-shrink",
            "--generation-database",
            "none",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path / "report"),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        cwd=tmp_path,  # schemathesis keeps a cache folder in its working directory
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    assert " passed" in output and "failure" not in output.split("SUMMARY")[-1], output[-4000:]
    assert server.proc.poll() is None, "the mock died under schemathesis"
