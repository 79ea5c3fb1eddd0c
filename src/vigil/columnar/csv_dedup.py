"""Deduplication of one lane batch against the stored parts and itself, in DuckDB.

:func:`vigil.store.record_ids.classify` walks rows in order: a row whose id is owned by other
content (stored, or an earlier row of the batch) is a conflict; otherwise it is new when its
content is neither stored nor queued, else a duplicate. As the content hash covers the id, that
is: conflict when the hash differs from the stored one (or, if none, from the first row with the
id); new when the id is not stored and the row is the id's first; else duplicate. Written as two
hash aggregates and two joins, so nothing per row passes through Python, and the stored parts
are read two columns at a time, streaming (memory bounded by the batch's ids).
"""

from __future__ import annotations

import pyarrow as pa

from vigil.columnar.store import ColumnarRecords
from vigil.records import RecordKind

DUPLICATE, NEW, CONFLICT = 0, 1, 2


def fates(columnar: ColumnarRecords, rows: pa.Table) -> pa.Array:
    """Per row of ``rows`` (``record_id``, ``content_hash``, in file order): :data:`NEW`,
    :data:`DUPLICATE` or :data:`CONFLICT`."""
    keys = pa.table({"record_id": rows.column("record_id"),
                     "content_hash": rows.column("content_hash"),
                     "position": pa.array(range(rows.num_rows), pa.int64())})
    parts = columnar.parts(RecordKind.PAYMENT)
    stored = ("SELECT record_id, any_value(content_hash) AS stored_hash FROM read_parquet(?) "
              "WHERE record_id IN (SELECT record_id FROM batch) GROUP BY record_id"
              if parts else
              "SELECT NULL::VARCHAR AS record_id, NULL::VARCHAR AS stored_hash WHERE false")
    connection = columnar.connect()
    try:
        connection.register("batch", keys)
        result = connection.sql(f"""
            WITH firsts AS (
                SELECT record_id, arg_min(content_hash, position) AS first_hash,
                       min(position) AS first_position
                FROM batch GROUP BY record_id),
            stored AS ({stored})
            SELECT CAST(CASE
                WHEN b.content_hash <> coalesce(s.stored_hash, f.first_hash) THEN {CONFLICT}
                WHEN s.record_id IS NULL AND b.position = f.first_position THEN {NEW}
                ELSE {DUPLICATE} END AS TINYINT) AS fate
            FROM batch b JOIN firsts f USING (record_id)
            LEFT JOIN stored s USING (record_id)
            ORDER BY b.position""", params=[parts] if parts else None).to_arrow_table()
    finally:
        connection.close()
    return result.column("fate").combine_chunks()


__all__ = ["CONFLICT", "DUPLICATE", "NEW", "fates"]
