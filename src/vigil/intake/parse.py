"""Request bodies to validated records: an object, a JSON array or NDJSON, checked like files.

Every record goes through the same pydantic models as the file importers
(:func:`vigil.records.record_from_dict`) and the same clock check
(:func:`vigil.records.check_not_future`), so a record taken in over HTTP is what a file import
of the same row would store (the same content hash), plus the tenant stamp of the key that
sent it. A batch is all or nothing: one bad item refuses the whole
request with every problem named by item index and field path, because a client that retries
the batch must not find half of it stored under another answer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from vigil.intake.body_schema import intake_body_schema as intake_body_schema
from vigil.records import (
    TENANT_KEY,
    Record,
    RecordKind,
    check_not_future,
    record_from_dict,
)

NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl",
                "application/json-seq")
"""Content types read as one JSON object per line."""


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with a request: where (item index, then field names) and what."""

    loc: tuple[str | int, ...]
    msg: str

    def as_json(self) -> dict[str, Any]:
        return {"loc": list(self.loc), "msg": self.msg}


class IntakeRejected(ValueError):
    """The request cannot be taken in; :attr:`problems` says where and why (nothing was stored)."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{'.'.join(map(str, p.loc))}: {p.msg}" for p in problems))


class BatchTooLarge(IntakeRejected):
    """More records in one request than the deployment allows."""


def parse_body(body: bytes, content_type: str = "application/json") -> list[Any]:
    """The items of a request body: a JSON object (one item), a JSON array, or NDJSON lines."""
    media_type = content_type.split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise IntakeRejected([FieldProblem(("body",), "not UTF-8 text")]) from None
    if media_type in NDJSON_TYPES:
        return [_json(line, ("body", number)) for number, line in enumerate(text.splitlines(), 1)
                if line.strip()]
    parsed = _json(text, ("body",))
    return parsed if isinstance(parsed, list) else [parsed]


def _json(text: str, loc: tuple[str | int, ...]) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise IntakeRejected([FieldProblem(loc, f"invalid JSON: {exc.msg} at line {exc.lineno} "
                                                f"column {exc.colno}")]) from None


_NAMED_TENANT = ("a record's tenant is set from the API key that sends it, never from the body: "
                 "leave this field out")


def validate_items(kind: RecordKind, items: Sequence[Any], *, now: datetime,
                   max_skew: timedelta, max_batch: int,
                   tenant: str | None = None) -> list[Record]:
    """Every item as a record of ``kind``, or :class:`IntakeRejected` naming every bad field.

    ``tenant`` (the API key's) stamps every record; an item that names a tenant itself is
    refused, whichever tenant it names: the stamp never comes from the body.
    """
    if not items:
        raise IntakeRejected([FieldProblem(("body",), "no records in the request")])
    if len(items) > max_batch:
        raise BatchTooLarge([FieldProblem(("body",), f"{len(items)} records in one request; at "
                                                     f"most {max_batch} (VIGIL_API_MAX_BATCH)")])
    records: list[Record] = []
    problems: list[FieldProblem] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(FieldProblem((index,), "expected a JSON object"))
            continue
        if TENANT_KEY in item:
            problems.append(FieldProblem((index, TENANT_KEY), _NAMED_TENANT))
            continue
        try:
            record = record_from_dict(kind, item, tenant=tenant)
        except ValidationError as exc:
            problems += [FieldProblem((index, *error["loc"]), error["msg"])
                         for error in exc.errors(include_url=False)]
            continue
        future = check_not_future(record, now, max_skew)
        if future is not None:
            field = future.split(":", 1)[0]
            problems.append(FieldProblem((index, field), future))
            continue
        records.append(record)
    if problems:
        raise IntakeRejected(problems)
    return records
