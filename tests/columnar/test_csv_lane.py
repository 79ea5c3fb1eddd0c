"""The CSV lane stores and quarantines exactly what the Python importer does, row for row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vigil.columnar import csv_lane
from vigil.columnar.csv_lane import lane_header
from vigil.columnar.csv_sql import FIELDS, FileFacts
from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.ingest import FileSummary, import_files
from vigil.records import RecordKind
from vigil.registry import load_registry
from vigil.store import codec
from vigil.store.memory import MemoryStore

HEADER = ("txn_id,sender,beneficiary,amount,currency,amount_usd,sender_country,"
          "beneficiary_country,sent_at,sender_phone,sender_email,reference")
GOOD = "gcash:0917 123 4567,bank:AB-12 34,12.50,PHP,0.25,us,PH,2024-03-01T10:00:00Z,,,"


def _row(txn_id: str, old: str = "", new: str = "") -> str:
    return f"{txn_id},{GOOD.replace(old, new) if old else GOOD}"


ROWS = [
    _row("t1"),
    _row("t2", '12.50', '100'),
    "t3,Wise: AB-9,maya:+639171234567,0007.000100,usd,1,GB,PH,2024-03-01T10:00:00+00:00,"
    "+63 917 123 4567,Alice@Example.ORG,rent",
    _row("t4", '12.50', 'inf'),
    _row("t5", '12.50', 'NaN'),
    _row("t6", '12.50', '-3'),
    _row("t7", '12.50', 'true'),
    _row("t8", ',us,', ',UK,'),
    _row("t9", ',PHP,', ',PH1,'),
    _row("t10", '10:00:00Z', '10:00:00'),
    _row("t11", '2024-', '9999-'),
    _row("t12", '2024-', '2099-'),
    _row("t13", 'gcash:0917 123 4567', 'wise:\u0430lice'),
    _row("t1"),
    _row("t1", '12.50', '13'),
    _row("t14", '10:00:00Z', '18:00:00+08:00'),
    _row("t15", '12.50', '1e3'),
    _row("t16", '12.50', '0.00001'),
    _row("t17", ',,,', ',+1 202 555 0100,not-an-email,'),
    _row("t18", ',,,', ',, ,'),
    _row(" t19 "),
    _row("t20", ',,,', ',,,' + 'A' * 70),
    _row("t21", '2024-03-01', '2024-02-30'),
    _row("t22", 'bank:AB-12 34', 'nocolon'),
    _row("t23", '10:00:00Z', '23:59:60Z'),
    _row("t24", '2024-', '1970-'),
    _row("t25", 'PHP', 'p\\hp'),
]
"""Good rows and each kind of bad row: the later ones are those SQL hands to Python."""


Imported = tuple[FileSummary, list[str], list[tuple[int, str, str, str]], list[str]]


def _import(tmp_path: Path, name: str, text: str, lane: bool, chunk_rows: int) -> Imported:
    path = tmp_path / "payments.csv"
    path.write_text(text, encoding="utf-8")
    columnar = ColumnarRecords(tmp_path / name)
    store = SplitRecordStore(MemoryStore(), columnar)
    store.chunk_rows = chunk_rows
    [summary] = import_files(store, RecordKind.PAYMENT, [path], load_registry().importers,
                             columnar_lane=lane)
    records = [codec.record_to_json(r) for r in store.records(RecordKind.PAYMENT)]
    quarantine = sorted((q.line, q.reason, q.line_sha256, q.excerpt) for q in store.quarantine())
    parts = columnar.parts(RecordKind.PAYMENT)
    # The content keys too: SQL's (plain rows) are the Python writer's, byte for byte.
    keys = pq.read_table(parts, columns=["content_hash"]).column(0).to_pylist() if parts else []
    return summary, records, quarantine, keys


@pytest.mark.parametrize("chunk_rows", [4, 50_000])
def test_both_lanes_store_and_quarantine_the_same(tmp_path: Path, chunk_rows: int,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches of 4 rows: duplicates and conflicts span batches and stored parts.
    monkeypatch.setattr(csv_lane, "LANE_BATCH_ROWS", 4 if chunk_rows == 4 else 1_000_000)
    text = "\n".join([HEADER, *ROWS]) + "\n"
    python = _import(tmp_path, "python", text, False, chunk_rows)
    lane = _import(tmp_path, "lane", text, True, chunk_rows)
    assert lane_header(tmp_path / "payments.csv") is not None  # the lane read it, no fallback
    assert lane == python
    summary, records, quarantine, _ = lane
    assert summary.lines == len(ROWS) + 1 and summary.duplicates == 1
    assert len(records) == summary.added >= 8
    reasons = {line: reason for line, reason, _, _ in quarantine}
    assert reasons[5].startswith("amount:") and "already stored" in reasons[16]


@pytest.mark.parametrize("text", [
    "\n".join([HEADER, ROWS[0], _row("t30", "bank:AB-12 34", '"bank:x\ny"')]) + "\n",
    "\n".join([HEADER, "", ROWS[0], ROWS[3]]) + "\n",
    "\n".join([HEADER, ROWS[0], ROWS[3] + ",extra"]) + "\n",
    "\n".join([HEADER, ROWS[0]]),
])
def test_files_the_lane_cannot_read_go_to_the_importer(tmp_path: Path, text: str) -> None:
    assert _import(tmp_path, "lane", text, True, 10) == _import(
        tmp_path, "python", text, False, 10)


def test_a_quoted_header_is_read_by_the_lane(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text('"txn_id","sender"\nt1,bank:a\n', encoding="utf-8")
    assert lane_header(path) == ["txn_id", "sender"]



def _old_rules(data: bytes) -> bool:
    """The lane's byte rules as written before its one-pass scan: a final newline, no blank
    line, no quote or CR after the header line."""
    body = data.find(b"\n") + 1
    return bool(data) and data[-1:] == b"\n" and data.find(b"\n\n") < 0 and all(
        data.find(b, body) < 0 for b in (b'"', b"\r"))


@pytest.mark.parametrize("chunk", [1, 3, 7, 1 << 24])
def test_one_pass_refuses_what_the_byte_rules_refused(
        tmp_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Quote, CR and blank line found by the one pass (16 MiB chunks; tiny ones here, so each
    sits at a chunk's edge too) exactly where the three searches found them."""
    monkeypatch.setattr(csv_lane, "_FACTS_CHUNK", chunk)
    rows = ["t1,bank:a", "t2,bank:b", "t3,bank:c"]
    texts = ["txn_id,sender\n" + "\n".join(rows) + "\n"]
    for position in range(1, 30):
        for extra in ('"', "\r", "\n"):
            text = texts[0]
            texts.append(text[:position] + extra + text[position:])
    texts += ["txn_id,sender\n", "txn_id,sender\nt1,bank:a", "txn_id,sender\n\nt1,bank:a\n"]
    for number, text in enumerate(texts):
        path = tmp_path / f"f{number}.csv"
        path.write_bytes(text.encode())
        names = text.split("\n")[0].split(",")
        known = set(names) <= set(FIELDS) and len(set(names)) == len(names)
        expected = _old_rules(text.encode()) and known
        assert (lane_header(path) is not None) == expected, repr(text)


