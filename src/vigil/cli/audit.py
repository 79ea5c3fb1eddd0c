"""``vigil audit``: verify the custody log, print its signed head, list its entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vigil import SignedHead, sign_custody_head, verify_custody_log
from vigil.cli.common import console, errors, load_settings, opened_store, store_custody_signer

app = typer.Typer(help="Verify the custody log, print its signed head, list its entries.",
                  no_args_is_help=True)


@app.command("verify")
def verify_command(
    head: Annotated[list[Path] | None, typer.Option(
        help="A head kept by a witness ('vigil audit head' output); repeat for several.",
        exists=True, dir_okay=False)] = None,
    public_key: Annotated[str | None, typer.Option(
        help="Ed25519 public key (hex) heads must be signed with; default: the custody key's.")]
    = None,
) -> None:
    """Check every entry, link and signed head; exit 1 naming the first problem."""
    settings = load_settings()
    witnessed = [_read_head(path) for path in head or []]
    trusted = public_key or store_custody_signer(settings).public_key()
    if trusted is None:
        errors.print("no custody key file: heads are checked against the key they name")
    with opened_store(settings) as store:
        report = verify_custody_log(store, trusted, witnessed)
    if not report.ok:
        errors.print(report.line())
        raise typer.Exit(1)
    typer.echo(report.line())


@app.command("head")
def head_command() -> None:
    """Sign the log's current head, keep it, and print it as JSON for an outside witness."""
    settings = load_settings()
    with opened_store(settings) as store:
        signed = sign_custody_head(store, store_custody_signer(settings))
    typer.echo(json.dumps(signed.to_json(), indent=2))


@app.command("list")
def list_command(
    limit: Annotated[int, typer.Option(help="How many of the latest entries to show.")] = 20,
) -> None:
    """The latest custody entries: who, in which role, did what to which object, and why."""
    with opened_store(load_settings()) as store:
        entries = store.custody_entries()
    table = Table(title=f"last {min(limit, len(entries))} of {len(entries)} custody entries")
    for column in ("seq", "recorded (UTC)", "actor", "role", "action", "object", "case",
                   "outcome", "justification"):
        table.add_column(column, overflow="fold")
    for e in entries[-limit:] if limit > 0 else []:
        table.add_row(str(e.seq), e.recorded_at[:22], e.actor, e.role, e.action, e.target,
                      e.case_id, e.outcome, e.justification)
    console.print(table)


def _read_head(path: Path) -> SignedHead:
    try:
        return SignedHead.from_json(json.loads(path.read_text()))
    except (ValueError, KeyError, TypeError) as exc:
        errors.print(f"{path}: not a custody head as 'vigil audit head' prints it: {exc!r}")
        raise typer.Exit(2) from None
