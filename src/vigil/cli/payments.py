"""``vigil payments``: scan payment files with the typology pack, explain one account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from vigil import (
    AccountTimeline,
    NoImporterError,
    PaymentScan,
    UnknownAccountPayments,
    UnknownPluginError,
    account_timeline,
    plot_timeline,
    scan_payment_files,
    write_scan_drafts,
)
from vigil.cli.common import console, errors, load_settings, opened_store, record_store, registry

app = typer.Typer(help="Payments: scan files with the OSEC typology pack, explain an account.",
                  no_args_is_help=True)


@app.command("scan")
def scan_command(
    files: Annotated[list[Path], typer.Argument(
        help="Payment files: canonical CSV/JSON Lines, ISO 20022 XML, MT103, P2P-wallet CSV.",
        exists=True, dir_okay=False)],
    engine: Annotated[str | None, typer.Option(
        help="SQL engine by registered name (duckdb, spark); default VIGIL_ENGINE.")] = None,
    format_name: Annotated[str | None, typer.Option(
        "--format", help="Importer by name (csv, jsonl, iso20022, mt103, p2p-csv); default: "
        "by content, then by suffix.")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="One JSON object per scored account on stdout, highest score first.")]
    = False,
    drafts: Annotated[Path | None, typer.Option(
        help="Folder for a SAR/STR draft (JSON and text) per flagged account.")] = None,
    top: Annotated[int, typer.Option(help="Rows in the table.")] = 20,
) -> None:
    """Import the files, run the payment typology pack on them, store its findings as signals
    and rank the accounts (flagged: score past the threshold from two rules or more)."""
    settings = load_settings()
    with opened_store(settings) as store:
        try:
            scan = scan_payment_files(files, record_store(settings, store), store, settings,
                                      registry(), engine=engine, format_name=format_name,
                                      banks=store)
        except (NoImporterError, UnknownPluginError) as exc:
            errors.print(f"vigil: {exc}", markup=False)
            raise typer.Exit(2) from None
        written = write_scan_drafts(scan, store, store, drafts) if drafts is not None else []
    for summary in scan.files:
        if summary.quarantined:
            errors.print(f"{summary.path}: {summary.quarantined} row(s) quarantined ('vigil "
                         f"quarantine' lists them); first: {'; '.join(summary.first_problems)}",
                         markup=False, highlight=False, soft_wrap=True)
    if as_json:
        for account in scan.accounts:
            typer.echo(json.dumps(account.to_json(), ensure_ascii=False))
    else:
        console.print(_scan_table(scan, top))
    for json_path, _ in written:
        errors.print(f"draft (needs a named person's confirmation): {json_path}", markup=False,
                     highlight=False, soft_wrap=True)


def _scan_table(scan: PaymentScan, top: int) -> Table:
    table = Table(title=f"{len(scan.accounts)} accounts scored from {len(scan.payments)} "
                        f"payments ({len(scan.flagged)} flagged; engine {scan.engine}, rules "
                        f"{scan.rules_version}; {scan.stored_signals} new signals stored)")
    for column in ("account", "score", "flagged", "rules (value x weight)", "why (top rule)"):
        table.add_column(column, overflow="fold")
    for account in scan.accounts[:top]:
        rules = ", ".join(f"{r.id} {r.value:.2f}x{r.weight:g}" for r in account.rules)
        table.add_row(*map(Text, (account.account, f"{account.score:.3f}",
                                  "yes" if account.flagged else "", rules,
                                  account.rules[0].explanation if account.rules else "")))
    return table


@app.command("explain")
def explain_command(
    account: Annotated[str, typer.Argument(
        help="The account: payment_account:<provider>:<id> or <provider>:<id>.")],
    plot: Annotated[Path | None, typer.Option(
        help="Where to write the plot, without suffix (writes .png and .svg); default "
        "payments-<account>.")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="One JSON object per payment on stdout instead of the table.")] = False,
) -> None:
    """The account's feature timeline (gaps, 7/30/90/365-day counts and sums, hour, even
    amounts) as a table, and a plot of amounts and gaps over time (PNG and SVG)."""
    settings = load_settings()
    with opened_store(settings) as store:
        try:
            timeline = account_timeline(record_store(settings, store), account)
        except (UnknownAccountPayments, ValueError) as exc:
            errors.print(f"vigil: {exc}", markup=False)
            raise typer.Exit(1) from None
    stem = plot or Path("payments-" + "".join(c if c.isalnum() else "_" for c in account))
    png, svg = plot_timeline(timeline, stem)
    if as_json:
        for row in timeline.rows:
            typer.echo(json.dumps(row.to_json(), ensure_ascii=False))
    else:
        console.print(_timeline_table(timeline))
    errors.print(f"plot: {png} {svg}", markup=False, highlight=False, soft_wrap=True)


def _timeline_table(timeline: AccountTimeline) -> Table:
    table = Table(title=Text(f"{timeline.account}: {len(timeline.rows)} payments"))
    for column in ("sent (UTC)", "dir", "counterparty", "US$", "gap d", "n 7d", "n 30d",
                   "n 90d", "n 365d", "US$ 30d", "hour", "even", "reference"):
        table.add_column(column, overflow="fold")
    for row in timeline.rows:
        table.add_row(*map(Text, (
            row.sent_at[:16].replace("T", " "), row.direction,
            f"{row.counterparty} ({row.counterparty_country})", f"{row.amount_usd:,.2f}",
            "" if row.gap_days is None else f"{row.gap_days:.1f}",
            *(str(row.counts[d]) for d in (7, 30, 90, 365)), f"{row.usd_sums[30]:,.2f}",
            f"{row.hour_utc:02d}", "yes" if row.even_amount else "", row.reference)))
    return table
