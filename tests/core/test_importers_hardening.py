"""Regressions from the import probe: each input once broke the import or poisoned the store."""

from __future__ import annotations

import base64
import gzip
import io
import json
import re
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigil import redact
from vigil.cli.main import app
from vigil.importers import safe_json
from vigil.importers.csv_payments import MAX_ROW_LINES, PaymentCsv
from vigil.importers.jsonl import (
    MediaJsonLines,
    MessageJsonLines,
    PaymentJsonLines,
    ReportJsonLines,
)
from vigil.importers.lines import MAX_LINE_BYTES
from vigil.ingest import import_file
from vigil.media.banks.files import BankFileError, BankSpec
from vigil.media.banks.formats import read_bank
from vigil.quarantine import QuarantineEntry
from vigil.records import RecordKind
from vigil.store.memory import MemoryStore
from vigil.store.open import open_store
from vigil.testing.pictures import draw_picture

IMPORTERS = {i.name: i for i in (MediaJsonLines, MessageJsonLines, PaymentJsonLines,
                                 ReportJsonLines, PaymentCsv)}
PAYMENT = {
    "txn_id": "t1", "sender": "wise:111", "beneficiary": "gcash:09170000001", "amount": 40,
    "currency": "AUD", "amount_usd": 26.5, "sender_country": "AU", "beneficiary_country": "PH",
    "sent_at": "2026-03-01T10:00:00+00:00",
}
MEDIA = {"observation_id": "o1", "account": "vc:seller", "observed_at": "2026-01-01T00:00:00Z",
         "pdq": "f" * 48 + "0" * 16}
MESSAGE = {"conversation_id": "vc:c1", "message_id": "m1", "sender": "vc:a", "recipient": "vc:b",
           "sent_at": "2026-01-01T00:00:00Z", "text": "which app? move there"}
LONG_TOKEN = re.compile(r"[A-Za-z0-9+/=_\-]{65,}")


def jpeg_bytes(seed: int = 11) -> bytes:
    out = io.BytesIO()
    draw_picture(seed).save(out, format="JPEG")
    return out.getvalue()


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def payment_csv(rows: list[dict[str, object]]) -> str:
    header = ",".join(PAYMENT)
    return header + "\n" + "".join(",".join(str(r[k]) for k in PAYMENT) + "\n" for r in rows)


def imported(path: Path, kind: RecordKind = RecordKind.PAYMENT,
             store: MemoryStore | None = None) -> tuple[MemoryStore, dict[int, str]]:
    store = store or MemoryStore()
    import_file(store, kind, path, IMPORTERS)
    return store, {q.line: q.reason for q in store.quarantine()}


# 1. The quarantine keeps no payload.

def test_base64_media_in_a_field_is_not_kept(tmp_path: Path) -> None:
    encoded = base64.b64encode(jpeg_bytes()).decode()
    path = write_lines(tmp_path / "m.jsonl", [json.dumps({**MEDIA, "thumbnail": encoded})])
    store, reasons = imported(path, RecordKind.MEDIA)
    (entry,) = store.quarantine()
    assert "thumbnail" in entry.reason
    assert not LONG_TOKEN.search(entry.excerpt) and len(entry.excerpt) <= redact.EXCERPT_CHARS
    assert "[redacted" in entry.excerpt
    assert entry.line_sha256 == redact.sha256_of(path.read_bytes().rstrip(b"\n"))


def test_binary_file_renamed_jsonl_is_refused_whole(tmp_path: Path) -> None:
    jpeg = jpeg_bytes()
    for name, data in (("photo.jsonl", jpeg), ("photo.jsonl.gz", gzip.compress(jpeg))):
        path = tmp_path / name
        path.write_bytes(data)
        store, reasons = imported(path, RecordKind.MEDIA)
        assert reasons == {0: f"{name} is a JPEG image, not text: file refused, nothing of it kept"}
        assert store.quarantine()[0].excerpt == ""


def test_binary_lines_keep_no_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.jsonl"
    path.write_bytes(b"{" + jpeg_bytes()[3:])  # no media signature: read as (bad) lines
    store, _ = imported(path, RecordKind.MEDIA)
    assert store.quarantine()
    for entry in store.quarantine():
        assert entry.excerpt.startswith("[binary data redacted") or len(entry.excerpt) < 40
        assert "\x00" not in entry.excerpt and "\ufffd" not in entry.excerpt


def test_excerpt_and_reason_are_sanitised_whoever_builds_the_entry() -> None:
    entry = QuarantineEntry(RecordKind.PAYMENT, "f", 1, "a" * 5000 + "\x00b", "r" * 100_000)
    assert len(entry.excerpt) <= redact.EXCERPT_CHARS and "\x00" not in entry.excerpt
    assert entry.excerpt.startswith("[redacted 5,000 chars]")
    assert len(entry.reason) <= redact.REASON_CHARS
    again = QuarantineEntry(entry.kind, entry.source, 1, entry.excerpt, entry.reason)
    assert again == entry  # sanitising is idempotent: stored entries read back unchanged


