"""``vigil cases``: list, show and review cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from vigil.audit import AuditEvent
from vigil.cli.common import cases_table, console, errors, load_settings, opened_store
from vigil.exporters.json_cases import case_to_json
from vigil.model import CaseStatus

app = typer.Typer(help="List, show and review cases.", no_args_is_help=True)


@app.command("list")
def list_cases(
    limit: Annotated[int, typer.Option(help="How many cases to show.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Cases from the last run, highest priority first."""
    with opened_store(load_settings()) as store:
        cases = store.cases()
    if as_json:
        typer.echo(json.dumps([case_to_json(c) for c in cases[:limit]], indent=2))
    else:
        console.print(cases_table(cases, limit))


@app.command("show")
def show_case(
    case_id: Annotated[str, typer.Argument(help="A case id from 'vigil cases list'.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One case with every reason, signal and identifier."""
    with opened_store(load_settings()) as store:
        case = store.case(case_id)
    if case is None:
        errors.print(f"no case {case_id!r}; 'vigil cases list' shows the ids")
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(case_to_json(case), indent=2))
        return
    console.print(f"[bold]{case.id}[/] priority {case.priority:.3f} status {case.status.value}")
    console.print("[bold]Reasons[/]")
    for reason in case.reasons:
        console.print(f"  {reason}")
    console.print("[bold]Signals[/]")
    for signal in case.signals:
        console.print(f"  [{signal.kind.value}] {signal.source} {signal.score:.2f} "
                      f"{signal.observed_at:%Y-%m-%d %H:%M}: {signal.explanation}")
    console.print("[bold]Identifiers[/]")
    console.print("  " + "  ".join(str(e) for e in case.entities))


@app.command("status")
def set_status(
    case_id: Annotated[str, typer.Argument(help="The case to update.")],
    status: Annotated[CaseStatus, typer.Argument(help="The new review status.")],
    analyst: Annotated[str, typer.Option(help="Your name: recorded in the audit log.")],
    reason: Annotated[str, typer.Option(help="Why: recorded in the custody log.")] = "",
) -> None:
    """Record an analyst's review decision (audited with the analyst's name and reason)."""
    if not analyst.strip():
        errors.print("--analyst must name the person deciding")
        raise typer.Exit(2)
    with opened_store(load_settings()) as store:
        try:
            store.set_status(case_id, status)
        except KeyError:
            errors.print(f"no case {case_id!r}")
            raise typer.Exit(1) from None
        store.append_audit(AuditEvent(analyst.strip(), "set_status", case_id,
                                      datetime.now(UTC), {"status": status.value},
                                      role="analyst", case_id=case_id, justification=reason))
    console.print(f"{case_id}: {status.value} (by {analyst.strip()})")
