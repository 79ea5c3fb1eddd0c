"""``vigil records``: move imported records between the records table and the columnar store."""

from __future__ import annotations

import typer

from vigil import RecordsLocationError, columnar_records, locate_store, migrate_records
from vigil.cli.common import console, errors, load_settings, opened_store

app = typer.Typer(help="Move imported records between the store and the columnar store.",
                  no_args_is_help=True)


@app.command("migrate")
def migrate_command() -> None:
    """Copy payments from the records table to Parquet parts (VIGIL_RECORDS_URL, else
    records/ beside the SQLite store); idempotent, so an interrupted copy is finished by running
    it again. Then set VIGIL_RECORD_STORE=parquet."""
    settings = load_settings()
    with opened_store(settings) as store:
        try:
            target = columnar_records(settings, locate_store(settings.database_url,
                                                             settings.home).url)
        except RecordsLocationError as exc:
            errors.print(f"vigil: {exc}", markup=False)
            raise typer.Exit(2) from None
        results = migrate_records(store, target)
    for kind, result in results.items():
        console.print(f"{kind.value}: {result.added} copied, {result.duplicates} already there, "
                      f"{len(result.conflicts)} left out (id stored with other content)")
    console.print(f"parts: {target.folder.root}")
