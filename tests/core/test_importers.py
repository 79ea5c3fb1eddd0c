import gzip
import json
from pathlib import Path

import pytest

from vigil.importers.csv_payments import PaymentCsv
from vigil.importers.jsonl import (
    MediaJsonLines,
    MessageJsonLines,
    PaymentJsonLines,
    ReportJsonLines,
)
from vigil.ingest import NoImporterError, choose_importer, import_file
from vigil.records import RecordKind
from vigil.store.memory import MemoryStore

IMPORTERS = {i.name: i for i in (MediaJsonLines, MessageJsonLines, PaymentJsonLines,
                                 ReportJsonLines, PaymentCsv)}

PAYMENT = {
    "txn_id": "t1", "sender": "wise:111", "beneficiary": "gcash:09170000001", "amount": 40,
    "currency": "AUD", "amount_usd": 26.5, "sender_country": "AU", "beneficiary_country": "PH",
    "sent_at": "2026-03-01T10:00:00+00:00",
}


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_good_rows_imported_bad_rows_quarantined_with_line_and_reason(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [
        json.dumps(PAYMENT),
        "{not json",
        json.dumps({**PAYMENT, "txn_id": "t2", "amount": -5}),
        "",
        json.dumps([1, 2]),
        json.dumps({**PAYMENT, "txn_id": "t3", "sender_phone": "12"}),
        json.dumps({**PAYMENT, "txn_id": "t4"}),
    ])
    store = MemoryStore()
    summary = import_file(store, RecordKind.PAYMENT, path, IMPORTERS)
    assert (summary.lines, summary.accepted, summary.quarantined) == (7, 2, 4)
    reasons = {q.line: q.reason for q in store.quarantine()}
    assert set(reasons) == {2, 3, 5, 6}
    assert "invalid JSON" in reasons[2]
    assert reasons[3].startswith("amount:")
    assert "JSON object" in reasons[5]
    assert "sender_phone" in reasons[6] and "phone" in reasons[6]
    assert all(q.source == str(path) for q in store.quarantine())


def test_reimport_adds_nothing(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [json.dumps(PAYMENT)])
    store = MemoryStore()
    first = import_file(store, RecordKind.PAYMENT, path, IMPORTERS)
    second = import_file(store, RecordKind.PAYMENT, path, IMPORTERS)
    assert (first.added, second.added, second.duplicates) == (1, 0, 1)
    assert len(store.records(RecordKind.PAYMENT)) == 1


def test_gzip_and_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(json.dumps(PAYMENT).encode() + b"\n" + b'{"txn_id": "\xff"}\n')
    store = MemoryStore()
    summary = import_file(store, RecordKind.PAYMENT, path, IMPORTERS)
    assert (summary.accepted, summary.quarantined) == (1, 1)
    assert "UTF-8" in store.quarantine()[0].reason


def test_csv_payments_with_line_numbers(tmp_path: Path) -> None:
    header = ",".join(PAYMENT)
    good = ",".join(str(v) for v in PAYMENT.values())
    bad = good.replace("t1", "t9").replace("AUD", "AUDX")
    path = tmp_path / "p.csv"
    path.write_text(f"{header}\n{good}\n{bad}\n{good},extra\n", encoding="utf-8")
    store = MemoryStore()
    summary = import_file(store, RecordKind.PAYMENT, path, IMPORTERS)
    assert (summary.accepted, summary.quarantined) == (1, 2)
    by_line = {q.line: q.reason for q in store.quarantine()}
    assert "currency" in by_line[3]
    assert "more cells" in by_line[4]


def test_choose_importer_by_suffix() -> None:
    assert choose_importer(RecordKind.PAYMENT, Path("x.csv"), IMPORTERS) is PaymentCsv
    assert choose_importer(RecordKind.REPORT, Path("x.ndjson.gz"), IMPORTERS) is ReportJsonLines
    with pytest.raises(NoImporterError, match="known: .jsonl"):
        choose_importer(RecordKind.MEDIA, Path("x.csv"), IMPORTERS)


@pytest.mark.parametrize(("importer", "row", "field"), [
    (MediaJsonLines, {"observation_id": "o", "account": "vc:a",
                      "observed_at": "2026-01-01T00:00:00Z"}, "pdq, md5"),
    (MessageJsonLines, {"conversation_id": "vc:c", "message_id": "m", "sender": "vc:a",
                        "recipient": "bad", "sent_at": "2026-01-01T00:00:00Z", "text": "hi"},
     "recipient"),
    (ReportJsonLines, {"report_id": "r", "reporter": "vc:a", "reported": "vc:b",
                       "session_id": "s", "reported_at": "2026-01-01T00:00:00", "reason": "x"},
     "reported_at"),
])
def test_each_kind_names_the_bad_field(tmp_path: Path, importer: type, row: dict[str, str],
                                       field: str) -> None:
    path = write_jsonl(tmp_path / "x.jsonl", [json.dumps(row)])
    result = importer().read(path)
    assert not result.records
    assert field in result.quarantined[0].reason
