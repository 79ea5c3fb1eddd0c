"""One batch of the CSV lane: Python decides the rows SQL did not, the store deduplicates.

The rows SQL could not decide alone go through :func:`vigil.importers.rows.parse_row` with the
cells and physical line the Python importer would give it (lane files have no quoting, so the
line is the cells joined by commas). Accepted rows of both kinds become one table in file order,
so :meth:`ColumnarRecords.add_table` sees duplicates and conflicts in the order the Python lane
would, and quarantines the same rows with the same reasons.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from vigil import redact
from vigil.columnar.store import ColumnarRecords
from vigil.columnar.tables import part_schema, records_table
from vigil.importers.rows import parse_row
from vigil.importers.tally import FIRST_PROBLEMS, Tally
from vigil.plugin import AcceptedRow, RowOutcome
from vigil.quarantine import QuarantineEntry
from vigil.records import RecordKind
from vigil.store.interfaces import RecordStore

PAYMENT = RecordKind.PAYMENT
def raw_line(table: pa.Table, index: int, header: list[str]) -> bytes:
    """Row ``index``'s physical line as read."""
    cells = [table.column(f"c_{name}")[index].as_py() for name in header]
    return (",".join("" if cell is None else cell for cell in cells) + "\n").encode("utf-8")


def python_rows(source: str, table: pa.Table,
                header: list[str]) -> list[tuple[int, RowOutcome]]:
    """``(index, parse_row outcome)`` of the rows SQL did not decide alone."""
    outcomes: list[tuple[int, RowOutcome]] = []
    for index in pc.indices_nonzero(pc.invert(table.column("plain"))).to_pylist():
        line = table.column("line")[index].as_py()
        cells = {name: table.column(f"c_{name}")[index].as_py() for name in header}
        data = {name: value for name, value in cells.items() if value is not None}
        outcomes.append((index, parse_row(PAYMENT, data, source, line,
                                          raw_line(table, index, header))))
    return outcomes


def stored_table(table: pa.Table, accepted: list[tuple[int, AcceptedRow]]) -> pa.Table:
    """The part rows of one batch in file order (column ``index``: the row in ``table``)."""
    schema = part_schema(PAYMENT)
    plain = table.filter(table.column("plain"))
    columns = [plain.column(n if n in ("record_id", "content_hash", "data") else f"v_{n}")
               for n in schema.names]
    fast = pa.Table.from_arrays(columns, schema=schema).append_column(
        "index", pc.indices_nonzero(table.column("plain")).cast(pa.int64()))
    slow = records_table(PAYMENT, [row.record for _, row in accepted]).append_column(
        "index", pa.array([i for i, _ in accepted], pa.int64()))
    return pa.concat_tables([fast, slow]).sort_by("index")


def _conflict(source: str, table: pa.Table, rows: pa.Table, position: int,
              header: list[str]) -> QuarantineEntry:
    """As :func:`vigil.ingest.conflict_entry`: the record's JSON, the line's SHA-256."""
    index = rows.column("index")[position].as_py()
    return QuarantineEntry(
        PAYMENT, source, table.column("line")[index].as_py(),
        rows.column("data")[position].as_py(),
        f"txn_id {rows.column('record_id')[position].as_py()} already stored with different "
        f"content", redact.sha256_of(raw_line(table, index, header)))


def store_batch(columnar: ColumnarRecords, operational: RecordStore, source: str,
                table: pa.Table, header: list[str], tally: Tally) -> None:
    """Store one batch of lane rows and quarantine its bad ones; counts go to ``tally``."""
    outcomes = python_rows(source, table, header)
    quarantined = [o for _, o in outcomes if isinstance(o, QuarantineEntry)]
    accepted = [(i, o) for i, o in outcomes if isinstance(o, AcceptedRow)]
    rows = stored_table(table, accepted)
    stored = columnar.add_table(PAYMENT, rows.drop_columns(["index"]))
    conflicts = [_conflict(source, table, rows, p, header) for p in stored.conflicts]
    operational.add_quarantine([*quarantined, *conflicts])
    tally.accepted += rows.num_rows - len(conflicts)
    tally.added += stored.added
    tally.duplicates += stored.duplicates
    tally.quarantined += len(quarantined) + len(conflicts)
    room = FIRST_PROBLEMS - len(tally.first_problems)
    problems = [*quarantined, *conflicts][:room]
    tally.first_problems += [f"line {q.line}: {q.reason}" for q in problems]


__all__ = ["Tally", "store_batch"]
