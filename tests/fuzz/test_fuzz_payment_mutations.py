"""Mutation fuzzing of valid payment files in every format, through the importer and the scan.

``test_fuzz_payment_formats.py`` builds messages from drawn field values and checks the counts;
this file starts from a valid file of each format (ISO 20022 pacs.008 and pain.001, MT103, P2P
CSV, canonical CSV) and damages its bytes (cut, delete, insert, duplicate, flip), then checks
that nothing crashes, every bad record is quarantined with the file, a line and a non-empty
reason, and that ``vigil payments scan``'s service, detecting the format by itself, either names
the file it cannot read or scans what was accepted. pain.001 fields are fuzzed as pacs.008's are.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.helpers import FUZZ, TRIED, VALID, non_blank_lines, write
from tests.importers.payments_formats.fixtures import (
    P2P_HEADER,
    mt103,
    p2p_row,
    pacs008,
    pacs_tx,
    pain001,
    pain_tx,
)
from vigil.ingest import NoImporterError, import_file
from vigil.payments.scan import scan_payment_files
from vigil.records import RecordKind
from vigil.registry import load_registry
from vigil.settings import Settings
from vigil.store.memory import MemoryStore

REGISTRY = load_registry()


def _canonical_csv() -> str:
    rows = [{**VALID[RecordKind.PAYMENT], "txn_id": f"t{n}"} for n in (1, 2)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


VALID_FILES: dict[str, tuple[str, str, str]] = {
    "pacs.008": ("iso20022.payment", pacs008(pacs_tx(1), pacs_tx(2)), ".xml"),
    "pain.001": ("iso20022.payment", pain001(pain_tx(1), pain_tx(2)), ".xml"),
    "mt103": ("mt103.payment", mt103("R1") + mt103("R2"), ".fin"),
    "p2p-csv": ("p2p-csv.payment", P2P_HEADER + p2p_row(1) + p2p_row(2), ".p2p.csv"),
    "canonical-csv": ("csv.payment", _canonical_csv(), ".csv"),
}
NOISE = st.one_of(st.binary(max_size=12), st.sampled_from(
    [b"<", b">", b"</", b"&", b"\x00", b"\xff\xfe", b",", b'"', b"\n", b":20:", b"-}", b"{4:",
     b"NaN", b"-1", b"1e999", b"2025-13-45", b"<Ustrd>", b"]]>", b"\r\n"]))


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` after one to four cuts, deletions, insertions, duplications or flipped bytes."""
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        end = draw(st.integers(at, min(len(data), at + 40)))
        action = draw(st.sampled_from(["cut", "delete", "insert", "duplicate", "flip"]))
        if action == "cut":
            data = data[:at]
        elif action == "delete":
            data = data[:at] + data[end:]
        elif action == "insert":
            data = data[:at] + draw(NOISE) + data[at:]
        elif action == "duplicate":
            data = data[:end] + data[at:end] + data[end:]
        elif at < len(data):
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    return data


@FUZZ
@pytest.mark.parametrize("form", sorted(VALID_FILES))
@given(data=st.data())
def test_damaged_files_are_quarantined_with_a_reason(form: str, data: st.DataObject) -> None:
    importer, text, suffix = VALID_FILES[form]
    raw = data.draw(damaged(text.encode()))
    store = MemoryStore()
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder) / f"fuzz{suffix}", raw)
        summary = import_file(store, RecordKind.PAYMENT, path,
                              {importer: REGISTRY.importers[importer]}, chunk_rows=2)
    TRIED[f"damaged {form}"] += 1
    entries = store.quarantine()
    assert len(entries) == summary.quarantined
    for entry in entries:
        assert entry.source == str(path) and entry.line >= 0 and entry.reason.strip()
    assert len(store.records(RecordKind.PAYMENT)) == summary.added
    header_lines = 1 if suffix.endswith(".csv") else 0  # a CSV header alone holds no record
    if non_blank_lines(raw) > header_lines:
        assert summary.accepted + summary.quarantined >= 1


@FUZZ
@pytest.mark.parametrize("form", sorted(VALID_FILES))
@given(data=st.data())
def test_scan_detects_or_names_the_file_it_cannot_read(form: str, data: st.DataObject) -> None:
    _, text, suffix = VALID_FILES[form]
    raw = data.draw(damaged(text.encode()))
    store = MemoryStore()
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder) / f"fuzz{suffix}", raw)
        try:
            scan = scan_payment_files([path], store, store, Settings(), REGISTRY)
        except NoImporterError as exc:
            assert str(path) in str(exc)
            return
    TRIED[f"scanned {form}"] += 1
    (summary,) = scan.files
    assert len(scan.payments) <= summary.accepted
    assert all(0 <= account.score <= 1 for account in scan.accounts)


@st.composite
def pain_text(draw: st.DrawFn) -> tuple[str, int]:
    """A pain.001 whose transactions carry drawn amounts, currencies and remittance texts."""
    text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
    amounts = st.one_of(text, st.sampled_from(["-1", "NaN", "1e999", "40", "0.001", "1,5"]))
    txs = [pain_tx(n, amount=escape(draw(amounts)),
                   ccy=escape(draw(st.sampled_from(["PHP", "", "php", "X Y", "AUD"]))),
                   ustrd=escape(draw(text)))
           for n in range(1, draw(st.integers(1, 4)) + 1)]
    return pain001(*txs), len(txs)


@FUZZ
@given(message=pain_text())
def test_pain001_accounts_for_every_transaction(message: tuple[str, int]) -> None:
    text, count = message
    store = MemoryStore()
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder) / "fuzz.xml", text.encode())
        summary = import_file(store, RecordKind.PAYMENT, path,
                              {"iso20022.payment": REGISTRY.importers["iso20022.payment"]})
    TRIED["pain.001 fields"] += 1
    assert summary.accepted + summary.quarantined == count
    assert all(entry.reason.strip() for entry in store.quarantine())
