"""``vigil records``: move imported records between the records table and the columnar store."""

from __future__ import annotations

from typing import Annotated

import typer

from vigil import (
    MoveError,
    RecordsLocationError,
    Settings,
    columnar_records,
    locate_store,
    migrate_records,
    move_records,
)
from vigil.cli.common import console, errors, load_settings, opened_store

app = typer.Typer(help="Move imported records between the store and the columnar store.",
                  no_args_is_help=True)


def _location_error(exc: RecordsLocationError | MoveError) -> typer.Exit:
    errors.print(f"vigil: {exc}", markup=False)
    return typer.Exit(2)


def _store_url(settings: Settings) -> str:
    return locate_store(settings.database_url, settings.home).url


@app.command("migrate")
def migrate_command() -> None:
    """Copy payments, messages, media observations and reports from the records table to
    Parquet parts (VIGIL_RECORDS_URL, else records/ beside the SQLite store); idempotent, so an
    interrupted copy is finished by running it again. Then set VIGIL_RECORD_STORE=parquet."""
    settings = load_settings()
    with opened_store(settings) as store:
        try:
            target = columnar_records(settings, _store_url(settings))
        except RecordsLocationError as exc:
            raise _location_error(exc) from None
        results = migrate_records(store, target)
    for kind, result in results.items():
        console.print(f"{kind.value}: {result.added} copied, {result.duplicates} already there, "
                      f"{len(result.conflicts)} left out (id stored with other content)")
    console.print(f"parts: {target.folder.root}")


@app.command("move")
def move_command(
    batch: Annotated[int, typer.Option(min=1, help="Rows per batch (one part each).")] = 10_000,
) -> None:
    """Move the records waiting in the records table (accepted by the API one at a time, or
    imported before VIGIL_RECORD_STORE=parquet) into Parquet parts, then delete them there.
    Safe to interrupt: run it again and every record ends up in the parts exactly once."""
    settings = load_settings()
    with opened_store(settings) as store:
        try:
            results = move_records(store, columnar_records(settings, _store_url(settings)), batch)
        except (RecordsLocationError, MoveError) as exc:
            raise _location_error(exc) from None
    for kind, result in results.items():
        console.print(f"{kind.value}: {result.moved} moved, {result.duplicates} already there, "
                      f"{result.quarantined} quarantined (id stored with other content)")
