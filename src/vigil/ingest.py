"""Import files into the record store: pick the importer, keep good rows, quarantine bad ones.

Import is idempotent: records are keyed by content hash, so importing the same file twice adds
nothing the second time. A record whose id (``txn_id``, ``message_id``...) is already stored
with different content is quarantined ("txn_id X already stored with different content"),
whether the first one came from the same file or an earlier import.

Import streams: the importer yields rows as it reads them, and every :data:`CHUNK_ROWS` rows
the accepted records and quarantine entries are written in one transaction each, so memory does
not grow with the file. Accepted rows are always stored: each chunk is committed before the next
is read, and the summary counts them all.

With ``VIGIL_RECORD_STORE=parquet`` the store given is a
:class:`~vigil.columnar.split.SplitRecordStore`: records of every kind go to Parquet parts (one
per chunk, written atomically, deduplicated against the stored parts by DuckDB), quarantine to the
store as before; CSV
payment files are read by the vectorised lane (:mod:`vigil.columnar.csv_lane`), which stores and
quarantines exactly what the importer would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vigil.importers.clock import DEFAULT_MAX_FUTURE_SKEW, import_clock
from vigil.importers.tally import FIRST_PROBLEMS, Tally
from vigil.plugin import AcceptedRow, Importer
from vigil.quarantine import QuarantineEntry
from vigil.records import RecordKind
from vigil.store import codec, record_ids
from vigil.store.interfaces import RecordStore


class NoImporterError(ValueError):
    """No registered importer reads this kind of record from this kind of file."""


@dataclass(frozen=True)
class FileSummary:
    """What happened to one file."""

    path: Path
    importer: str
    lines: int
    accepted: int
    added: int
    duplicates: int
    quarantined: int
    first_problems: tuple[str, ...] = ()
    """``line N: reason`` of the first few quarantined rows, for a summary to show at once."""


def choose_importer(kind: RecordKind, path: Path, importers: Mapping[str, type[Importer]],
                    format_name: str | None = None) -> type[Importer]:
    """The importer of ``kind`` for ``path``: the one ``format_name`` names (its registered name,
    or the part before the dot: ``iso20022``), else one that recognises the file's content
    (an importer's optional ``claims(path)``), else the longest matching suffix."""
    of_kind = {n: i for n, i in importers.items() if i.produces is kind}
    if format_name is not None:
        chosen = [i for n, i in sorted(of_kind.items()) if format_name in (n, n.split(".")[0])]
        if not chosen:
            names = ", ".join(sorted(n.split(".")[0] for n in of_kind)) or "none"
            raise NoImporterError(f"no {kind.value} importer for format {format_name!r} "
                                  f"(known: {names})")
        return chosen[0]
    claimed = [i for _, i in sorted(of_kind.items()) if _claims(i, path)]
    if claimed:
        return claimed[0]
    name = path.name.lower()
    candidates = [(len(suffix), importer_name, importer)
                  for importer_name, importer in of_kind.items()
                  for suffix in importer.suffixes if name.endswith(suffix)]
    if not candidates:
        known = sorted({s for i in of_kind.values() for s in i.suffixes})
        raise NoImporterError(f"{path}: no importer for {kind.value} files ending like this "
                              f"(known: {', '.join(known) or 'none'})")
    return max(candidates, key=lambda c: (c[0], c[1]))[2]


def _claims(importer: type[Importer], path: Path) -> bool:
    """Whether ``importer`` recognises ``path`` by its content (False when it cannot tell)."""
    claims = getattr(importer, "claims", None)
    if claims is None:
        return False
    try:
        return bool(claims(path))
    except OSError:
        return False


CHUNK_ROWS = 5000
"""Rows written per transaction: large enough that commits are cheap per row, small enough that
a chunk's records (about 3 KB each in memory) stay a few MB."""




def conflict_entry(source: str, row: AcceptedRow) -> QuarantineEntry:
    """The quarantine entry for a record whose id is already stored with other content."""
    id_field, value = record_ids.record_id(row.record)
    return QuarantineEntry(row.record.kind, source, row.line, codec.record_to_json(row.record),
                           f"{id_field} {value} already stored with different content",
                           row.line_sha256)


def _flush(store: RecordStore, source: str, accepted: list[AcceptedRow],
           quarantined: list[QuarantineEntry], tally: Tally) -> None:
    stored = store.add_records([row.record for row in accepted])
    conflicts = [conflict_entry(source, accepted[i]) for i in stored.conflicts]
    store.add_quarantine([*quarantined, *conflicts])
    tally.accepted += len(accepted) - len(conflicts)
    tally.added += stored.added
    tally.duplicates += stored.duplicates
    tally.quarantined += len(quarantined) + len(conflicts)
    room = FIRST_PROBLEMS - len(tally.first_problems)
    new_problems = [*quarantined, *conflicts][:room]
    tally.first_problems += [f"line {q.line}: {q.reason}" for q in new_problems]
    accepted.clear()
    quarantined.clear()


def import_file(store: RecordStore, kind: RecordKind, path: Path,
                importers: Mapping[str, type[Importer]],
                chunk_rows: int = CHUNK_ROWS, format_name: str | None = None) -> FileSummary:
    """Read ``path`` a chunk at a time and store its accepted records and quarantined rows."""
    importer = choose_importer(kind, path, importers, format_name)
    rows = importer().rows(path)
    accepted: list[AcceptedRow] = []
    quarantined: list[QuarantineEntry] = []
    tally, lines = Tally(), 0
    while True:
        try:
            outcome = next(rows)
        except StopIteration as done:
            lines = done.value
            break
        if isinstance(outcome, AcceptedRow):
            accepted.append(outcome)
        else:
            quarantined.append(outcome)
        if len(accepted) + len(quarantined) >= chunk_rows:
            _flush(store, str(path), accepted, quarantined, tally)
    _flush(store, str(path), accepted, quarantined, tally)
    return FileSummary(path, importer.name, lines, tally.accepted, tally.added,
                       tally.duplicates, tally.quarantined, tuple(tally.first_problems))


def import_files(store: RecordStore, kind: RecordKind, paths: Sequence[Path],
                 importers: Mapping[str, type[Importer]],
                 columnar_lane: bool = True,
                 max_future_skew: timedelta = DEFAULT_MAX_FUTURE_SKEW,
                 format_name: str | None = None) -> list[FileSummary]:
    """Import each file; a store that names its own ``chunk_rows`` (the columnar store writes
    one Parquet part per chunk) gets chunks of that size. CSV payments bound for the columnar
    store take the vectorised lane (:mod:`vigil.columnar.csv_lane`) unless ``columnar_lane`` is
    False; the lane hands any file it cannot read to the importer."""
    chunk_rows = getattr(store, "chunk_rows", CHUNK_ROWS)
    summaries = []
    # One clock reading per call, so every path of this import judges dates alike.
    with import_clock(max_future_skew, datetime.now(UTC)):
        for path in paths:
            summary = (_lane_import(store, kind, path, importers, chunk_rows, format_name)
                       if columnar_lane else None)
            summaries.append(summary or import_file(store, kind, path, importers, chunk_rows,
                                                    format_name))
    return summaries


def _lane_import(store: RecordStore, kind: RecordKind, path: Path,
                 importers: Mapping[str, type[Importer]], chunk_rows: int,
                 format_name: str | None = None) -> FileSummary | None:
    from vigil.columnar.csv_lane import import_payment_csv
    from vigil.columnar.split import SplitRecordStore
    from vigil.importers.csv_payments import PaymentCsv

    if not isinstance(store, SplitRecordStore) or kind is not RecordKind.PAYMENT:
        return None
    if choose_importer(kind, path, importers, format_name) is not PaymentCsv:
        return None
    done = import_payment_csv(store.columnar, store.operational, path, chunk_rows)
    if done is None:
        return None
    lines, tally = done
    return FileSummary(path, PaymentCsv.name, lines, tally.accepted, tally.added,
                       tally.duplicates, tally.quarantined, tuple(tally.first_problems))
