"""``vigil outbox``: queue exports for a destination, deliver them, list and retry dead letters."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Table

from vigil import (
    AnonymousActorError,
    DeliveryStatus,
    Destination,
    DestinationError,
    IncompleteReportError,
    OutboundRefusedError,
    OutboxPolicy,
    Settings,
    UnknownCasesError,
    UnknownPluginError,
    enqueue_export,
    export_cases,
    load_destinations,
    load_secrets,
    outbox_summary,
    retry_dead,
    run_outbox,
)
from vigil.cli.common import console, load_settings, opened_store, registry, say

app = typer.Typer(help="Deliver exports to partners through a retrying outbox.",
                  invoke_without_command=True)
Analyst = Annotated[str, typer.Option(help="Your name: recorded in the audit log.")]


@contextmanager
def refused() -> Iterator[None]:
    """Refusals end the command with one line: exit 2 for bad input, 1 for the gate."""
    try:
        yield
    except (AnonymousActorError, DestinationError, UnknownPluginError, ValueError) as exc:
        say(f"vigil: {exc}")
        raise typer.Exit(2) from None
    except (UnknownCasesError, OutboundRefusedError, IncompleteReportError, KeyError) as exc:
        say(f"vigil: {exc}")
        raise typer.Exit(1) from None


def _destinations(settings: Settings) -> dict[str, Destination]:
    return load_destinations(settings.outbox_destinations)


def _policy(settings: Settings) -> OutboxPolicy:
    return OutboxPolicy(settings.outbox_max_attempts, settings.outbox_backoff_s,
                        settings.outbox_backoff_max_s, settings.outbox_timeout_s)


@app.callback()
def list_deliveries(ctx: typer.Context) -> None:
    """Deliveries pending, delivered and dead (with the reason of the last failure)."""
    if ctx.invoked_subcommand is not None:
        return
    with opened_store(load_settings()) as store:
        found = store.deliveries()
        line = outbox_summary(store).line()
    table = Table(title="outbox")
    for column in ("id", "destination", "status", "attempts", "cases", "last error / receipt"):
        table.add_column(column, overflow="fold")
    for d in found:
        said = d.acknowledgement if d.status is DeliveryStatus.DELIVERED else d.last_error
        table.add_row(d.id[:16], d.destination, d.status.value, str(d.attempts),
                      ",".join(d.case_ids), said)
    console.print(table)
    console.print(line, markup=False, highlight=False)


@app.command("send")
def send(
    case_ids: Annotated[list[str], typer.Argument(help="Case ids from 'vigil cases list'.")],
    to: Annotated[str, typer.Option(help="A destination in VIGIL_OUTBOX_DESTINATIONS.")],
    analyst: Analyst,
) -> None:
    """Export cases in the destination's format and queue them (the human gate decides)."""
    settings = load_settings()
    with refused():
        destination = _destinations(settings).get(to)
        if destination is None:
            raise DestinationError(f"no destination {to!r} in VIGIL_OUTBOX_DESTINATIONS")
        exporter = registry().exporter(destination.format)
        with opened_store(settings) as store:
            exported = export_cases(store, store, case_ids, exporter, analyst, destination.name,
                                    reporter_email=settings.reporter_email)
            delivery = enqueue_export(store, exported, destination, analyst,
                                      format_name=exporter.name)
    say(f"queued {delivery.id} for {destination.name}: {len(delivery.case_ids)} case(s) "
        f"(sha256 {delivery.sha256}); 'vigil outbox run' delivers it")


@app.command("run")
def run_command(
    once: Annotated[bool, typer.Option(help="One pass over what is due, then stop.")] = False,
) -> None:
    """Deliver what is due, retrying with backoff, until each is delivered or dead."""
    settings = load_settings()
    with refused():
        destinations = _destinations(settings)
        secrets = load_secrets(settings.outbox_secrets)
    with opened_store(settings) as store:
        result = run_outbox(store, destinations, secrets, _policy(settings), once=once)
    console.print(result.line(), markup=False, highlight=False)


@app.command("retry")
def retry(
    delivery_id: Annotated[str, typer.Argument(help="A dead letter's id from 'vigil outbox'.")],
    analyst: Analyst,
) -> None:
    """Queue a dead letter again, with a fresh set of attempts (audited with your name)."""
    with refused(), opened_store(load_settings()) as store:
        matches = [d.id for d in store.deliveries() if d.id.startswith(delivery_id)]
        again = retry_dead(store, matches[0] if len(matches) == 1 else delivery_id, analyst)
    say(f"queued {again.id} again for {again.destination}")
