"""The ``vigil`` command: import, run, review and the demo, over the library's public API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vigil import (
    AnonymousExportError,
    IncompleteReportError,
    JurisdictionError,
    NoImporterError,
    OutboundRefusedError,
    RecordKind,
    Registry,
    Settings,
    UnknownCasesError,
    UnknownPluginError,
    case_to_json,
    detectors_off_by_law,
    error_ledger,
    export_cases,
    import_files,
    run,
    run_demo,
)
from vigil.cli import (
    accounts,
    audit,
    bank,
    cases,
    chats,
    media,
    outbox,
    payments,
    records,
    retention,
    serve,
    share,
)
from vigil.cli.common import (
    cases_table,
    console,
    errors,
    load_settings,
    opened_store,
    progress_steps,
    record_store,
    registry,
    say,
    store_errors_reported,
)

app = typer.Typer(help="vigil: linked, explained, prioritised cases against cybersex trafficking.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(cases.app, name="cases")
app.add_typer(bank.app, name="bank")
app.add_typer(audit.app, name="audit")
app.add_typer(share.app, name="share")
app.add_typer(accounts.app, name="accounts")
app.add_typer(chats.app, name="chats")
app.add_typer(outbox.app, name="outbox")
app.add_typer(retention.app, name="retention")
app.add_typer(records.app, name="records")
app.add_typer(payments.app, name="payments")
app.command("hash")(media.hash_command)
app.command("match")(media.match_command)
app.command("monitor")(media.monitor_command)
app.command("serve")(serve.serve_command)
app.add_typer(serve.keys_app, name="keys")


@app.command("plugins")
def list_plugins() -> None:
    """Every registered plug-in by kind and stable name: detectors, importers, exporters, bank
    formats, indexes, engines, scorers and signal types."""
    try:
        off = detectors_off_by_law(load_settings())
    except JurisdictionError as exc:
        say(f"vigil: {exc}")
        raise typer.Exit(2) from None
    table = Table(title="vigil plug-ins")
    for column in ("kind", "name", "version", "description", "in force"):
        table.add_column(column)
    for kind, name, version, description in registry().rows():
        law = "off by law" if kind == "detector" and name in off else ""
        table.add_row(kind, name, version, description, law)
    console.print(table)
    for name, sentence in sorted(off.items()):
        console.print(f"{name}: {sentence}", markup=False, highlight=False)


@app.command("export")
def export_command(
    case_ids: Annotated[list[str], typer.Argument(help="Case ids from 'vigil cases list'.")],
    analyst: Annotated[str, typer.Option(help="Your name: recorded in the audit log.")],
    format_name: Annotated[str, typer.Option(
        "--format", help="A registered exporter ('vigil plugins' lists them).")] = "json",
    out: Annotated[Path | None, typer.Option(
        help="File to write; without it the export goes to standard output.", dir_okay=False)]
    = None,
) -> None:
    """Export chosen cases in a registered format (json, html, cybertip, stix, misp, vics, csv).

    Only cases the human gate lets out (confirmed by name, or known-hash matches only); the
    export's SHA-256 is audited with your name."""
    try:
        exporter = registry().exporter(format_name)
    except UnknownPluginError as exc:
        errors.print(str(exc))
        raise typer.Exit(2) from None
    settings = load_settings()
    with opened_store(settings) as store:
        try:
            exported = export_cases(store, store, case_ids, exporter, analyst,
                                    str(out) if out else "stdout",
                                    reporter_email=settings.reporter_email)
        except AnonymousExportError as exc:
            errors.print(str(exc))
            raise typer.Exit(2) from None
        except (UnknownCasesError, OutboundRefusedError, IncompleteReportError) as exc:
            say(str(exc))
            raise typer.Exit(1) from None
    for gap in exported.gaps:
        say(f"warning: {gap}")
    if out is None:
        typer.echo(exported.text)
        return
    out.write_bytes(exported.data())
    say(f"{len(exported.cases)} case(s) as {exporter.name} in {out} (sha256 {exported.sha256})")


@app.command("ledger")
def ledger_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON rows.")] = False,
) -> None:
    """Per detector and version, the true and false positives people confirmed (EU 2021/1232)."""
    with opened_store(load_settings()) as store:
        rows = error_ledger(store)
    if as_json:
        typer.echo(json.dumps([{"detector": r.detector, "version": r.version,
                                "true_positives": r.true_positives,
                                "false_positives": r.false_positives,
                                "precision": r.precision} for r in rows], indent=2))
        return
    table = Table(title="error ledger: confirmed (true) and dismissed (false) positives")
    for column in ("detector", "version", "true positives", "false positives", "precision"):
        table.add_column(column)
    for r in rows:
        shown = "-" if r.precision is None else f"{r.precision:.2f}"
        table.add_row(r.detector, r.version, str(r.true_positives), str(r.false_positives), shown)
    console.print(table)
    if not rows:
        console.print("no case confirmed or dismissed yet ('vigil cases confirm' / 'dismiss')")


