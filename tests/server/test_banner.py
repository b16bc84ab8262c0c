"""The startup banner: what a developer needs to send a first request."""

from __future__ import annotations

from pathlib import Path

from mockserver.demo import banner
from mockserver.settings import Settings


def test_the_banner_names_the_workers_only_when_there_are_several(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    one = banner(Settings(db=db), None, port=8080)
    two = banner(Settings(db=db, workers=2), None, port=8080)
    assert "workers" not in one
    lines = two.splitlines()
    workers = lines.index("  workers        2 processes sharing the port and the state")
    assert lines[workers + 1] == f"  state          {db}"
    assert "http://127.0.0.1:8080/pos/1.0.0/foodics" in two