# 2. Huge values and lines are bounded; listing fetches only what it shows.

def test_over_long_line_is_quarantined_without_holding_it(tmp_path: Path) -> None:
    long_line = json.dumps({**PAYMENT, "sender_phone": "9" * (MAX_LINE_BYTES + 10)})
    path = write_lines(tmp_path / "p.jsonl", [long_line, json.dumps(PAYMENT)])
    store, reasons = imported(path)
    assert reasons == {1: f"line too long ({len(long_line) + 1:,} bytes)"}
    assert len(store.records(RecordKind.PAYMENT)) == 1


def test_long_invalid_identifier_gives_a_short_reason(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "p.jsonl",
                       [json.dumps({**PAYMENT, "sender_phone": "x" * 500_000})])
    _, reasons = imported(path)
    assert "sender_phone" in reasons[1] and len(reasons[1]) <= 200


def test_quarantine_limit_reads_only_what_is_shown(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "p.jsonl", ["{bad"] * 7)
    store, _ = imported(path)
    assert [e.line for e in store.quarantine(limit=2)] == [1, 2]
    assert store.quarantine_count() == 7


# 3. Deep nesting cannot recurse without limit.

def test_deeply_nested_line_is_quarantined_and_the_rest_imported(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "p.jsonl", ["[" * 1000 + "]" * 1000, json.dumps(PAYMENT),
                                              '{"a": ' * 100 + "1" + "}" * 100])
    store, reasons = imported(path)
    assert "nested 1000 levels" in reasons[1] and "nested 100 levels" in reasons[3]
    assert len(store.records(RecordKind.PAYMENT)) == 1


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    assert safe_json.loads(json.dumps({"text": "[" * 500})) == {"text": "[" * 500}


# 4. CSV structure is checked per row.

def test_csv_line_numbers_are_physical(tmp_path: Path) -> None:
    bad = {**PAYMENT, "currency": "AUDX"}
    path = tmp_path / "p.csv"
    path.write_text(payment_csv([bad, PAYMENT]))
    _, reasons = imported(path)
    assert list(reasons) == [2] and "currency" in reasons[2]


def test_csv_short_rows_are_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(payment_csv([PAYMENT]) + "t2,wise:1\n")
    store, reasons = imported(path)
    assert reasons == {3: f"2 cells, header has {len(PAYMENT)}"}
    assert len(store.records(RecordKind.PAYMENT)) == 1


def test_csv_unterminated_quote_does_not_swallow_the_file(tmp_path: Path) -> None:
    rows = [{**PAYMENT, "txn_id": f"t{i}"} for i in range(MAX_ROW_LINES + 20)]
    text = payment_csv(rows).splitlines()
    text[1] = text[1].replace("wise:111", '"wise:111')  # row of line 2 opens a quote
    path = tmp_path / "p.csv"
    path.write_text("\n".join(text) + "\n")
    store, reasons = imported(path)
    assert list(reasons) == [2] and "unterminated quote" in reasons[2]
    assert len(store.records(RecordKind.PAYMENT)) == len(rows) - 1


def test_csv_quoted_cell_may_span_lines(tmp_path: Path) -> None:
    text = payment_csv([PAYMENT]).replace("wise:111", '"wise:111"')
    path = tmp_path / "p.csv"
    path.write_text(text.replace("\n", ",reference\n", 1).rstrip("\n") + ',"two\nlines"\n')
    store, reasons = imported(path)
    assert reasons == {}
    assert store.records(RecordKind.PAYMENT)[0].reference == "two\nlines"  # type: ignore[attr-defined]


