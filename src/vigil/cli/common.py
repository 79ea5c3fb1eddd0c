"""What every command shares: settings, the store, the registry, progress and case tables."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from vigil import Case, Registry, Settings, StepCallback, Store, load_registry, open_store

PIPE_WIDTH = 140
"""Width for tables written to a pipe or file (a terminal's own width is used when there is one)."""

console = Console(width=None if sys.stdout.isatty() else PIPE_WIDTH)
errors = Console(stderr=True)


def load_settings() -> Settings:
    return Settings()


def registry() -> Registry:
    return load_registry()


@contextmanager
def opened_store(settings: Settings, url: str | None = None) -> Iterator[Store]:
    store = open_store(url or settings.database_url)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def progress_steps(description: str) -> Iterator[StepCallback]:
    """A Rich spinner whose text follows the pipeline's steps (quiet when not a terminal)."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=errors, transient=True, disable=not errors.is_terminal) as progress:
        task = progress.add_task(description, total=None)

        def step(name: str) -> None:
            progress.update(task, description=f"{description}: {name}")

        yield step


def cases_table(cases: Sequence[Case], limit: int = 10) -> Table:
    """The ranked table: priority, size, kinds of signal and each component's contribution.

    Full reason sentences are one command away (``vigil cases show ID``), so the table stays
    readable in an 80-column terminal.
    """
    table = Table(title=f"Top {min(limit, len(cases))} of {len(cases)} cases")
    for column in ("#", "case", "priority", "signals", "ids", "kinds", "why (contribution)"):
        table.add_column(column, overflow="fold")
    for rank, case in enumerate(cases[:limit], start=1):
        table.add_row(str(rank), case.id, f"{case.priority:.3f}", str(len(case.signals)),
                      str(len(case.entities)),
                      " ".join(sorted(k.value[:4] for k in case.signal_kinds())),
                      _why(case))
    return table


def _why(case: Case) -> str:
    scored = sorted((r for r in case.reasons if r.contribution > 0), key=lambda r: -r.contribution)
    parts = [f"{r.component} {r.contribution:.2f}" for r in scored]
    hubs = sum(1 for r in case.reasons if r.component == "hub_suppressed")
    if hubs:
        parts.append(f"{hubs} hub(s) not linked")
    return ", ".join(parts)
