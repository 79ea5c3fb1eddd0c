"""The vectorised CSV lane: payments from CSV into the columnar store without a model per row.

One streaming DuckDB query (:mod:`vigil.columnar.csv_sql`) reads the file (every column as text),
normalises the common shapes of identifiers and countries in SQL
(:mod:`vigil.columnar.csv_norm`), decides the *plain* rows and writes their stored form: the
model's JSON, content hash and typed columns. The result arrives in file order, a batch of
:data:`LANE_BATCH_ROWS` rows at a time, fetched one batch ahead in a thread
(:mod:`vigil.columnar.csv_ahead`), so memory stays bounded whatever the file's size. Each
batch's other rows (a bad cell, non-ASCII text, a time with an offset, a phone written with
spaces...) are handed to :func:`vigil.importers.rows.parse_row`, the Python importer's own
check, so the stored records and quarantine reasons are the ones the Python lane gives; the batch
is then deduplicated against the stored parts by DuckDB (:mod:`vigil.columnar.csv_dedup`) and
its new rows written as one part.

The lane reads only files whose physical lines are rows: no ``"`` (quoted cells may span lines),
no CR, no blank line, a header of known, distinct Payment fields, a final newline, no line over
:data:`~vigil.importers.lines.MAX_LINE_BYTES`. Any other file, or one DuckDB cannot read (a row
with the wrong number of cells, bytes that are not UTF-8), goes to the Python importer whole: a
problem found part-way removes the parts the lane wrote, and quarantine is written only at the
end, so the importer starts from the store as it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from vigil.columnar.csv_ahead import ReadAhead
from vigil.columnar.csv_chunk import LaneRun, store_batch
from vigil.columnar.csv_dedup import StoredKeys
from vigil.columnar.csv_norm import register_python_norm
from vigil.columnar.csv_sql import FIELDS, FileFacts, lane_query
from vigil.columnar.csv_writer import PartWriter
from vigil.columnar.store import ColumnarRecords
from vigil.importers.lines import MAX_LINE_BYTES
from vigil.importers.tally import Tally
from vigil.records import RecordKind
from vigil.store.interfaces import RecordStore

LANE_BATCH_ROWS = 500_000
"""Rows per batch and part when the store's chunk is smaller (a store's larger chunk wins):
peak memory stays near 1.5 GB, and parts are large enough to read fast."""
MEMORY_LIMIT = "1GB"
"""DuckDB's own memory limit for the streaming pass (the CSV reader and the row expressions)."""


def lane_header(path: Path) -> list[str] | None:
    """The header's field names when the lane can read ``path``; ``None`` when it cannot."""
    plan = _plan(path)
    return None if plan is None else plan[0]


def _plan(path: Path) -> tuple[list[str], FileFacts] | None:
    """The header's names and what the rows' bytes say (:func:`_scan`) when the lane can read
    ``path``; ``None`` when it cannot."""
    if path.stat().st_size == 0:
        return None
    with path.open("rb") as handle:
        first = handle.readline()
        handle.seek(-1, os.SEEK_END)
        if handle.read(1) != b"\n":
            return None
    # A header may quote its names (pyarrow's CSV writer does): "txn_id" is txn_id to csv.reader.
    names = [_unquoted(name) for name in first[:-1].decode("ascii", errors="replace").split(",")]
    if len(set(names)) != len(names) or not set(names) <= set(FIELDS):
        return None
    scanned = _scan(path)
    if scanned is None or scanned[1] > MAX_LINE_BYTES:
        return None
    return names, scanned[0]


_ALLOWED_BYTES = bytes(b for b in range(0x20, 0x7f) if b not in b'\\"') + b"\n"
"""Bytes of a row that no cell check needs to look at again: printable ASCII but ``\\`` and
``"`` (a quote sends the whole file to the importer)."""
_FACTS_CHUNK = 1 << 24


