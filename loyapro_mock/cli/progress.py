"""Progress of long certification steps, on stderr so stdout stays the report.

On a terminal it is one rich status line that changes with each step; elsewhere (a CI
log, a file) each step is one plain line, and nothing else is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.text import Text

__all__ = ["progress_on_stderr"]


@contextmanager
def progress_on_stderr(console: Console | None = None) -> Iterator[Callable[[str], None]]:
    """A callback that shows each step it is told, with the time elapsed since the start."""
    console = console or Console(stderr=True)
    start = time.monotonic()

    def elapsed() -> str:
        return f"{time.monotonic() - start:4.1f} s"

    if not console.is_terminal:

        def line(message: str) -> None:
            console.print(Text(f"loyapro-mock [{elapsed()}] {message}"), soft_wrap=True)

        yield line
        return
    with console.status("starting", spinner="dots") as status:

        def update(message: str) -> None:
            status.update(Text(f"{message}  ({elapsed()})"))

        yield update
