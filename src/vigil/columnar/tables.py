"""Records as Arrow tables: key columns every kind has, typed columns for the kinds SQL reads.

Every part has ``record_id`` (the source's id: ``txn_id``, ``message_id``...), ``content_hash``
(since part schema 3 the content key of :mod:`vigil.columnar.content_key`) and ``data`` (the
record's JSON, so a record reads back exactly as stored, typed-as-entered identifiers
included). Since part schema version 2 (:data:`PART_SCHEMA_VERSION`): ``data`` may be
NULL where the JSON is a function of the typed columns alone (the CSV lane's plain payments: no
identifier typed outside ASCII, no tenant, whole UTC seconds); :func:`records_from_batch` then
builds the record from them, as it would have from the JSON. Version 1 parts (``data`` never
NULL) read as before. Every kind also carries one column per model field (:data:`TYPED_KINDS`),
which is what the rule SQL, linking and a detector's first pass read with ``read_parquet``
without touching ``data``. Timestamps are naive UTC microseconds, the same values the DuckDB
engine's ``register_table`` loads; a tuple field (a report's ``frame_pdqs``) is a list column.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from pydantic import AwareDatetime

from vigil.columnar.content_key import content_key
from vigil.records import RECORD_TYPES, Record, RecordKind
from vigil.store import codec, record_ids

KEY_COLUMNS = ("record_id", "content_hash")
PART_SCHEMA_VERSION = 3
"""1: ``data`` on every row; 2: ``data`` NULL where the typed columns say it all; 3:
``content_hash`` is the 32-hex content key of :mod:`vigil.columnar.content_key` (before: the
64-hex SHA-256 of the canonical JSON, recomputed when compared)."""
TYPED_KINDS: dict[RecordKind, type[Record]] = dict(RECORD_TYPES)
"""Kinds stored with one column per model field: all four."""

_ARROW_TYPES: tuple[tuple[type, pa.DataType], ...] = (
    (bool, pa.bool_()), (int, pa.int64()), (float, pa.float64()), (str, pa.string()),
    (datetime, pa.timestamp("us")), (AwareDatetime, pa.timestamp("us")),
)


def _arrow_type(annotation: Any) -> pa.DataType:
    """The Arrow type of a model field's annotation (``X | None`` and ``Annotated`` unwrapped)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin in (tuple, list):
            return pa.list_(_arrow_type(typing.get_args(annotation)[0]))
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            break
    for python_type, arrow_type in _ARROW_TYPES:
        if isinstance(annotation, type) and issubclass(annotation, python_type):
            return arrow_type
    raise TypeError(f"no Arrow type for field annotation {annotation!r}")


def field_columns(kind: RecordKind) -> dict[str, pa.DataType]:
    """Typed columns of ``kind`` (none for kinds stored as JSON only)."""
    model = TYPED_KINDS.get(kind)
    if model is None:
        return {}
    return {name: _arrow_type(info.annotation) for name, info in model.model_fields.items()}


def part_schema(kind: RecordKind) -> pa.Schema:
    key = [pa.field(name, pa.string(), nullable=False) for name in KEY_COLUMNS]
    typed = [pa.field(name, arrow_type) for name, arrow_type in field_columns(kind).items()]
    return pa.schema([*key, pa.field("data", pa.string()), *typed])


def _cell(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, tuple):
        return list(value)
    return value


def records_table(kind: RecordKind, records: Sequence[Record]) -> pa.Table:
    """One part's table: key columns, JSON and typed columns of ``records`` (all of ``kind``)."""
    columns: dict[str, list[Any]] = {
        "record_id": [record_ids.record_id(record)[1] for record in records],
        "content_hash": [content_key(record) for record in records],
        "data": [codec.record_to_json(record) for record in records],
    }
    for name in field_columns(kind):
        columns[name] = [_cell(getattr(record, name)) for record in records]
    return pa.Table.from_pydict(columns, schema=part_schema(kind))


def _field_value(value: Any) -> Any:
    """A typed column's value as the model takes it (timestamps are naive UTC)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC)
    if isinstance(value, list):
        return tuple(value)
    return value


def records_from_batch(kind: RecordKind, batch: pa.RecordBatch | pa.Table) -> list[Record]:
    """The records of a batch of part rows: from ``data`` where it is set, else from the typed
    columns (the batch must then hold them all)."""
    texts = batch.column("data").to_pylist()
    if None not in texts:
        return [codec.record_from_json(kind, text) for text in texts]
    model = RECORD_TYPES[kind]
    names = list(field_columns(kind))
    columns = {name: batch.column(name).to_pylist() for name in names}
    return [codec.record_from_json(kind, text) if text is not None else model.model_validate(
                {name: _field_value(columns[name][row]) for name in names},
                context={"stored": True})
            for row, text in enumerate(texts)]


__all__ = ["KEY_COLUMNS", "PART_SCHEMA_VERSION", "TYPED_KINDS", "field_columns", "part_schema",
           "records_from_batch", "records_table"]