def test_csv_non_utf8_row_is_quarantined_with_offset(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    good = payment_csv([PAYMENT]).encode()
    path.write_bytes(good + good.splitlines()[1].replace(b"t1", b"t\xff2") + b"\n")
    store, reasons = imported(path)
    assert reasons[3].startswith("not UTF-8 at byte offset 1")
    assert len(store.records(RecordKind.PAYMENT)) == 1


def test_csv_duplicate_header_column_refuses_the_file(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(payment_csv([PAYMENT]).replace("amount_usd", "amount", 1))
    store, reasons = imported(path)
    assert reasons == {1: "duplicate header column 'amount': file refused, nothing imported"}
    assert store.records(RecordKind.PAYMENT) == []


# 5. BOM.

def test_jsonl_with_a_bom_keeps_its_first_row(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(PAYMENT).encode() + b"\n")
    store, reasons = imported(path)
    assert reasons == {} and len(store.records(RecordKind.PAYMENT)) == 1


# 6. Damaged gzip.

def test_truncated_gzip_keeps_the_rows_read(tmp_path: Path) -> None:
    lines = [json.dumps({**PAYMENT, "txn_id": f"t{i}"}) for i in range(2000)]
    whole = gzip.compress(("\n".join(lines) + "\n").encode())
    path = tmp_path / "p.jsonl.gz"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    store, reasons = imported(path)
    stored = len(store.records(RecordKind.PAYMENT))
    assert 0 < stored < 2000
    assert reasons == {stored: f"gzip stream truncated after line {stored}"}


def test_not_gzip_named_gz_is_one_clear_entry(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl.gz"
    path.write_text(json.dumps(PAYMENT) + "\n")
    store, reasons = imported(path)
    assert list(reasons) == [0] and "p.jsonl.gz is not a gzip file" in reasons[0]


# 7. NUL characters behave the same on every backend.

def test_nul_characters_are_quarantined_on_every_backend(store_url: str, tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_bytes(json.dumps({**MESSAGE, "text": "a\u0000b"}).encode() + b"\n"
                     + b'{"message_id": "\x00"}\n' + json.dumps(MESSAGE).encode() + b"\n")
    with closing(open_store(store_url)) as store:
        summary = import_file(store, RecordKind.MESSAGE, path, IMPORTERS)
        reasons = {q.line: q.reason for q in store.quarantine()}
        assert (summary.accepted, summary.quarantined) == (1, 2)
        assert reasons[1] == "NUL character in field text"
        assert "\x00" not in store.quarantine()[1].excerpt
        assert len(store.records(RecordKind.MESSAGE)) == 1


# 8. One id, one content.

def test_same_id_with_other_content_is_quarantined(store_url: str, tmp_path: Path) -> None:
    first = write_lines(tmp_path / "a.jsonl", [json.dumps(PAYMENT), json.dumps(PAYMENT),
                                              json.dumps({**PAYMENT, "amount": 41})])
    second = write_lines(tmp_path / "b.jsonl", [json.dumps({**PAYMENT, "amount": 42})])
    with closing(open_store(store_url)) as store:
        one = import_file(store, RecordKind.PAYMENT, first, IMPORTERS)
        two = import_file(store, RecordKind.PAYMENT, second, IMPORTERS)
        again = import_file(store, RecordKind.PAYMENT, first, IMPORTERS)
        assert (one.added, one.duplicates, one.quarantined) == (1, 1, 1)
        assert (two.added, two.quarantined) == (0, 1)
        assert (again.added, again.duplicates) == (0, 2)
        entries = store.quarantine()
        assert [(e.source, e.line) for e in entries] == [(str(first), 3), (str(second), 1)]
        assert all(e.reason == "txn_id t1 already stored with different content"
                   for e in entries)
        assert [p.amount for p in store.records(RecordKind.PAYMENT)] == [40]  # type: ignore[attr-defined]


# 9. Streaming: chunks are written as they fill.

def test_import_writes_in_chunks(tmp_path: Path) -> None:
    class CountingStore(MemoryStore):
        calls: list[int] = []

        def add_records(self, records):  # type: ignore[no-untyped-def]
            self.calls.append(len(records))
            return super().add_records(records)

    lines = [json.dumps({**PAYMENT, "txn_id": f"t{i}"}) for i in range(25)]
    path = write_lines(tmp_path / "p.jsonl", [*lines, "{bad"])
    store = CountingStore()
    summary = import_file(store, RecordKind.PAYMENT, path, IMPORTERS, chunk_rows=10)
    assert store.calls == [10, 10, 5]
    assert (summary.lines, summary.accepted, summary.added, summary.quarantined) == (26, 25, 25, 1)


@pytest.mark.parametrize("reason", ["", "x"])
def test_file_level_entries_have_no_excerpt(reason: str) -> None:
    entry = QuarantineEntry(RecordKind.MEDIA, "f.gz", 0, "", reason)
    assert entry.excerpt == "" and entry.reason == reason


def test_deeply_nested_vics_bank_is_refused_clearly() -> None:
    text = '{"value": ' + "[" * 1000 + "]" * 1000 + "}"
    with pytest.raises(BankFileError, match="nested 1001 levels"):
        read_bank(text, BankSpec("b", origin="deep.json"), "vics")


def test_cli_names_a_refused_file_and_lists_only_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    refused = tmp_path / "p.csv"
    refused.write_text(payment_csv([PAYMENT]).replace("amount_usd", "amount", 1))
    bad = write_lines(tmp_path / "bad.jsonl", ["{bad"] * 5)
    runner = CliRunner()
    result = runner.invoke(app, ["import", "payment", str(refused)])
    assert result.exit_code == 1
    assert "duplicate header column 'amount'" in " ".join(result.output.split())
    assert runner.invoke(app, ["import", "payment", str(bad)]).exit_code == 1
    listed = runner.invoke(app, ["quarantine", "--limit", "2"])
    assert listed.exit_code == 0 and "6 quarantined rows, first 2 shown" in listed.output