PLAIN_ROWS = [
    "p1,bank:a1,maya:B-2,12.5,PHP,0.25,US,PH,2024-03-01T10:00:00Z,+639171234567,a@b.org",
    "p2,wise:x,bank:y,100,usd,100,gb,PH,2024-03-01T11:00:00+00:00,,",
    "p1,bank:a1,maya:B-2,12.5,PHP,0.25,US,PH,2024-03-01T10:00:00Z,+639171234567,a@b.org",
    "p3,bank:a1,bank:y,0.0001,EUR,000.10,DE,PH,2024-03-02T00:00:00Z,+12025550100,",
    "p2,wise:x,bank:y,101,usd,101,gb,PH,2024-03-01T11:00:00+00:00,,",
    "p4,bank:a1,bank:y,7,EUR,7,DE,PH,2024-03-02T00:00:00Z,,X@Y.COM",
]
"""Rows of a file with neither spaces nor bytes outside printable ASCII: SQL decides them all."""


@pytest.mark.parametrize("batch_rows", [2, 1_000_000])
def test_plain_files_read_back_and_quarantine_as_the_importer(
        tmp_path: Path, batch_rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_lane, "LANE_BATCH_ROWS", batch_rows)
    header = ("txn_id,sender,beneficiary,amount,currency,amount_usd,sender_country,"
              "beneficiary_country,sent_at,sender_phone,sender_email")
    text = "\n".join([header, *PLAIN_ROWS]) + "\n"
    python = _import(tmp_path, "python", text, False, batch_rows)
    lane = _import(tmp_path, "lane", text, True, batch_rows)
    assert csv_lane.file_facts(tmp_path / "payments.csv") == FileFacts(True, False)
    assert lane == python
    # SQL decided every row: their JSON is left to the typed columns (part schema 2).
    parts = ColumnarRecords(tmp_path / "lane").parts(RecordKind.PAYMENT)
    assert pq.read_table(parts, columns=["data"]).column(0).null_count == 4
    found = ColumnarRecords(tmp_path / "lane").payments_of(["bank:y"])
    assert sorted(p.txn_id for p in found) == ["p2", "p3", "p4"]  # built from typed columns
    summary, records, quarantine, _ = lane
    assert (summary.added, summary.duplicates, summary.quarantined) == (4, 1, 1)
    assert [line for line, *_ in quarantine] == [6]