def _scan(path: Path) -> tuple[FileFacts, int] | None:
    """What the bytes after the header line say of every row, and the longest row's bytes with
    its newline; ``None`` when a row holds ``"`` or CR or is blank (the lane cannot read the
    file). One pass, 16 MiB at a time: numpy finds the newlines, 0.07 CPU-s per million rows
    against 0.25 for DuckDB adding up each row's cell lengths; the quote, CR and blank-line
    checks were three more passes over the file before (docs/benchmarks.md, CSV lane, sixth
    round)."""
    printable, spaces, longest = True, False, 0
    with path.open("rb") as handle:
        offset = start = len(handle.readline())
        while chunk := handle.read(_FACTS_CHUNK):
            other = chunk.translate(None, _ALLOWED_BYTES)
            if other and (b'"' in other or b"\r" in other):
                return None
            printable = printable and not other
            spaces = spaces or b" " in chunk
            ends = np.flatnonzero(np.frombuffer(chunk, np.uint8) == ord("\n")) + offset
            if len(ends):  # a row's bytes: from the byte after the previous newline to its own
                lengths = np.diff(ends)
                first = int(ends[0]) + 1 - start
                if first == 1 or int(lengths.min(initial=2)) == 1:  # a blank line
                    return None
                longest = max(longest, first, int(lengths.max(initial=0)))
                start = int(ends[-1]) + 1
            offset += len(chunk)
    return FileFacts(printable, spaces), max(longest, offset - start)


def file_facts(path: Path) -> FileFacts:
    """What the bytes after the header line say of every row (one pass, 16 MiB at a time)."""
    scanned = _scan(path)
    assert scanned is not None, "a file the lane reads"
    return scanned[0]


def _unquoted(name: str) -> str:
    inner = name[1:-1]
    return inner if len(name) > 1 and name[0] == name[-1] == '"' and '"' not in inner else name


class _Unreadable(Exception):
    """The lane cannot read this file after all; the importer takes it whole."""


def _batches(reader: pa.RecordBatchReader, rows: int) -> Iterator[pa.Table]:
    """The reader's batches gathered into tables of at least ``rows`` rows (the last: fewer)."""
    held: list[pa.RecordBatch] = []
    for batch in reader:
        held.append(batch)
        if sum(b.num_rows for b in held) >= rows:
            yield pa.Table.from_batches(held)
            held = []
    if held:
        yield pa.Table.from_batches(held)


def _stream(columnar: ColumnarRecords, run: LaneRun, path: Path, facts: FileFacts,
            batch_rows: int) -> None:
    """Every batch of the file stored; :class:`_Unreadable` on what DuckDB refuses."""
    config: dict[str, str | bool | int | float | list[str]] = {"memory_limit": MEMORY_LIMIT}
    # One connection streams the file's rows decided, the other deduplicates each batch (a
    # connection with an open result runs no other query).
    deciding = duckdb.connect(":memory:", config=config)
    deduping = duckdb.connect(":memory:", config=config)
    try:
        for connection in (deciding, deduping):
            connection.execute("SET enable_progress_bar = false")  # no bar in CLI output
        register_python_norm(deciding)
        keys = StoredKeys(columnar, deduping)
        writer = PartWriter(columnar, keys, run.written)
        try:
            _decide_and_store(deciding, writer, run, path, facts, batch_rows)
            writer.finish()
        finally:
            writer.close()
    except duckdb.Error as exc:
        raise _Unreadable from exc
    finally:
        deciding.close()
        deduping.close()


def _decide_and_store(deciding: duckdb.DuckDBPyConnection, writer: PartWriter, run: LaneRun,
                      path: Path, facts: FileFacts, batch_rows: int) -> None:
    """Each batch of the file decided, then stored by ``writer``."""
    reader = deciding.sql(lane_query(str(path), run.header, facts)).to_arrow_reader(batch_rows)
    with ReadAhead(_batches(reader, batch_rows)) as ahead:  # batch n + 1 decided meanwhile
        for decided in ahead:
            store_batch(writer, run, decided)


def _undo(columnar: ColumnarRecords, run: LaneRun) -> None:
    for part in run.written:
        columnar.folder.fs.rm(columnar.folder.fs_path(part))


def import_payment_csv(store: ColumnarRecords, operational: RecordStore, path: Path,
                       chunk_rows: int) -> tuple[int, Tally] | None:
    """Import ``path`` through the lane: ``(physical lines, tally)``, or ``None`` (nothing
    stored) when the lane cannot read it."""
    plan = _plan(path)
    if plan is None:
        return None
    header, facts = plan
    run = LaneRun(str(path), header)
    with store.folder.writer_lock(RecordKind.PAYMENT.value):
        store.folder.remove_leftovers(RecordKind.PAYMENT.value)
    try:
        _stream(store, run, path, facts, max(chunk_rows, LANE_BATCH_ROWS))
    except _Unreadable:
        _undo(store, run)
        return None
    except BaseException:
        operational.add_quarantine(run.quarantine)  # what was stored stays; so does its record
        raise
    operational.add_quarantine(run.quarantine)
    return run.lines_read + 1, run.tally


__all__ = ["LANE_BATCH_ROWS", "file_facts", "import_payment_csv", "lane_header"]