@app.command("import")
def import_command(
    kind: Annotated[RecordKind, typer.Argument(help="What the files hold.")],
    files: Annotated[list[Path], typer.Argument(help="Files to import.", exists=True,
                                                dir_okay=False)],
    format_name: Annotated[str | None, typer.Option(
        "--format", help="A registered importer, by name or its first part (payment: csv, "
        "jsonl, iso20022, mt103, p2p-csv); default: by content, then by suffix.")] = None,
) -> None:
    """Import files; bad rows are quarantined with file, line and reason.

    Exits 1 only when no row at all could be read from the files.
    """
    settings = load_settings()
    with opened_store(settings) as store, progress_steps("import"):
        try:
            summaries = import_files(record_store(settings, store), kind, files,
                                     registry().importers,
                                     max_future_skew=settings.max_future_skew,
                                     format_name=format_name)
        except NoImporterError as exc:
            errors.print(str(exc))
            raise typer.Exit(2) from None
    table = Table(title=f"import {kind.value}")
    for column in ("file", "importer", "lines", "accepted", "new", "duplicates", "quarantined"):
        table.add_column(column)
    for s in summaries:
        table.add_row(str(s.path), s.importer, str(s.lines), str(s.accepted), str(s.added),
                      str(s.duplicates), str(s.quarantined))
    console.print(table)
    if sum(s.quarantined for s in summaries):
        console.print("quarantined rows: 'vigil quarantine' lists them with their reasons")
    for s in summaries:
        if not s.accepted and s.first_problems:
            errors.print(f"{s.path}: nothing imported; " + "; ".join(s.first_problems))
    if not sum(s.accepted for s in summaries):
        errors.print("nothing could be read from these files")
        raise typer.Exit(1)


@app.command("quarantine")
def list_quarantine(
    limit: Annotated[int, typer.Option(help="How many entries to show.")] = 50,
) -> None:
    """Rows importers could not accept, with file, line, reason and a sanitised excerpt.

    Only the first LIMIT entries are read from the store (and the total counted), so a large
    quarantine lists as fast as a small one.
    """
    with opened_store(load_settings()) as store:
        total = store.quarantine_count()
        entries = store.quarantine(limit=max(limit, 0))
    shown = f", first {len(entries)} shown" if len(entries) < total else ""
    table = Table(title=f"{total} quarantined rows{shown}")
    for column in ("kind", "file", "line", "reason", "excerpt"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        table.add_row(entry.kind.value, entry.source, str(entry.line), entry.reason,
                      entry.excerpt)
    console.print(table)


@app.command("run")
def run_command(
    limit: Annotated[int, typer.Option(help="How many top cases to print.")] = 10,
    engine: Annotated[str | None, typer.Option(
        help="SQL engine by registered name (duckdb, spark); default VIGIL_ENGINE.")] = None,
    master: Annotated[str | None, typer.Option(
        help="Spark master URL with --engine spark (default local[*]; VIGIL_SPARK_MASTER).")]
    = None,
    full: Annotated[bool, typer.Option(
        "--full", help="Recompute every signal from all stored records, not only what arrived "
        "since the last run.")] = False,
) -> None:
    """Detect what arrived since the last run, link and triage all current signals; print the
    top cases. With --full, recompute everything (the same cases)."""
    settings = load_settings()
    if engine is not None or master is not None:
        settings = settings.model_copy(update={
            "engine": engine or settings.engine, "spark_master": master or settings.spark_master})
    plugins = registry()
    _check_plugin_settings(settings, plugins)
    with opened_store(settings) as store, progress_steps("run") as step:
        result = run(store, settings, plugins, step, records_from=record_store(settings, store),
                     full=full)
        cases = result.cases
    for name, count in result.signals_by_detector.items():
        console.print(f"{name}: {count} signals")
    console.print(cases_table(cases, limit))


def _check_plugin_settings(settings: Settings, plugins: Registry) -> None:
    """Unknown names in ``VIGIL_DETECTORS`` or ``VIGIL_ENGINE``: one line and exit 2."""
    try:
        plugins.detectors_for(settings)
    except UnknownPluginError as exc:
        errors.print(f"vigil: {exc}", markup=False)
        raise typer.Exit(2) from None


@app.command("demo")
def demo_command(
    seed: Annotated[int, typer.Option(help="Seed of the generated world.")] = 7,
    out: Annotated[Path, typer.Option(help="Folder for the world's files and report.html.")]
    = Path("demo-out"),
    as_json: Annotated[bool, typer.Option("--json", help="Print cases as JSON.")] = False,
    limit: Annotated[int, typer.Option(help="How many top cases to print.")] = 10,
    database_url: Annotated[str | None, typer.Option(
        help="Store to use; default a fresh SQLite file in OUT (VIGIL_DATABASE_URL if set).")]
    = None,
) -> None:
    """Generate the demo world, import it, detect, link, triage, and score against its truth."""
    settings = load_settings()
    plugins = registry()
    _check_plugin_settings(settings, plugins)
    with progress_steps("demo") as step, store_errors_reported("demo store"):
        result = run_demo(seed, out, settings, plugins, database_url=database_url,
                          on_step=step)
    if as_json:
        typer.echo(json.dumps([case_to_json(c) for c in result.cases[:limit]], indent=2))
    else:
        console.print(cases_table(result.cases, limit))
        console.print(f"report: {result.report_path}")
    typer.echo(result.evaluation.line())
