"""What every command shares: settings, the store, the registry, progress and case tables."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from vigil import (
    Case,
    HeadSigner,
    RecordsLocationError,
    RecordStore,
    Registry,
    Settings,
    StepCallback,
    Store,
    StoreError,
    StoreLocation,
    custody_signer,
    hide_password,
    load_registry,
    locate_store,
    open_located_store,
    record_store_for,
    store_failure_text,
    store_summary,
)

PIPE_WIDTH = 140
"""Width for tables written to a pipe or file (a terminal's own width is used when there is one)."""

console = Console(width=None if sys.stdout.isatty() else PIPE_WIDTH)
errors = Console(stderr=True)


STORE_ERROR_EXIT = 3
"""Exit status when the store cannot be opened or used (2 is Typer's usage error)."""


def load_settings() -> Settings:
    """The settings, or one line per bad ``VIGIL_*`` variable and exit 2 (no traceback)."""
    try:
        return Settings()
    except ValidationError as exc:
        for problem in exc.errors():
            name = "VIGIL_" + "_".join(str(part) for part in problem["loc"]).upper()
            value = problem.get("input")
            shown = hide_password(value) if isinstance(value, str) else value
            say(f"vigil: setting {name}={shown!r}: {problem['msg']}")
        raise typer.Exit(2) from None


def registry() -> Registry:
    return load_registry()


def say(line: str) -> None:
    """One line on stderr, never wrapped and never read as Rich markup."""
    errors.print(line, markup=False, highlight=False, soft_wrap=True)


@contextmanager
def opened_store(settings: Settings, url: str | None = None) -> Iterator[Store]:
    """The configured store, announced on stderr; store errors end the command in one line."""
    location = _locate(settings, url)
    with store_errors_reported(f"store {location.shown} ({location.origin})"):
        store = open_located_store(location, settings)
        say(f"store: {store_summary(store, location)}")
        try:
            yield store
        finally:
            store.close()


@contextmanager
def store_errors_reported(store: str) -> Iterator[None]:
    """Store errors in the block end the command with one line naming ``store``, exit 3.

    Nothing a store raises reaches the user as a traceback: a traceback would show the failing
    statement, and a message from the database may quote a row's values.
    """
    try:
        yield
    except Exception as exc:
        problem = store_failure_text(exc, store)
        if problem is None:
            raise
        _store_failed(store, problem)


def store_custody_signer(settings: Settings) -> HeadSigner:
    """The key that signs the configured store's custody heads (created only when it signs)."""
    return custody_signer(settings, _locate(settings, None))


def record_store(settings: Settings, store: Store) -> RecordStore:
    """Where records go and come from (``VIGIL_RECORD_STORE``): ``store`` itself, or Parquet
    parts beside it for payments; a columnar store with no place ends the command (exit 2)."""
    try:
        return record_store_for(settings, store, _locate(settings, None).url)
    except RecordsLocationError as exc:
        errors.print(f"vigil: {exc}", markup=False)
        raise typer.Exit(2) from None


def _locate(settings: Settings, url: str | None) -> StoreLocation:
    try:
        return locate_store(url or settings.database_url, settings.home)
    except StoreError as exc:
        say(f"vigil: {exc}")
        raise typer.Exit(STORE_ERROR_EXIT) from None


def _store_failed(store: str, problem: str) -> NoReturn:
    say(f"vigil: {store}: {problem}")
    raise typer.Exit(STORE_ERROR_EXIT) from None


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
