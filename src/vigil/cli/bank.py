"""``vigil bank``: hash banks of known material (hashes only, never media)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

import vigil
from vigil import (
    BANK_FORMATS,
    AnonymousActorError,
    BankFileError,
    BankKind,
    BankSpec,
    UnknownBankError,
    export_bank,
    load_bank,
)
from vigil.cli.common import console, errors, load_settings, opened_store
from vigil.cli.problems import print_problem

app = typer.Typer(help="Import, export, list, pause and resume hash banks.",
                  no_args_is_help=True)
FORMATS = ", ".join(sorted(BANK_FORMATS))
MAX_THRESHOLD = 255
"""PDQ hashes are 256 bits compared by Hamming distance (ThreatExchange
``pdq/cpp/common/pdqhashtypes.h``), so a distance is 0-256 and a threshold of 256 matches every
hash; pdq/README.md and pytx ``PDQ_CONFIDENT_MATCH_THRESHOLD`` use 31. Same limit as
:class:`vigil.BankSpec`."""
MAX_NAME_LENGTH = 100
"""vigil's choice: a bank name is a short handle typed by analysts and shown in every match."""


def _bank_name(name: str) -> str:
    """Refuse names an analyst could not type back or read in a table (Typer exits 2)."""
    if not name.strip():
        raise typer.BadParameter("a bank needs a name, not an empty or blank one")
    if name != name.strip():
        raise typer.BadParameter(f"{name!r} starts or ends with spaces")
    if len(name) > MAX_NAME_LENGTH:
        raise typer.BadParameter(f"{len(name)} characters; at most {MAX_NAME_LENGTH}")
    if not name.isprintable():
        raise typer.BadParameter(f"{name!r} holds control characters")
    return name


@app.command("import")
def import_bank(
    path: Annotated[Path, typer.Argument(help="Bank file.", exists=True, dir_okay=False)],
    name: Annotated[str, typer.Option(help="Bank name (created if new; at most 100 printable "
                                           "characters).", callback=_bank_name)],
    threshold: Annotated[int, typer.Option(
        help="PDQ match distance, inclusive, 0-255 bits (31 is PDQ's usual).",
        min=0, max=MAX_THRESHOLD)] = 31,
    kind: Annotated[BankKind, typer.Option(
        help="positive: known material; negative: known false positives.")] = BankKind.POSITIVE,
    file_format: Annotated[str | None, typer.Option(
        "--format", help=f"One of {FORMATS}; sniffed from the file when left out.")] = None,
    category: Annotated[list[str] | None, typer.Option(
        help="Keep only these categories (Project VIC); repeat for several.")] = None,
) -> None:
    """Add a file of hashes to a named bank (idempotent; a bad row refuses the whole file).

    Exit codes: 0 imported, 1 the file was refused, 2 a bad option (named in the message).
    """
    spec = BankSpec(name=name, threshold=threshold, kind=kind, origin=str(path),
                    only_categories=frozenset(category) if category else None)
    try:
        parsed = load_bank(path, spec, file_format)
    except (BankFileError, ValueError) as exc:
        errors.print(str(exc))
        raise typer.Exit(1) from None
    with opened_store(load_settings()) as store:
        store.add_bank(parsed.info)
        result = store.add_bank_entries(parsed.entries)
    console.print(f"bank {name} ({kind.value}): {result.added} new hashes, "
                  f"{result.duplicates} already there")
    for note in parsed.notes():
        console.print(f"  {note}")


@app.command("export")
def export_bank_command(
    name: Annotated[str, typer.Argument(help="Bank to export.")],
    path: Annotated[Path, typer.Argument(help="File to write.")],
    file_format: Annotated[str, typer.Option("--format", help=f"One of {FORMATS}.")] = "csv",
) -> None:
    """Write a bank's hashes in one of the bank formats.

    Exit codes: 0 written, 1 no such bank or the file cannot be written, 2 a bad option.
    """
    if file_format not in BANK_FORMATS:
        raise typer.BadParameter(f"unknown bank format {file_format!r}: use one of {FORMATS}",
                                 param_hint="'--format'")
    with opened_store(load_settings()) as store:
        info = next((b for b in store.banks() if b.name == name), None)
        entries = store.bank_entries(name)
    if info is None:
        errors.print(f"no bank {name!r}; 'vigil bank list' shows them")
        raise typer.Exit(1)
    try:
        export_bank(info, entries, path, file_format)
    except OSError as exc:
        print_problem(f"{path}: cannot write the bank file: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    console.print(f"wrote {len(entries)} hashes to {path} ({file_format})")


@app.command("list")
def list_banks() -> None:
    """Banks with their kind, state, thresholds and sizes."""
    with opened_store(load_settings()) as store:
        table = Table(title="hash banks")
        for column in ("name", "kind", "state", "type", "threshold", "hashes", "source"):
            table.add_column(column, overflow="fold")
        counts = store.bank_entry_counts()
        for info in store.banks():
            state = "enabled" if info.enabled else f"paused: {info.state_reason} ({info.state_by})"
            count = counts.get(info.name)
            size = "0" if count is None else str(count.entries) + (
                f" ({count.paused} paused)" if count.paused else "")
            table.add_row(info.name, info.kind.value, state, info.signal_type,
                          str(info.threshold), size, info.source)
    console.print(table)


def _set_enabled(name: str, enabled: bool, analyst: str, reason: str) -> None:
    decide = vigil.resume_bank if enabled else vigil.pause_bank
    with opened_store(load_settings()) as store:
        try:
            event = decide(store, store, name, actor=analyst, reason=reason)
        except AnonymousActorError:
            errors.print("--analyst must name the person deciding")
            raise typer.Exit(2) from None
        except UnknownBankError as exc:
            errors.print(str(exc))
            raise typer.Exit(1) from None
    console.print(f"bank {name}: {'enabled' if enabled else 'paused'} by {event.actor}")


@app.command("pause")
def pause_bank(
    name: Annotated[str, typer.Argument(help="Bank to pause.")],
    analyst: Annotated[str, typer.Option(help="Your name: recorded in the audit log.")],
    reason: Annotated[str, typer.Option(help="Why.")] = "paused by an analyst",
) -> None:
    """Stop a bank from matching until it is resumed (audited)."""
    _set_enabled(name, False, analyst, reason)


@app.command("resume")
def resume_bank(
    name: Annotated[str, typer.Argument(help="Bank to resume.")],
    analyst: Annotated[str, typer.Option(help="Your name: recorded in the audit log.")],
    reason: Annotated[str, typer.Option(help="Why.")] = "resumed by an analyst",
) -> None:
    """Let a paused bank match again (audited)."""
    _set_enabled(name, True, analyst, reason)
