"""Fuzz the payment-message importers (ISO 20022, MT103, P2P-wallet CSV): malformed input never
crashes an import, and every transaction or message is stored or quarantined with a reason."""

from __future__ import annotations

import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.helpers import FUZZ, TRIED, assert_nothing_encoded_stored, csv_cell, write
from tests.importers.payments_formats.fixtures import P2P_HEADER, mt103, pacs008, pacs_tx
from vigil.ingest import FileSummary, import_file
from vigil.records import RecordKind
from vigil.registry import load_registry
from vigil.store.memory import MemoryStore

REGISTRY = load_registry()
FORMATS = ("iso20022.payment", "mt103.payment", "p2p-csv.payment")
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
LINE_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"),
                                  blacklist_characters="{}:\r\n\x85\u2028\u2029"), max_size=30)


def _import(name: str, data: bytes, suffix: str) -> FileSummary:
    store = MemoryStore()
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder) / f"fuzz{suffix}", data)
        summary = import_file(store, RecordKind.PAYMENT, path, {name: REGISTRY.importers[name]},
                              chunk_rows=2)
    assert len(store.records(RecordKind.PAYMENT)) == summary.added
    assert_nothing_encoded_stored(store)
    TRIED[name] += 1
    return summary


@st.composite
def pacs_text(draw: st.DrawFn) -> tuple[str, int]:
    """A pacs.008 whose transactions carry drawn amounts, currencies, dates and texts."""
    amounts = st.one_of(XML_TEXT, st.sampled_from(["-1", "NaN", "1e999", "40", "0.001", "1,5"]))
    txs = [pacs_tx(n, amount=escape(draw(amounts)),
                   ccy=escape(draw(st.sampled_from(["GBP", "PHP", "", "gbp", "X Y"]))),
                   ustrd=escape(draw(XML_TEXT)), date=escape(draw(XML_TEXT)),
                   creditor=draw(st.booleans()))
           for n in range(draw(st.integers(0, 4)))]
    created = escape(draw(st.sampled_from(["2025-03-04T21:15:00Z", "", "2025-02-30"])))
    return pacs008(*txs, created=created) if txs else pacs008(created=created), max(len(txs), 1)


@FUZZ
@given(message=pacs_text(), cut=st.one_of(st.none(), st.integers(0, 3000)))
def test_iso20022_accounts_for_every_transaction(message: tuple[str, int],
                                                 cut: int | None) -> None:
    text, count = message
    summary = _import("iso20022.payment", text[:cut].encode(), ".xml")
    if cut is None:
        assert summary.accepted + summary.quarantined == count
    else:
        assert 1 <= summary.accepted + summary.quarantined <= count + 1 or summary.accepted == count


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_iso20022_survives_arbitrary_bytes(raw: bytes) -> None:
    summary = _import("iso20022.payment", raw, ".xml")
    assert summary.accepted == 0 and summary.quarantined >= 1


@st.composite
def mt103_text(draw: st.DrawFn) -> tuple[str, int]:
    messages = [mt103(f"R{n}", f32a=draw(st.one_of(LINE_TEXT, st.sampled_from(
                          ["250304EUR1,00", "251304EUR1,00", "250304EUR,", "250304ZZZ5,0"]))),
                      f70=draw(LINE_TEXT), f71a=draw(st.sampled_from(["SHA", "BEN", "x", ""])),
                      ordering=draw(st.sampled_from([None, ":50K:NAME ONLY\n", ":50A:/1\n",
                                                     ":50F:/1\n1/A\n3/ZZ/X\n"])),
                      beneficiary=draw(st.sampled_from([None, "", ":59:/123\nSOMEONE\n",
                                                        ":59A:\n", ":59F:/9\n3/PH\n"])))
                .replace(":52A:TESTDEFF", ":52A:" + draw(st.sampled_from(["/1", "", "X", "/"])))
                .replace(":57A:BANKPHMM", ":57A:" + draw(LINE_TEXT))
                for n in range(draw(st.integers(1, 4)))]
    return "".join(messages), len(messages)


@FUZZ
@given(message=mt103_text(), cut=st.one_of(st.none(), st.integers(0, 2000)))
def test_mt103_accounts_for_every_message(message: tuple[str, int], cut: int | None) -> None:
    text, count = message
    summary = _import("mt103.payment", text[:cut].encode(), ".fin")
    if cut is None:
        assert summary.accepted + summary.quarantined == count
    else:
        assert summary.accepted + summary.quarantined <= count


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_mt103_survives_arbitrary_bytes(raw: bytes) -> None:
    _import("mt103.payment", raw, ".fin")


@FUZZ
@given(rows=st.lists(st.lists(csv_cell(), max_size=11), max_size=6))
def test_p2p_csv_quarantines_what_it_cannot_read(rows: list[list[str]]) -> None:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    summary = _import("p2p-csv.payment", P2P_HEADER.encode() + out.getvalue().encode(
        errors="surrogatepass"), ".csv")
    data_rows = sum(1 for row in rows if "".join(row).strip())
    assert summary.accepted + summary.quarantined >= min(data_rows, 1)
    assert summary.accepted + summary.quarantined <= len(rows) + out.getvalue().count("\n")


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_p2p_csv_survives_arbitrary_bytes(raw: bytes) -> None:
    _import("p2p-csv.payment", raw, ".p2p.csv")
