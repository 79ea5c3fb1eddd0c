"""Confirmed cases exported and queued for a destination."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.core.factories import T0, signal
from vigil.confirmation import confirm_case
from vigil.exporters.export import export_cases
from vigil.exporters.json_cases import JsonCasesExporter
from vigil.linking import LinkingConfig, link
from vigil.model import Case, SignalKind
from vigil.outbox.destinations import Destination, DestinationKind
from vigil.outbox.enqueue import enqueue_export
from vigil.outbox.model import Delivery
from vigil.store.interfaces import Store
from vigil.triage import load_triage_config, triage

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


def cases(n: int, prefix: str = "c") -> list[Case]:
    """``n`` separate cases, one chat signal each (so each needs a person's confirmation)."""
    signals = [signal(f"account:vc:{prefix}{i:03d}", kind=SignalKind.CONVERSATION, tag=f"{i}")
               for i in range(n)]
    config = load_triage_config()
    return [triage(group, config, as_of=T0) for group in link(signals, LinkingConfig())]


def destination(name: str, url: str, kind: DestinationKind = DestinationKind.WEBHOOK,
                secret: str = "") -> Destination:
    return Destination(name, kind, url, "json", auth_secret=secret)


def queue(store: Store, chosen: list[Case], to: Destination,
          confirm: bool = True) -> list[Delivery]:
    """Confirm (by a named person), export and enqueue each case on its own."""
    store.replace_cases(list({c.id: c for c in [*store.cases(), *chosen]}.values()))
    queued = []
    for case in chosen:
        if confirm:
            confirm_case(store, store, case.id, actor="C. Lead", role="lead", note="checked")
        export = export_cases(store, store, [case.id], JsonCasesExporter, "A. Analyst", to.name)
        queued.append(enqueue_export(store, export, to, "A. Analyst", format_name="json",
                                     now=NOW))
    return queued
