"""Turning one raw row into a record or a quarantine entry with a reason an analyst can act on."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from vigil.quarantine import QuarantineEntry
from vigil.records import Record, RecordKind, record_from_dict


def describe_validation_error(error: ValidationError) -> str:
    """One line naming each bad field: ``amount: Input should be greater than 0; ...``."""
    parts = []
    for item in error.errors(include_url=False):
        location = ".".join(str(p) for p in item["loc"]) or "row"
        parts.append(f"{location}: {item['msg']}")
    return "; ".join(parts)


def parse_row(
    kind: RecordKind, data: Any, source: str, line: int, raw: str
) -> Record | QuarantineEntry:
    """Validate ``data`` as a ``kind`` record, or say why not (never raises on bad data)."""
    if not isinstance(data, dict):
        return QuarantineEntry(kind, source, line, raw,
                               f"expected a JSON object, got {type(data).__name__}")
    try:
        return record_from_dict(kind, data)
    except ValidationError as exc:
        return QuarantineEntry(kind, source, line, raw, describe_validation_error(exc))
    except ValueError as exc:
        return QuarantineEntry(kind, source, line, raw, str(exc))
