"""A tiny rich progress bar for long CLI work (import, export, report, bench).

    from app.progress import progress
    with progress("导入历史稿件", total=len(rows)) as advance:
        for row in rows:
            ...
            advance()

Draws nothing when stderr is not a terminal (CI, pipes, tests), so output stays machine-readable.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


@contextmanager
def progress(description: str, total: int | None = None, *, force: bool = False) -> Iterator[Callable[..., None]]:
    """Yield `advance(n=1, description=None)`; the bar closes when the block ends."""
    console = Console(stderr=True)
    if not (force or sys.stderr.isatty()):
        yield lambda n=1, description=None: None
        return
    bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=False)
    with bar:
        task = bar.add_task(description, total=total)

        def advance(n: int = 1, description: str | None = None) -> None:
            if description is None:
                bar.advance(task, n)
            else:
                bar.update(task, advance=n, description=description)

        yield advance
