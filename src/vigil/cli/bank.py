"""``vigil bank``: hash banks of known material (hashes only, never media)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.common import console, errors, load_settings, opened_store
from vigil.media.banks import BankFileError, export_bank_csv, load_bank_csv

app = typer.Typer(help="Import, export and list hash banks.", no_args_is_help=True)


@app.command("import")
def import_bank(
    path: Annotated[Path, typer.Argument(help="CSV with header hash,signal_type,label,source.",
                                         exists=True, dir_okay=False)],
    name: Annotated[str, typer.Option(help="Bank name (created if new).")],
    threshold: Annotated[int, typer.Option(help="PDQ match distance, inclusive.")] = 31,
) -> None:
    """Add a CSV of hashes to a named bank (idempotent)."""
    try:
        info, entries = load_bank_csv(path, name, threshold)
    except BankFileError as exc:
        errors.print(str(exc))
        raise typer.Exit(1) from None
    with opened_store(load_settings()) as store:
        store.add_bank(info)
        result = store.add_bank_entries(entries)
    console.print(f"bank {name}: {result.added} new hashes, {result.duplicates} already there")


@app.command("export")
def export_bank(
    name: Annotated[str, typer.Argument(help="Bank to export.")],
    path: Annotated[Path, typer.Argument(help="CSV file to write.")],
) -> None:
    """Write a bank's hashes as CSV."""
    with opened_store(load_settings()) as store:
        entries = store.bank_entries(name)
    export_bank_csv(entries, path)
    console.print(f"wrote {len(entries)} hashes to {path}")


@app.command("list")
def list_banks() -> None:
    """Banks with their thresholds and sizes."""
    with opened_store(load_settings()) as store:
        table = Table(title="hash banks")
        for column in ("name", "type", "threshold", "hashes", "source"):
            table.add_column(column)
        for info in store.banks():
            table.add_row(info.name, info.signal_type, str(info.threshold),
                          str(len(store.bank_entries(info.name))), info.source)
    console.print(table)
