"""The report as JSON, plus the requirement catalogue so the file stands on its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from loyapro_mock.contracts.findings import Report
from loyapro_mock.contracts.requirements import REQUIREMENTS


def report_document(report: Report) -> dict[str, Any]:
    """The JSON document: the report's data and the whole requirement catalogue, each
    requirement with its ``status`` (``pass``, ``fail``, ``not_exercised`` or ``not_graded``)."""
    document = report.as_dict()
    document["requirements"] = [{**item.as_dict(), "status": report.status(item.id)} for item in REQUIREMENTS]
    return document


def render_json(report: Report) -> str:
    """The report as indented JSON text (UTF-8, Arabic kept readable)."""
    return json.dumps(report_document(report), indent=2, ensure_ascii=False) + "\n"


def write_json(report: Report, path: Path) -> Path:
    """Write :func:`render_json` to ``path``."""
    path.write_text(render_json(report), encoding="utf-8")
    return path
