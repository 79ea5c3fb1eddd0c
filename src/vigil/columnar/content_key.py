"""The content key of a record in the Parquet parts: 128 bits over its fields' texts.

The parts' ``content_hash`` column decides duplicates and conflicts (the rule of
:func:`vigil.store.record_ids.classify`: same id and same key, a duplicate; same id, other key, a
conflict). Part schema 3 keys a record by the MD5 (32 hex digits) of one string: the kind, then
each model field's text in model order, then the ``original_identifiers`` mapping, joined by
U+001F. A field's text is what the record's JSON holds: a string as is (``\\`` doubled and
U+001F written ``\\u001f``, so no text holds a bare separator), ``\\N`` for null, anything else
as canonical JSON (a float's ``repr``, a time's ISO text with its offset). The mapping is its
canonical JSON, or ``\\N`` when there is none. So the key covers exactly what the record's
canonical JSON (:meth:`vigil.records.Record.content_hash`) covers, tenant stamp left out
likewise, and two records get one key only if that JSON is the same (or MD5 collides: see
docs/formats.md). The CSV lane computes the same string in SQL (:func:`payment_key_sql`); the
Python writers (:func:`vigil.columnar.tables.records_table`: the importer, the mover, migrate)
here.

Parts written before schema 3 hold SHA-256 keys (64 hex digits, :data:`LEGACY_KEY_LENGTH`): the
columnar store recomputes those rows' keys from their records when it compares against them
(:meth:`vigil.columnar.store.ColumnarRecords.stored_keys`), so old parts need no rewrite.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from vigil.model import canonical_json
from vigil.records import ORIGINALS_KEY, TENANT_KEY, Payment, Record

KEY_LENGTH = 32
LEGACY_KEY_LENGTH = 64
"""Hex digits of a key written before part schema 3 (SHA-256 of the canonical JSON)."""
SEPARATOR = "\x1f"
NULL_TEXT = "\\N"


def field_text(value: Any) -> str:
    """A field's text in the key string (see the module's docstring)."""
    if value is None:
        return NULL_TEXT
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace(SEPARATOR, "\\u001f")
    return canonical_json(value)


def key_text(record: Record) -> str:
    """The string whose MD5 is the record's content key."""
    data: dict[str, Any] = record.model_dump(mode="json")
    data.pop(TENANT_KEY, None)
    originals: Mapping[str, str] | None = data.pop(ORIGINALS_KEY, None)
    texts = [record.kind.value, *(field_text(data[name]) for name in type(record).model_fields)]
    texts.append(NULL_TEXT if originals is None else canonical_json(dict(originals)))
    return SEPARATOR.join(texts)


def content_key(record: Record) -> str:
    """The record's content key: 32 hex digits (MD5 of :func:`key_text`)."""
    return hashlib.md5(key_text(record).encode("utf-8"), usedforsecurity=False).hexdigest()


def payment_key_sql(texts: Mapping[str, list[str]]) -> str:
    """DuckDB SQL of a payment's content key, given each field's text as SQL pieces of one
    ``concat`` (already escaped, ``'\\N'`` for null; the caller guarantees no original
    identifiers): the same string as :func:`key_text`, hashed by DuckDB's ``md5``. Adjacent
    string literals (the separators, ``'Z'``, a field absent from the file) are joined into one:
    fewer arguments to ``concat`` (docs/benchmarks.md, CSV lane, sixth round)."""
    separator = f"'{SEPARATOR}'"
    pieces = ["'payment'"]
    for name in Payment.model_fields:
        pieces += [separator, *texts[name]]
    pieces += [separator, f"'{NULL_TEXT}'"]
    return f"md5(concat({', '.join(_joined(pieces))}))"


_LITERAL = re.compile(r"'(?:[^']|'')*'")
"""One SQL string literal (a quote inside doubled)."""


def _joined(pieces: list[str]) -> list[str]:
    """``pieces`` with each run of adjacent string literals written as one literal."""
    joined: list[str] = []
    for piece in pieces:
        if joined and _LITERAL.fullmatch(piece) and _LITERAL.fullmatch(joined[-1]):
            joined[-1] = joined[-1][:-1] + piece[1:]
        else:
            joined.append(piece)
    return joined


__all__ = ["KEY_LENGTH", "LEGACY_KEY_LENGTH", "content_key", "field_text", "key_text",
           "payment_key_sql"]
