"""One batch of the CSV lane: Python decides the rows SQL did not, DuckDB deduplicates.

The rows SQL could not decide alone go through :func:`vigil.importers.rows.parse_row` with the
cells and physical line the Python importer would give it (lane files have no quoting, so the
line is the cells joined by commas). Accepted rows of both kinds become one table in file order,
and :meth:`vigil.columnar.csv_dedup.StoredKeys.fates` decides each as the store's
:func:`vigil.store.record_ids.classify` would (new, duplicate, or a conflict to quarantine), so
the lane stores and quarantines what the Python lane does.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from vigil import redact
from vigil.columnar.csv_dedup import CONFLICT, NEW
from vigil.columnar.csv_writer import PartWriter
from vigil.columnar.tables import part_schema, records_from_batch, records_table
from vigil.importers.rows import parse_row
from vigil.importers.tally import FIRST_PROBLEMS, Tally
from vigil.plugin import AcceptedRow, RowOutcome
from vigil.quarantine import QuarantineEntry
from vigil.records import RecordKind
from vigil.store import codec

PAYMENT = RecordKind.PAYMENT


@dataclass
class LaneRun:
    """What one lane import has done so far: parts written, quarantine held back, counts."""

    source: str
    header: list[str]
    lines_read: int = 0
    written: list[str] = field(default_factory=list)
    quarantine: list[QuarantineEntry] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)


def raw_line(table: pa.Table, index: int, header: list[str]) -> bytes:
    """Row ``index``'s physical line as read."""
    cells = [table.column(f"c_{name}")[index].as_py() for name in header]
    return (",".join("" if cell is None else cell for cell in cells) + "\n").encode("utf-8")


def python_rows(run: LaneRun, table: pa.Table) -> list[tuple[int, RowOutcome]]:
    """``(index, parse_row outcome)`` of the rows SQL did not decide alone."""
    outcomes: list[tuple[int, RowOutcome]] = []
    for index in pc.indices_nonzero(pc.invert(table.column("plain"))).to_pylist():
        cells = {name: table.column(f"c_{name}")[index].as_py() for name in run.header}
        data = {name: value for name, value in cells.items() if value is not None}
        outcomes.append((index, parse_row(PAYMENT, data, run.source, run.lines_read + index + 2,
                                          raw_line(table, index, run.header))))
    return outcomes


def stored_table(table: pa.Table, accepted: list[tuple[int, AcceptedRow]]) -> pa.Table:
    """The part rows of one batch in file order (column ``index``: the row in ``table``)."""
    schema = part_schema(PAYMENT)
    mask = table.column("plain")
    plain = table if pc.all(mask).as_py() else table.filter(mask)  # a filter copies every cell
    columns = [plain.column(name).cast(schema.field(name).type) for name in schema.names]
    fast = pa.Table.from_arrays(columns, schema=schema).append_column(
        "index", pc.indices_nonzero(mask).cast(pa.int64()))
    if not accepted:
        return fast
    slow = records_table(PAYMENT, [row.record for _, row in accepted]).append_column(
        "index", pa.array([i for i, _ in accepted], pa.int64()))
    return pa.concat_tables([fast, slow]).sort_by("index")


def _conflict(run: LaneRun, table: pa.Table, rows: pa.Table, position: int) -> QuarantineEntry:
    """As :func:`vigil.ingest.conflict_entry`: the record's JSON, the line's SHA-256."""
    index = rows.column("index")[position].as_py()
    [record] = records_from_batch(PAYMENT, rows.slice(position, 1))
    return QuarantineEntry(
        PAYMENT, run.source, run.lines_read + index + 2, codec.record_to_json(record),
        f"txn_id {rows.column('record_id')[position].as_py()} already stored with different "
        f"content", redact.sha256_of(raw_line(table, index, run.header)))


def store_batch(writer: PartWriter, run: LaneRun, table: pa.Table) -> None:
    """Store one batch of lane rows (a part of its new ones, written by ``writer`` while the
    lane goes on) and hold back its bad ones."""
    columnar, keys = writer.columnar, writer.keys
    outcomes = python_rows(run, table)
    quarantined = [o for _, o in outcomes if isinstance(o, QuarantineEntry)]
    accepted = [(i, o) for i, o in outcomes if isinstance(o, AcceptedRow)]
    rows = stored_table(table, accepted)
    writer.finish()  # the previous batch's part is on disk and its ids known
    # Writers of payments take turns (the mover too), so no other writer accepts these ids;
    # the lock is held until this batch's part is written (csv_writer).
    lock = ExitStack()
    lock.enter_context(columnar.folder.writer_lock(PAYMENT.value))
    with ExitStack() as on_error:
        on_error.callback(lock.close)
        fate = keys.fates(rows)
        is_new = pc.equal(fate, NEW)
        new = (rows if pc.all(is_new).as_py() else rows.filter(is_new)).drop_columns(["index"])
        if new.num_rows:
            writer.submit(new, lock)
            on_error.pop_all()
    positions = pc.indices_nonzero(pc.equal(fate, CONFLICT)).to_pylist()
    conflicts = [_conflict(run, table, rows, p) for p in positions]
    run.quarantine += [*quarantined, *conflicts]
    tally = run.tally
    tally.accepted += rows.num_rows - len(conflicts)
    tally.added += new.num_rows
    tally.duplicates += rows.num_rows - new.num_rows - len(conflicts)
    tally.quarantined += len(quarantined) + len(conflicts)
    room = FIRST_PROBLEMS - len(tally.first_problems)
    problems = [*quarantined, *conflicts][:room]
    tally.first_problems += [f"line {q.line}: {q.reason}" for q in problems]
    run.lines_read += table.num_rows


__all__ = ["LaneRun", "store_batch"]
