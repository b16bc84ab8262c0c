"""Reading a ``--faults FILE``: the fault rules a server starts with (`mockserver.domain.faults`).

The file is YAML: a list of rules, or ``rules: [...]``. Every problem is reported at once,
each naming the rule's place in the file (``faults.yaml: /0/action: must be one of ...``).
The rules are installed as the ``config`` rules when the store opens and again after each
``POST /__admin/reset``; rules added through the admin API come after them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from loyapro_mock.mockserver.domain import faults
from loyapro_mock.mockserver.domain.errors import DomainError

__all__ = ["FaultsFileError", "load_fault_rules"]


class FaultsFileError(ValueError):
    """A faults file that cannot be read, or rules that break the rule format."""


def load_fault_rules(path: str | Path | None) -> list[dict[str, Any]]:
    """The checked rules of a faults file (none without a file)."""
    if path is None:
        return []
    where = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise FaultsFileError(f"cannot read the faults file {where}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise FaultsFileError(f"the faults file {where} is not valid YAML: {exc}") from exc
    try:
        return faults.parse_rules(raw)
    except DomainError as exc:
        problems = [f"{where}: {e.pointer or '/'}: {e.message}" for e in exc.errors] or [
            f"{where}: {exc.detail}"
        ]
        raise FaultsFileError("\n  ".join(problems)) from None
