"""The vectorised CSV lane: payments from CSV into the columnar store without a model per row.

DuckDB reads the file (every column as text), the distinct identifiers and countries are
normalised once each by the Python normalisers, and one SQL pass (:mod:`vigil.columnar.csv_sql`)
decides the *plain* rows and writes their stored form: the model's JSON, content hash and typed
columns. Every other row (a bad cell, non-ASCII text, a time with an offset...) is handed to
:func:`vigil.importers.rows.parse_row`, the Python importer's own check, so the stored records and
quarantine reasons are the ones the Python lane gives. Deduplication is the store's
(:func:`vigil.store.record_ids.classify` over the stored key columns).

The lane reads only files whose physical lines are rows: no ``"`` (quoted cells may span lines),
no CR, no blank line, a header of known, distinct Payment fields, a final newline, no line over
:data:`~vigil.importers.lines.MAX_LINE_BYTES`. Any other file, or one DuckDB cannot read (a row
with the wrong number of cells, bytes that are not UTF-8), goes to the Python importer whole.
"""

from __future__ import annotations

import mmap
from pathlib import Path

import duckdb
import pyarrow as pa

from vigil.columnar.csv_chunk import Tally, store_batch
from vigil.columnar.csv_sql import FIELDS, MAPPED, lane_query
from vigil.columnar.store import ColumnarRecords
from vigil.countries import check_country
from vigil.identifiers import MOBILE_WALLET_REGIONS, PROVIDER_ALIASES, normalise
from vigil.importers.lines import MAX_LINE_BYTES
from vigil.store.interfaces import RecordStore


def lane_header(path: Path) -> list[str] | None:
    """The header's field names when the lane can read ``path``; ``None`` when it cannot."""
    with path.open("rb") as handle:
        if path.stat().st_size == 0:
            return None
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            body = data.find(b"\n") + 1
            if (data[-1:] != b"\n" or data.find(b"\n\n") >= 0
                    or any(data.find(b, body) >= 0 for b in (b'"', b"\r"))):
                return None
            first = data[:body - 1]
    # A header may quote its names (pyarrow's CSV writer does): "txn_id" is txn_id to csv.reader.
    names = [_unquoted(name) for name in first.decode("ascii", errors="replace").split(",")]
    if len(set(names)) != len(names) or not set(names) <= set(FIELDS):
        return None
    return names


def _unquoted(name: str) -> str:
    inner = name[1:-1]
    return inner if len(name) > 1 and name[0] == name[-1] == '"' and '"' not in inner else name


def _load(connection: duckdb.DuckDBPyConnection, path: Path, header: list[str]) -> int:
    """Table ``raw`` (every Payment field, absent columns NULL) in file order; rows read."""
    columns = ", ".join(f"'{name}': 'VARCHAR'" for name in header)
    source = str(path).replace("'", "''")
    select = ", ".join(name if name in header else f"NULL::VARCHAR AS {name}" for name in FIELDS)
    connection.execute(
        f"CREATE TABLE raw AS SELECT {select} FROM read_csv('{source}', header = true, "
        f"auto_detect = false, columns = {{{columns}}}, delim = ',', quote = '', escape = '', "
        f"new_line = '\\n', strict_mode = true)")
    width = " + ".join(f"coalesce(strlen({name}), 0)" for name in header)
    count, longest = connection.execute(
        f"SELECT count(*), coalesce(max({width}), 0) + {len(header)} FROM raw").fetchone() or (0, 0)
    return -1 if longest > MAX_LINE_BYTES else int(count)


def _normalised(kind: str, value: str) -> str | None:
    """What the model's field makes of ``value``, or None (the row then goes to Python)."""
    if not value.isascii() or value != value.strip():
        return None
    try:
        return check_country(value) if kind == "country" else normalise(kind, value)
    except ValueError:
        return None


_SPECIAL_PROVIDERS = sorted({*PROVIDER_ALIASES, *MOBILE_WALLET_REGIONS})
_PLAIN_ACCOUNT = (
    r"regexp_full_match(v, '[A-Za-z0-9][A-Za-z0-9_.-]*: *[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?') "
    f"AND lower(split_part(v, ':', 1)) NOT IN ({', '.join(repr(p) for p in _SPECIAL_PROVIDERS)})")
"""A printable-ASCII ``provider:id`` of a provider with no alias and no phone-number ids:
:func:`vigil.identifiers.normalise_payment_account` lower-cases it and drops spaces and dashes."""
_PLAIN_ACCOUNT_NORM = ("lower(split_part(v, ':', 1)) || ':' || "
                       "lower(replace(replace(substr(v, strpos(v, ':') + 1), ' ', ''), '-', ''))")


def _register_idmap(connection: duckdb.DuckDBPyConnection) -> None:
    """Table ``idmap``: each distinct identifier or country and what the model makes of it
    (plain payment accounts in SQL, the rest by the Python normalisers)."""
    kinds, raws, norms = [], [], []
    for kind in sorted(set(MAPPED.values())):
        names = [name for name, k in MAPPED.items() if k == kind]
        union = " UNION ".join(f"SELECT {name} AS v FROM raw" for name in names)
        plain = _PLAIN_ACCOUNT if kind == "payment_account" else "false"
        connection.execute(f"CREATE OR REPLACE TEMP VIEW v_{kind} AS "
                           f"SELECT v, {plain} AS plain FROM ({union}) WHERE v IS NOT NULL")
        for (value,) in connection.execute(f"SELECT v FROM v_{kind} WHERE NOT plain").fetchall():
            kinds.append(kind)
            raws.append(value)
            norms.append(_normalised(kind, value))
    connection.register("python_idmap", pa.table({"kind": pa.array(kinds, pa.string()),
                                                   "raw": pa.array(raws, pa.string()),
                                                   "norm": pa.array(norms, pa.string())}))
    connection.execute(
        f"CREATE TEMP TABLE idmap AS SELECT * FROM python_idmap UNION ALL "
        f"SELECT 'payment_account', v, {_PLAIN_ACCOUNT_NORM} FROM v_payment_account WHERE plain")


def import_payment_csv(store: ColumnarRecords, operational: RecordStore, path: Path,
                       chunk_rows: int) -> tuple[int, Tally] | None:
    """Import ``path`` through the lane: ``(physical lines, tally)``, or ``None`` (nothing
    stored) when the lane cannot read it."""
    header = lane_header(path)
    if header is None:
        return None
    connection = duckdb.connect(":memory:")
    try:
        try:
            rows = _load(connection, path, header)
        except duckdb.Error:
            return None
        if rows < 0:
            return None
        _register_idmap(connection)
        reader = connection.sql(lane_query()).to_arrow_reader(chunk_rows)
        tally = Tally()
        for batch in reader or ():
            store_batch(store, operational, str(path), pa.Table.from_batches([batch]), header,
                        tally)
    finally:
        connection.close()
    return rows + 1, tally


__all__ = ["import_payment_csv", "lane_header"]
