"""`loyapro-mock token` and `loyapro-mock serve` (a real subprocess, a real curl)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jwt
import orjson
import pytest
from click.testing import CliRunner

from loyapro_mock.cli.serve import serve
from loyapro_mock.cli.token import token
from loyapro_mock.mockserver.http.settings import DEFAULT_SECRET
from loyapro_mock.mockserver.store.postgres import PostgresStore

from support.servers import read_until, start_cli

STARTUP_SECONDS = 30


def test_token_prints_a_jwt_with_the_docs_claims() -> None:
    result = CliRunner().invoke(token, ["foodics"], env={"LOYAPRO_MOCK_CONFIG": ""})
    assert result.exit_code == 0, result.output
    claims = jwt.decode(result.output.strip(), DEFAULT_SECRET, algorithms=["HS256"])
    assert claims["platform"] == "pos"
    assert claims["name"] == "foodics"
    assert abs(claims["iat"] - time.time()) < 60
    assert "businesses" not in claims


def test_token_with_businesses_and_a_configured_secret(tmp_path: Path) -> None:
    config = tmp_path / "mock.yaml"
    config.write_text("secret: a-configured-secret-of-32-bytes-or-more\n", encoding="utf-8")
    result = CliRunner().invoke(
        token, ["marn", "--business", "440810", "--business", "7", "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    claims = jwt.decode(
        result.output.strip(), "a-configured-secret-of-32-bytes-or-more", algorithms=["HS256"]
    )
    assert claims["name"] == "marn"
    assert claims["businesses"] == ["440810", "7"]


def test_token_with_a_broken_config_fails_with_a_message(tmp_path: Path) -> None:
    config = tmp_path / "mock.yaml"
    config.write_text("colour: blue\n", encoding="utf-8")
    result = CliRunner().invoke(token, ["foodics", "--config", str(config)])
    assert result.exit_code == 1
    assert "unknown setting 'colour'" in result.output


@contextmanager
def running_mock(db: Path, tmp_path: Path) -> Iterator[list[str]]:
    """`loyapro-mock serve` on a free port with ``db``; yields its banner lines."""
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("LOYAPRO_MOCK_CONFIG", None)
    process, lines = start_cli(["serve", "--port", "0", "--db", str(db)], env=env)
    try:
        banner = read_until(process, lines, "| curl ", seconds=STARTUP_SECONDS)
        yield banner
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def paste(banner: list[str]) -> dict[str, Any]:
    """Run the banner's curl command through a shell, as a person pasting it would."""
    [command] = [line.strip() for line in banner if "| curl " in line]
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = orjson.loads(done.stdout)
    return result


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_serve_prints_a_curl_command_that_works_when_pasted(tmp_path: Path) -> None:
    db = tmp_path / "state" / "mock.db"
    with running_mock(db, tmp_path) as banner:
        text = "".join(banner)
        assert "PRD-4B8N2X (products)" in text
        assert "PCT-9T3W5H (percentage)" in text
        assert "FIX-7Q2M9K (fixed_amount)" in text
        assert str(db) in text
        result = paste(banner)
    assert result["status"] == "Paid"
    assert result["customer"]["customer_mobile_number"] == "557937530"
    assert [e["program"] for e in result["loyalty"]["earned"]][:1] == ["points"]
    assert result["duplicate"] is False


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_state_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "mock.db"
    with running_mock(db, tmp_path) as banner:
        assert paste(banner)["duplicate"] is False
    with running_mock(db, tmp_path) as banner:
        again = paste(banner)
    assert again["duplicate"] is True
    assert again["loyalty"]["reason"] == "already_processed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "between 0 and 65535"),
        (["--spec", "/nonexistent/spec.yaml"], "cannot read spec"),
        (["--db", ":memory:", "--config", "{config}"], "programs.440810.points"),
    ],
)
def test_serve_refuses_bad_settings_before_listening(tmp_path: Path, args: list[str], message: str) -> None:
    config = tmp_path / "mock.yaml"
    config.write_text("programs: {'440810': {points: {per_unit: lots}}}\n", encoding="utf-8")
    args = [a.replace("{config}", str(config)) for a in args]
    env = {"LOYAPRO_MOCK_CONFIG": "", "XDG_DATA_HOME": str(tmp_path)}
    result = CliRunner().invoke(serve, args, env=env)
    assert result.exit_code == 1
    assert message in result.output


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_refuses_an_unreachable_postgresql_with_the_reason(
    tmp_path: Path, workers: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    db = f"postgresql://mock:s3cret@127.0.0.1:{port}/loyapro"
    env = {"LOYAPRO_MOCK_CONFIG": "", "XDG_DATA_HOME": str(tmp_path)}
    result = CliRunner().invoke(serve, ["--db", db, "--port", "0", "--workers", workers], env=env)
    assert result.exit_code == 1
    assert f"cannot connect to PostgreSQL at postgresql://mock:***@127.0.0.1:{port}/loyapro" in result.output
    assert "refused" in result.output
    assert "s3cret" not in result.output and "Traceback" not in result.output
    assert not list(tmp_path.glob("postgresql*"))  # a URL is never taken for a folder to create


@pytest.mark.postgres
def test_serve_refuses_a_database_written_by_a_newer_mock(tmp_path: Path, postgres_url: str) -> None:
    with PostgresStore(postgres_url) as store, store.transaction() as tx:
        tx.set_meta("schema_version", "7")
    env = {"LOYAPRO_MOCK_CONFIG": "", "XDG_DATA_HOME": str(tmp_path)}
    result = CliRunner().invoke(serve, ["--db", postgres_url, "--port", "0"], env=env)
    assert result.exit_code == 1
    assert "its schema is version 7, newer than this mock knows" in result.output
    assert "Traceback" not in result.output
