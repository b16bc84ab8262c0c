"""Report writers: terminal summary, HTML sign-off, JUnit XML and JSON."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from loyapro_mock.contracts.findings import Report
from loyapro_mock.contracts.reports.html_report import render_html, write_html
from loyapro_mock.contracts.reports.json_report import render_json, write_json
from loyapro_mock.contracts.reports.junit import render_junit, write_junit
from loyapro_mock.contracts.reports.terminal import print_report, summary_table, verdict_line

__all__ = [
    "print_report",
    "render_html",
    "render_json",
    "render_junit",
    "summary_table",
    "tool_version",
    "verdict_line",
    "write_all",
    "write_html",
    "write_json",
    "write_junit",
]


def write_all(report: Report, directory: Path, stem: str = "certification") -> dict[str, Path]:
    """Write the HTML, JUnit XML and JSON reports into ``directory``; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    return {
        "html": write_html(report, directory / f"{stem}.html"),
        "junit": write_junit(report, directory / f"{stem}.junit.xml"),
        "json": write_json(report, directory / f"{stem}.json"),
    }


def tool_version() -> str:
    """The installed loyapro-mock version, or "0.0.0" in a checkout that is not installed."""
    try:
        return version("loyapro-mock")
    except PackageNotFoundError:
        return "0.0.0"
