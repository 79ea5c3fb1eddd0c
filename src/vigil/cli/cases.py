"""``vigil cases``: list, show and review cases."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated

import typer

from vigil import (
    AnonymousActorError,
    CaseStatus,
    UnknownCaseError,
    add_case_note,
    assign_case,
    case_history,
    case_to_json,
    confirm_case,
    dismiss_case,
    open_case,
    set_case_status,
)
from vigil.cli.common import cases_table, console, errors, load_settings, opened_store

app = typer.Typer(help="List, show and review cases.", no_args_is_help=True)
Analyst = Annotated[str, typer.Option(help="Your name: recorded in the audit log.")]


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
    analyst: Annotated[str | None, typer.Option(
        help="Your name, kept in the custody log (default: your login name).")] = None,
    reason: Annotated[str, typer.Option(help="Why you open it: kept in the custody log.")] = "",
) -> None:
    """One case with every reason, signal and identifier (the read is audited)."""
    with opened_store(load_settings()) as store:
        try:
            case = open_case(store, store, case_id, actor=analyst or _login_name(),
                             reason=reason)
        except UnknownCaseError:
            errors.print(f"no case {case_id!r}; 'vigil cases list' shows the ids")
            raise typer.Exit(1) from None
        except AnonymousActorError:
            errors.print("--analyst must name the person reading the case")
            raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(case_to_json(case), indent=2))
        return
    console.print(f"[bold]{case.id}[/] priority {case.priority:.3f} status {case.status.value}")
    console.print("[bold]Reasons[/]")
    for why in case.reasons:
        console.print(f"  {why}")
    console.print("[bold]Signals[/]")
    for signal in case.signals:
        console.print(f"  [{signal.kind.value}] {signal.source} {signal.score:.2f} "
                      f"{signal.observed_at:%Y-%m-%d %H:%M}: {signal.explanation}")
    console.print("[bold]Identifiers[/]")
    console.print("  " + "  ".join(str(e) for e in case.entities))


def _login_name() -> str:
    """Who is reading when no ``--analyst`` is given: the operating system's login name."""
    try:
        return f"login:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name (some containers): the read is still refused
        return ""


@app.command("status")
def set_status(
    case_id: Annotated[str, typer.Argument(help="The case to update.")],
    status: Annotated[CaseStatus, typer.Argument(help="The new review status.")],
    analyst: Analyst,
    reason: Annotated[str, typer.Option(help="Why: kept in the custody log.")] = "",
) -> None:
    """Record an analyst's review decision (audited with the analyst's name and reason)."""
    with opened_store(load_settings()) as store, refused_as_exit_codes():
        event = set_case_status(store, store, case_id, status, actor=analyst, reason=reason)
    console.print(f"{case_id}: {status.value} (by {event.actor})")


@app.command("assign")
def assign(
    case_id: Annotated[str, typer.Argument(help="The case to assign.")],
    to: Annotated[str, typer.Option("--to", help="The analyst who takes the case.")],
    analyst: Analyst,
) -> None:
    """Assign a case to an analyst (kept in the audit log; 'vigil cases history' shows it)."""
    with opened_store(load_settings()) as store, refused_as_exit_codes():
        event = assign_case(store, store, case_id, to, actor=analyst)
    console.print(f"{case_id}: assigned to {event.details['assignee']} (by {event.actor})",
                  markup=False)


@app.command("note")
def note(
    case_id: Annotated[str, typer.Argument(help="The case the note is about.")],
    text: Annotated[str, typer.Argument(help="The note.")],
    analyst: Analyst,
) -> None:
    """Add a note to a case (kept in the audit log, never edited)."""
    with opened_store(load_settings()) as store, refused_as_exit_codes():
        event = add_case_note(store, store, case_id, text, actor=analyst)
    console.print(f"{case_id}: note added (by {event.actor})")


class Viewed(StrEnum):
    """The analyst's answer to NCMEC's "viewed by provider" question."""

    YES = "yes"
    NO = "no"


@app.command("confirm")
def confirm(
    case_id: Annotated[str, typer.Argument(help="The case you confirm.")],
    analyst: Analyst,
    role: Annotated[str, typer.Option(help="Your role, e.g. 'trust and safety analyst'.")],
    note: Annotated[str, typer.Option(help="Why you confirm it: what you checked.")],
    viewed_by_provider: Annotated[Viewed | None, typer.Option(
        help="Did you (the provider) view the files? Your statement, recorded as given: vigil "
             "never shows media. It becomes fileViewedByEsp in a CyberTipline export.")] = None,
) -> None:
    """Confirm a case by name: the human gate lets it leave vigil (export, sharing)."""
    viewed = None if viewed_by_provider is None else viewed_by_provider is Viewed.YES
    with opened_store(load_settings()) as store, refused_as_exit_codes():
        record = confirm_case(store, store, case_id, actor=analyst, role=role, note=note,
                              viewed_by_provider=viewed)
    console.print(f"{case_id}: confirmed by {record.actor} ({record.role}); "
                  f"{len(record.signal_ids)} signal(s) judged", markup=False)


@app.command("dismiss")
def dismiss(
    case_id: Annotated[str, typer.Argument(help="The case you dismiss.")],
    analyst: Analyst,
    note: Annotated[str, typer.Option(help="Why it is a false alarm.")],
    role: Annotated[str, typer.Option(help="Your role.")] = "analyst",
) -> None:
    """Dismiss a case as a false alarm: nothing of it leaves vigil, and the ledger counts it."""
    with opened_store(load_settings()) as store, refused_as_exit_codes():
        record = dismiss_case(store, store, case_id, actor=analyst, note=note, role=role)
    console.print(f"{case_id}: dismissed by {record.actor}", markup=False)


@app.command("history")
def history(case_id: Annotated[str, typer.Argument(help="The case.")]) -> None:
    """Every status change, assignment and note on a case, oldest first."""
    with opened_store(load_settings()) as store:
        events = case_history(store, case_id)
    for event in events:
        detail = ", ".join(f"{k}: {v}" for k, v in event.details.items())
        console.print(f"{event.at:%Y-%m-%d %H:%M:%S} {event.actor}: {event.action} ({detail})",
                      markup=False)
    if not events:
        console.print(f"no decisions on {case_id!r} yet")


@contextmanager
def refused_as_exit_codes() -> Iterator[None]:
    """A decision without a name (or text) exits 2; one on an unknown case exits 1."""
    try:
        yield
    except AnonymousActorError:
        errors.print("--analyst must name the person deciding")
        raise typer.Exit(2) from None
    except UnknownCaseError as exc:
        errors.print(str(exc))
        raise typer.Exit(1) from None
    except ValueError as exc:
        errors.print(str(exc))
        raise typer.Exit(2) from None
