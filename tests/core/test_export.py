"""Exporters over the registry: JSON and the HTML report, chosen cases, an audited analyst."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.core.factories import T0, signal
from vigil.confirmation import confirm_case
from vigil.exporters.export import AnonymousExportError, UnknownCasesError, export_cases
from vigil.exporters.html_report import HtmlReportExporter, latest_signal_time
from vigil.exporters.json_cases import JsonCasesExporter
from vigil.gate import OutboundRefusedError
from vigil.linking import LinkingConfig, link
from vigil.model import Case, SignalKind
from vigil.store.open import open_store
from vigil.triage import load_triage_config, triage


def two_cases() -> list[Case]:
    signals = [
        signal("account:vc:<b>", "payment_account:gcash:1", kind=SignalKind.CONVERSATION,
               score=0.8, tag="c"),
        signal("payment_account:gcash:1", "payment_account:wise:b", score=0.6, days=2, tag="p"),
        signal("payment_account:gcash:9", score=0.3, tag="lone"),
    ]
    config = load_triage_config()
    return [triage(group, config, as_of=T0) for group in link(signals, LinkingConfig())]


def test_json_and_html_exporters_render_the_chosen_cases() -> None:
    cases = two_cases()
    data = json.loads(JsonCasesExporter().export(cases))
    assert [c["id"] for c in data] == [c.id for c in cases]
    html = HtmlReportExporter().export(cases)
    assert all(case.id in html for case in cases)
    assert "account:vc:&lt;b&gt;" in html and "account:vc:<b>" not in html  # escaped
    assert latest_signal_time(cases) == max(s.observed_at for c in cases for s in c.signals)


def test_export_audits_the_analyst_format_and_cases() -> None:
    store = open_store("memory://")
    cases = two_cases()
    store.replace_cases(cases)
    for case in cases:
        confirm_case(store, store, case.id, actor="C. Lead", role="lead", note="checked")
    ids = [cases[1].id, cases[0].id, cases[1].id]
    exported = export_cases(store, store, ids, JsonCasesExporter, " A. Analyst ", "out.json")
    assert [c["id"] for c in json.loads(exported.text)] == [cases[1].id, cases[0].id]
    event = store.audit_events()[-1]
    assert (event.actor, event.action) == ("A. Analyst", "export")
    assert {k: event.details[k] for k in ("format", "cases", "destination", "sha256")} == {
        "format": "json", "cases": [cases[1].id, cases[0].id], "destination": "out.json",
        "sha256": hashlib.sha256(exported.text.encode("utf-8")).hexdigest()}
    assert event.details["gate"] == {c.id: "confirmed by C. Lead (lead)" for c in cases[::-1]}


def test_unknown_cases_and_anonymous_exports_export_nothing() -> None:
    store = open_store("memory://")
    cases = two_cases()
    store.replace_cases(cases)
    with pytest.raises(UnknownCasesError, match="no case 'case-nope'"):
        export_cases(store, store, [cases[0].id, "case-nope"], JsonCasesExporter, "A. Analyst")
    with pytest.raises(AnonymousExportError, match="analyst"):
        export_cases(store, store, [cases[0].id], JsonCasesExporter, "  ")
    with pytest.raises(OutboundRefusedError, match="no confirmation on record"):
        export_cases(store, store, [cases[0].id], JsonCasesExporter, "A. Analyst")
    assert store.audit_events() == []
