"""The payment formats as plug-ins: registered, chosen by content or by --format, stored in both
record stores, idempotent, and giving the records the canonical CSV would give."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.importers.payments_formats.fixtures import (
    P2P_HEADER,
    mt103,
    p2p_row,
    pacs008,
    pacs_tx,
    pain001,
    pain_tx,
)
from vigil.cli.main import app
from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.ingest import NoImporterError, choose_importer, import_files
from vigil.payments import PaymentTypologyDetector
from vigil.plugin import DetectionContext
from vigil.records import Payment, RecordKind
from vigil.registry import load_registry
from vigil.store import codec
from vigil.store.interfaces import RecordStore, Store
from vigil.store.memory import MemoryStore

IMPORTERS = load_registry().importers
FILES = {
    "iso20022.payment": ("pacs.xml", pacs008(pacs_tx(1), pacs_tx(2, amount="x"), pacs_tx(3))),
    "mt103.payment": ("batch.fin", mt103("R1") + mt103("R2", f32a="250399EUR1,00") + mt103("R3")),
    "p2p-csv.payment": ("wallet.csv", P2P_HEADER + p2p_row(1) + p2p_row(2, amount="-1")
                        + p2p_row(3)),
}


def _write(folder: Path, name: str) -> Path:
    file_name, text = FILES[name]
    path = folder / file_name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_formats_are_registered() -> None:
    assert {"iso20022.payment", "mt103.payment", "p2p-csv.payment"} <= set(IMPORTERS)
    assert all(IMPORTERS[n].produces is RecordKind.PAYMENT for n in FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_auto_detection_by_content_whatever_the_suffix(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, name)
    renamed = path.rename(tmp_path / "export.dat" if name != "p2p-csv.payment" else path)
    assert choose_importer(RecordKind.PAYMENT, renamed, IMPORTERS) is IMPORTERS[name]


def test_the_canonical_csv_is_still_read_by_its_own_importer(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("txn_id,sender,beneficiary,amount\n", encoding="utf-8")
    assert choose_importer(RecordKind.PAYMENT, path, IMPORTERS).name == "csv.payment"


def test_format_names_an_importer(tmp_path: Path) -> None:
    path = tmp_path / "anything.txt"
    assert choose_importer(RecordKind.PAYMENT, path, IMPORTERS, "mt103") is IMPORTERS[
        "mt103.payment"]
    assert choose_importer(RecordKind.PAYMENT, path, IMPORTERS, "p2p-csv.payment").name == (
        "p2p-csv.payment")
    with pytest.raises(NoImporterError, match="no payment importer for format 'swift'"):
        choose_importer(RecordKind.PAYMENT, path, IMPORTERS, "swift")


def _import(store: RecordStore, path: Path) -> tuple[int, int, int]:
    [summary] = import_files(store, RecordKind.PAYMENT, [path], IMPORTERS)
    return summary.added, summary.duplicates, summary.quarantined


@pytest.mark.parametrize("name", sorted(FILES))
def test_import_is_idempotent_and_round_trips_every_store(
        tmp_path: Path, store: Store, name: str) -> None:
    path = _write(tmp_path, name)
    assert _import(store, path) == (2, 0, 1)
    assert _import(store, path) == (0, 2, 1)
    expected = IMPORTERS[name]().read(path).records
    assert sorted(store.records(RecordKind.PAYMENT), key=str) == sorted(expected, key=str)
    assert store.quarantine_count() == 1  # the same bad record, once


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_columnar_store_holds_the_same_records(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, name)
    store = SplitRecordStore(MemoryStore(), ColumnarRecords(tmp_path / "columnar"))
    assert _import(store, path) == (2, 0, 1)
    assert _import(store, path) == (0, 2, 1)
    expected = IMPORTERS[name]().read(path).records
    assert sorted(store.records(RecordKind.PAYMENT), key=str) == sorted(expected, key=str)


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_records_are_those_the_canonical_csv_gives(tmp_path: Path, name: str) -> None:
    records = IMPORTERS[name]().read(_write(tmp_path, name)).records
    rows = [json.loads(codec.record_to_json(r)) for r in records]
    columns = sorted({key for row in rows for key in row})
    canonical = tmp_path / "canonical.csv"
    with canonical.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    again = IMPORTERS["csv.payment"]().read(canonical)
    assert again.quarantined == [] and again.records == records


def test_pain001_rows_are_payments_the_typology_reads(tmp_path: Path) -> None:
    path = tmp_path / "pain.xml"
    path.write_text(pain001(pain_tx(1), pain_tx(2)), encoding="utf-8")
    records = IMPORTERS["iso20022.payment"]().read(path).records
    assert all(isinstance(r, Payment) and r.amount_usd > 0 for r in records)


def test_the_typology_runs_on_imported_wallet_payments(tmp_path: Path) -> None:
    """Small late-night payments every five days to four receivers in PH: the rules see them."""
    start = datetime(2025, 1, 1, 23, 40, tzinfo=UTC)
    rows = [f"w-{i},sam,+1 202 555 0100,rosa_{i % 4},+63 917 555 01{i % 4:02d},{20 + i},USD,"
            f"{(start + timedelta(days=5 * i)).isoformat()},gift\n" for i in range(26)]
    path = tmp_path / "wallet.csv"
    path.write_text(P2P_HEADER + "".join(rows), encoding="utf-8")
    records = IMPORTERS["p2p-csv.payment"]().read(path).records
    assert len(records) == 26
    context = DetectionContext(banks=MemoryStore(), now=datetime(2025, 12, 1, tzinfo=UTC))
    signals = list(PaymentTypologyDetector().detect(records, context))
    assert any("payment_account:p2p:sam" in {str(s) for s in signal.subjects}
               for signal in signals)


def test_cli_import_with_format_and_plugins(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    listed = runner.invoke(app, ["plugins"])
    assert listed.exit_code == 0
    for name in FILES:
        assert name in listed.output
    path = _write(tmp_path, "mt103.payment").rename(tmp_path / "swift.txt")
    result = runner.invoke(app, ["import", "payment", "--format", "mt103", str(path)])
    assert result.exit_code == 0, result.output
    assert "mt103.payment" in result.output and "quarantined rows" in result.output
    auto = runner.invoke(app, ["import", "payment", str(path)])  # found by content
    assert auto.exit_code == 0 and "mt103.payment" in auto.output
    wrong = runner.invoke(app, ["import", "payment", "--format", "swift", str(path)])
    assert wrong.exit_code == 2 and "no payment importer for format 'swift'" in wrong.output
