"""One :class:`~vigil.store.interfaces.RecordStore` over two places: Parquet parts for the
high-volume kinds, the operational store (SQLite/PostgreSQL) for the rest and for quarantine.

``VIGIL_RECORD_STORE=parquet`` makes ``vigil import`` and the pipeline use it; the parts live
under ``VIGIL_RECORDS_URL``, else in ``records/`` beside the SQLite database
(``.vigil/records/payment/part-*.parquet``). Records the API accepts one at a time are committed
to the operational store first and read from there until ``vigil records move``
(:mod:`vigil.columnar.mover`) moves them into parts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

from sqlalchemy.engine import make_url

from vigil.columnar.store import COLUMNAR_KINDS, ColumnarRecords
from vigil.quarantine import QuarantineEntry
from vigil.records import Payment, Record, RecordKind
from vigil.settings import Settings
from vigil.store import record_ids
from vigil.store.interfaces import RECORD_BATCH_ROWS, AddResult, RecordStore
from vigil.store.tenancy import TENANT_FOLDER, tenant_of_store_url

COLUMNAR_CHUNK_ROWS = 50_000
"""Rows per Parquet part: each import chunk is one part and one key look-up over the stored
parts, so larger chunks mean fewer, better-compressed parts; 50,000 payment objects are about
150 MB in memory while the chunk is built (about 3 KB each, vigil.ingest)."""


class RecordsLocationError(ValueError):
    """The columnar store has no place: PostgreSQL without ``VIGIL_RECORDS_URL``."""


def records_root(settings: Settings, database_url: str) -> str:
    """``VIGIL_RECORDS_URL``, else ``records/`` beside the SQLite database file; a tenant's
    store (:mod:`vigil.access.tenants`) keeps its parts under ``tenants/<tenant>`` there, so
    two tenants never share a part or see each other's records."""
    tenant = tenant_of_store_url(database_url)
    if settings.records_url:
        base = settings.records_url.rstrip("/")
    else:
        base = _beside_sqlite(database_url, tenant)
    return f"{base}/{TENANT_FOLDER}/{tenant}" if tenant else base


def _beside_sqlite(database_url: str, tenant: str | None) -> str:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        folder = Path(url.database).resolve().parent
        return str((folder.parent if tenant else folder) / "records")
    raise RecordsLocationError(
        "VIGIL_RECORD_STORE=parquet needs VIGIL_RECORDS_URL (a folder or fsspec URL) when the "
        f"store is not a SQLite file (store: {url.render_as_string(hide_password=True)})")


class SplitRecordStore:
    """Columnar kinds to :class:`ColumnarRecords`, everything else to ``operational``."""

    chunk_rows = COLUMNAR_CHUNK_ROWS

    def __init__(self, operational: RecordStore, columnar: ColumnarRecords) -> None:
        self.operational = operational
        self.columnar = columnar

    def add_records(self, records: Sequence[Record]) -> AddResult:
        if records and records[0].kind in COLUMNAR_KINDS:
            return self.columnar.add_records(records)
        return self.operational.add_records(records)

    def records(self, kind: RecordKind) -> list[Record]:
        return [record for batch in self.record_batches(kind) for record in batch]

    def record_batches(self, kind: RecordKind,
                       batch_rows: int = RECORD_BATCH_ROWS) -> Iterator[list[Record]]:
        """The kind's records, each once: the Parquet parts, then the records still waiting in
        the operational store (accepted one at a time by the API, not moved yet).

        The waiting records are read first and the parts listed after, so a record the mover
        moves meanwhile is in that listing if it left the table before the listing and is read
        from the table otherwise, never both and never neither. They are held until the parts
        are read (what the mover has not moved yet, not the history); one whose id the listed
        parts hold is left out (the same record moved, or a conflict the mover quarantines).
        """
        if kind not in COLUMNAR_KINDS:
            yield from self.operational.record_batches(kind, batch_rows)
            return
        waiting = self.operational.records(kind)
        parts = self.columnar.parts(kind)
        yield from self.columnar.record_batches(kind, batch_rows, parts)
        moved = self.columnar.stored_hashes([record_ids.record_id(r)[1] for r in waiting], parts)
        waiting = [r for r in waiting if record_ids.record_id(r)[1] not in moved]
        for start in range(0, len(waiting), batch_rows):
            yield waiting[start:start + batch_rows]

    def payments_of(self, accounts: Collection[str]) -> list[Payment]:
        """The accounts' payments in the parts, then those still waiting in the operational
        store whose id no listed part holds (the same rule as :meth:`record_batches`)."""
        waiting = self.operational.payments_of(accounts)
        parts = self.columnar.parts(RecordKind.PAYMENT)
        moved = self.columnar.stored_hashes([p.txn_id for p in waiting], parts)
        return self.columnar.payments_of(accounts, parts) + [
            p for p in waiting if p.txn_id not in moved]

    def add_quarantine(self, entries: Sequence[QuarantineEntry]) -> AddResult:
        return self.operational.add_quarantine(entries)

    def quarantine(self, limit: int | None = None) -> list[QuarantineEntry]:
        return self.operational.quarantine(limit)

    def quarantine_count(self) -> int:
        return self.operational.quarantine_count()


def record_store_for(settings: Settings, operational: RecordStore,
                     database_url: str) -> RecordStore:
    """The record store ``VIGIL_RECORD_STORE`` names: ``sql`` (today's table) or ``parquet``."""
    if settings.record_store == "sql":
        return operational
    return SplitRecordStore(operational, columnar_records(settings, database_url))


def columnar_records(settings: Settings, database_url: str) -> ColumnarRecords:
    """The Parquet parts ``VIGIL_RECORDS_URL`` (or the SQLite store's folder) names."""
    return ColumnarRecords(records_root(settings, database_url))


__all__ = ["COLUMNAR_CHUNK_ROWS", "RecordsLocationError", "SplitRecordStore",
           "columnar_records", "record_store_for", "records_root"]
