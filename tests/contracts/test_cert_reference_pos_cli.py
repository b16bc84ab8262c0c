"""`loyapro-mock reference-pos`: the bundled reference POS in the foreground."""

from __future__ import annotations

import signal
import socket
import subprocess

import pytest
import requests
from click.testing import CliRunner

from loyapro_mock.cli import main
from loyapro_mock.cli.reference_pos import reference_pos

from support.servers import read_until, start_cli

STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow  # starts a process
def test_reference_pos_serves_prints_how_to_certify_it_and_stops_on_ctrl_c() -> None:
    port = _free_port()
    process, lines = start_cli(["reference-pos", "--port", str(port), "--token", "T0ken"])
    try:
        banner = read_until(process, lines, "Ctrl-C", seconds=STARTUP_SECONDS)
        url = f"http://127.0.0.1:{port}"
        text = "".join(banner)
        assert f"reference POS  {url}\n" in text
        assert "token          T0ken\n" in text
        assert f"loyapro-mock certify pos --base-url {url} --token T0ken\n" in text
        products = requests.get(f"{url}/products", headers={"Authorization": "Bearer T0ken"}, timeout=10)
        assert products.status_code == 200 and len(products.json()["data"]) > 0
        refused = requests.get(f"{url}/products", headers={"Authorization": "Bearer nope"}, timeout=10)
        assert refused.status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
    assert code == 0
    rest = ""
    while not lines.empty():
        rest += lines.get()
    assert "reference POS: stopped" in rest and "Traceback" not in rest


def test_a_port_in_use_is_a_clear_error_not_a_traceback() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        result = CliRunner().invoke(reference_pos, ["--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}: port {port} is already in use (choose another --port)" in (
        result.output
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_command_is_listed_in_the_main_help() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert "reference-pos" in result.output
    help_text = CliRunner().invoke(main, ["reference-pos", "--help"]).output
    assert "--port" in help_text and "9000" in help_text and "--token" in help_text
