"""STIX 2.1, MISP, VICS and CSV exports, each parsed back by its own reader."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import stix2
from pymisp import MISPEvent
from typer.testing import CliRunner

from tests.core.factories import T0
from tests.exporters.cases import MD5, PAYEE, PDQ, full_case
from tests.exporters.test_cybertip import EMAIL, confirmed_store
from vigil.cli.main import app
from vigil.confirmation import confirm_case
from vigil.exporters.csv_cases import CsvCasesExporter, spreadsheet_safe
from vigil.exporters.export import export_cases
from vigil.exporters.misp import TAXONOMY_PATH, MispEventExporter
from vigil.exporters.stix import StixBundleExporter
from vigil.exporters.vics_case import VicsCaseExporter
from vigil.media.banks.files import BankSpec
from vigil.media.banks.vics import VicsBankFormat
from vigil.store.open import open_store


def test_stix_bundle_round_trips_with_a_sighting_per_signal() -> None:
    case = full_case()
    store = confirmed_store(case)
    text = export_cases(store, store, [case.id], StixBundleExporter, "A", now=T0).text
    bundle = stix2.parse(text, allow_custom=True)
    by_type: dict[str, list[object]] = {}
    for obj in bundle.objects:
        by_type.setdefault(obj["type"], []).append(obj)
    assert len(by_type["sighting"]) == len(case.signals)
    assert len(by_type["indicator"]) == 2
    assert {i["pattern"] for i in by_type["indicator"]} == {
        f"[file:hashes.'MD5' = '{MD5}']", f"[file:hashes.'PDQ' = '{PDQ}']"}
    assert {u["account_login"] for u in by_type["user-account"]} == {"streamer", "kid"}
    assert "vidchat:w1" not in text  # a witness (the panic report's reporter) is not shared
    assert "[witness withheld] reported account:vidchat:streamer" in text
    assert by_type["ipv4-addr"][0]["value"] == "203.0.113.7"
    custom = {(o["kind"], o["value"]) for o in by_type["x-vigil-identifier"]}
    assert ("payment_account", PAYEE.split(":", 1)[1]) in custom
    assert ("device", "imei-356938035643809") in custom
    (note,) = by_type["note"]
    assert all(r.component in note["content"] for r in case.reasons)
    assert by_type["relationship"] and by_type["incident"][0]["name"] == case.id


def test_misp_events_load_and_use_only_tags_of_the_vigil_taxonomy() -> None:
    case = full_case()
    store = confirmed_store(case)
    text = export_cases(store, store, [case.id], MispEventExporter, "A", now=T0).text
    (item,) = json.loads(text)["response"]
    event = MISPEvent()
    event.load(item)
    assert event.info.startswith(f"vigil case {case.id}")
    assert {o.name for o in event.objects} >= {"user-account", "bank-account", "device"}
    assert {a.type for a in event.attributes} >= {"md5", "ip-src", "text", "comment"}
    taxonomy = json.loads(TAXONOMY_PATH.read_text())
    defined = {f'vigil:{v["predicate"]}="{e["value"]}"' for v in taxonomy["values"]
               for e in v["entry"]}
    tags = {t.name for t in event.tags}
    assert {t for t in tags if t.startswith("vigil:")} <= defined
    assert "vidchat:w1" not in text
    assert {'vigil:indicator="live-streaming"', 'vigil:indicator="sextortion"',
            'vigil:gate="confirmed"', "tlp:red"} <= tags


def test_vics_case_export_reads_back_as_a_vics_file() -> None:
    case = full_case()
    store = confirmed_store(case)
    text = export_cases(store, store, [case.id], VicsCaseExporter, "A", now=T0).text
    document = json.loads(text)
    assert document["@odata.context"].endswith("#Cases")
    assert document["value"][0]["CaseNumber"] == case.id
    read = VicsBankFormat().read(text, BankSpec("again"))
    assert {(e.signal_type, e.hash) for e in read.entries} == {("md5", MD5), ("pdq", PDQ)}
    assert {e.label for e in read.entries} == {"1"}


def test_csv_has_a_row_per_signal_and_neutralises_formulas() -> None:
    case = full_case()
    store = confirmed_store(case)
    text = export_cases(store, store, [case.id], CsvCasesExporter, "A", now=T0).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["signal_id"] for r in rows) == sorted(s.id for s in case.signals)
    assert {r["gate"] for r in rows} == {"confirmed by B. Lead (lead)"}
    assert "vidchat:w1" not in text  # witnesses are not case members, so not exported
    assert spreadsheet_safe("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert spreadsheet_safe("case-1") == "case-1"


@pytest.mark.parametrize("fmt", ["cybertip", "stix", "misp", "vics", "csv"])
def test_vigil_export_writes_the_file_whose_sha256_is_audited(
        fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    monkeypatch.setenv("VIGIL_DATABASE_URL", url)
    monkeypatch.setenv("VIGIL_REPORTER_EMAIL", EMAIL)
    case = full_case()
    store = open_store(url)
    store.replace_cases([case])
    store.close()
    runner = CliRunner()
    out = tmp_path / f"case.{fmt}"
    args = ["export", case.id, "--format", fmt, "--out", str(out), "--analyst", "A"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1 and "no confirmation on record" in refused.output
    confirm = runner.invoke(app, ["cases", "confirm", case.id, "--analyst", "B", "--role",
                                  "lead", "--note", "checked", "--viewed-by-provider", "no"])
    assert confirm.exit_code == 0, confirm.output
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    import hashlib

    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    store = open_store(url)
    assert store.audit_events()[-1].details["sha256"] == digest
    assert digest in result.output
    store.close()


def test_a_cybertip_export_without_a_reporter_email_names_the_field(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    monkeypatch.setenv("VIGIL_DATABASE_URL", url)
    monkeypatch.delenv("VIGIL_REPORTER_EMAIL", raising=False)
    case = full_case()
    store = open_store(url)
    store.replace_cases([case])
    confirm_case(store, store, case.id, actor="B", role="lead", note="ok")
    store.close()
    result = CliRunner().invoke(app, ["export", case.id, "--format", "cybertip", "--analyst",
                                      "A"])
    assert result.exit_code == 1
    assert "required reporter.reportingPerson.email" in result.output
    assert "Traceback" not in result.output
