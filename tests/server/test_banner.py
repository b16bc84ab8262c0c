"""The startup banner: what a developer needs to send a first request."""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from loyapro_mock.cli.example import example, example_command
from loyapro_mock.mockserver.http.banner import banner
from loyapro_mock.mockserver.http.settings import Settings

from support.payloads import DOCS_EXAMPLE


def test_the_banner_names_the_workers_only_when_there_are_several(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    one = banner(Settings(db=db), None, port=8080)
    two = banner(Settings(db=db, workers=2), None, port=8080)
    assert "workers" not in one
    lines = two.splitlines()
    workers = lines.index("  workers        2 processes sharing the port and the state")
    assert lines[workers + 1] == f"  state          {db}"
    assert "http://127.0.0.1:8080/pos/1.0.0/foodics" in two


def test_the_banner_pipes_the_example_command_into_curl(tmp_path: Path) -> None:
    text = banner(
        Settings(db=str(tmp_path / "s.db")), None, port=8080, example_command="/x/loyapro-mock example order"
    )
    [line] = [line for line in text.splitlines() if "curl" in line]
    body, curl = line.split(" | ")
    assert body == "/x/loyapro-mock example order"
    assert curl.startswith("curl -sS -X POST http://127.0.0.1:8080/pos/1.0.0/foodics/order ")
    assert curl.endswith("--data-binary @-")


def test_example_prints_the_docs_order_byte_for_byte() -> None:
    result = CliRunner().invoke(example, ["order"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == DOCS_EXAMPLE.read_bytes()


def test_example_command_names_this_installation() -> None:
    command = example_command()
    program = command.removesuffix(" example order")
    script = Path(sys.executable).with_name("loyapro-mock")
    assert program in ("loyapro-mock", str(script), f"{sys.executable} -m loyapro_mock")


def test_the_banner_names_the_inspector_page(tmp_path: Path) -> None:
    text = banner(Settings(db=str(tmp_path / "s.db")), None, port=8080)
    [line] = [line for line in text.splitlines() if "/__admin/ui" in line]
    assert line.startswith("  inspector      http://127.0.0.1:8080/__admin/ui ")
