"""``vigil retention``: delete what the jurisdiction lets go, and list or extend holds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from vigil import (
    AnonymousActorError,
    HoldRefusedError,
    JurisdictionError,
    preservation_holds,
    profile_for,
    run_retention,
    set_hold_until,
)
from vigil.cli.common import console, load_settings, opened_store, record_store, say

app = typer.Typer(help="Retention per jurisdiction, and preservation holds.",
                  no_args_is_help=True)


@contextmanager
def refused() -> Iterator[None]:
    try:
        yield
    except (AnonymousActorError, JurisdictionError, ValueError) as exc:
        say(f"vigil: {exc}")
        raise typer.Exit(2) from None
    except HoldRefusedError as exc:
        say(f"vigil: refused (audited): {exc}")
        raise typer.Exit(1) from None


@app.command("run")
def run_command(
    dry_run: Annotated[bool, typer.Option(help="Say what would go; delete nothing.")] = False,
) -> None:
    """Delete records, signals and cases past the VIGIL_JURISDICTION period, unless held
    (records in Parquet parts too, with VIGIL_RECORD_STORE=parquet)."""
    settings = load_settings()
    with refused():
        profile = profile_for(settings)
    if profile is None:
        say("vigil: no VIGIL_JURISDICTION set, so no retention period applies; nothing deleted")
        return
    with opened_store(settings) as store:
        plan = run_retention(store, profile, dry_run=dry_run,
                             record_store=record_store(settings, store))
    verb = "would delete" if dry_run else "deleted"
    counts = ", ".join(f"{n} {kind}" for kind, n in plan.counts().items())
    held = ", ".join(f"{n} {kind}" for kind, n in plan.held.items())
    console.print(f"{profile.code}: {verb} {counts}; kept under a hold: {held}",
                  markup=False, highlight=False)


@app.command("holds")
def list_holds() -> None:
    """Preservation holds: each case held, until when, and why."""
    with opened_store(load_settings()) as store:
        holds = preservation_holds(store.audit_events())
    now = datetime.now(UTC)
    table = Table(title="preservation holds")
    for column in ("case", "until", "in force", "basis"):
        table.add_column(column, overflow="fold")
    for hold in sorted(holds.values(), key=lambda h: h.until):
        table.add_row(hold.case_id, hold.until.isoformat(), "yes" if hold.in_force(now) else "no",
                      hold.basis)
    console.print(table)


@app.command("extend")
def extend(
    case_id: Annotated[str, typer.Argument(help="The case to hold longer.")],
    until: Annotated[datetime, typer.Option(help="New end of the hold (a date or time, UTC).")],
    analyst: Annotated[str, typer.Option(help="Your name: recorded in the audit log.")],
    reason: Annotated[str, typer.Option(help="Why the hold is extended.")],
) -> None:
    """Extend a case's preservation hold (or place one); a shorter end is refused and audited."""
    end = until if until.tzinfo else until.replace(tzinfo=UTC)
    with refused(), opened_store(load_settings()) as store:
        hold = set_hold_until(store, case_id, end, analyst, reason)
    say(f"{case_id} held until {hold.until.isoformat()}")