def test_a_file_refused_after_parts_were_written_leaves_none_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches of 2: two parts are written (the last still in the writer's thread) before DuckDB
    # refuses the file part-way (as it does a byte that is not UTF-8 deep in a large file; in a
    # file this small it would refuse before the first batch, so the refusal is injected); the
    # lane undoes them and the importer takes the file whole.
    monkeypatch.setattr(csv_lane, "LANE_BATCH_ROWS", 2)
    undone: list[int] = []
    undo, batches = csv_lane._undo, csv_lane._batches
    monkeypatch.setattr(csv_lane, "_undo", lambda store, run: undone.append(len(run.written))
                        or undo(store, run))

    def refused_after_two(reader: pa.RecordBatchReader, rows: int) -> Iterator[pa.Table]:
        for number, table in enumerate(batches(reader, rows)):
            if number == 2:
                raise duckdb.InvalidInputException("Invalid unicode (byte sequence mismatch)")
            yield table

    monkeypatch.setattr(csv_lane, "_batches", refused_after_two)
    text = "\n".join([HEADER, *ROWS[:6]]) + "\n"
    lane = _import(tmp_path, "lane", text, True, 2)
    assert undone == [2]
    assert lane == _import(tmp_path, "python", text, False, 2)


def test_a_line_over_1_mib_sends_the_file_to_the_importer_before_any_part(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_lane, "LANE_BATCH_ROWS", 2)
    undone: list[int] = []
    undo = csv_lane._undo
    monkeypatch.setattr(csv_lane, "_undo", lambda store, run: undone.append(len(run.written))
                        or undo(store, run))
    long_row = _row("t40", ",,,", ",,," + "x " * 600_000 + "y")
    text = "\n".join([HEADER, *ROWS[:4], long_row, *ROWS[4:6]]) + "\n"
    lane = _import(tmp_path, "lane", text, True, 2)
    assert undone == []  # the file's bytes told, before DuckDB read a row: nothing to undo
    assert lane == _import(tmp_path, "python", text, False, 2)
