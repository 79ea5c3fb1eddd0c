"""Turning one raw row into a record or a quarantine entry with a reason an analyst can act on.

Reasons are bounded: pydantic's messages may echo the input (a 50 MB "identifier" once became
a 50 MB reason), so the input is never included and each field's part is cut short.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from vigil import redact
from vigil.importers.clock import current_clock
from vigil.plugin import AcceptedRow, RowOutcome
from vigil.quarantine import QuarantineEntry
from vigil.records import Record, RecordKind, check_not_future, record_from_dict

PART_CHARS = 120
"""Longest message kept for one bad field (the whole reason is bounded by redact)."""


def _cut(text: str, limit: int = PART_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def describe_validation_error(error: ValidationError) -> str:
    """One line naming each bad field: ``amount: Input should be greater than 0; ...``."""
    parts = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        location = _cut(".".join(str(p) for p in item["loc"]) or "row", 60)
        parts.append(f"{location}: {_cut(item['msg'])}")
    return "; ".join(parts)


_SURROGATES = re.compile("[\ud800-\udfff]")
_ENCODED_RUN = re.compile(rf"[A-Za-z0-9+/=_\-]{{{redact.MAX_TOKEN_RUN + 1},}}")


def _text_problem(name: str, text: str) -> str | None:
    if "\x00" in text:
        return f"NUL character in field {name}"
    if _SURROGATES.search(text):
        return f"unpaired surrogate in field {name}"
    run = _ENCODED_RUN.search(text)
    if run:
        return (f"field {name} holds a run of {len(run.group()):,} base64/hex characters "
                f"(possibly encoded media; vigil stores none)")
    return None


def unstorable_field(record: Record) -> str | None:
    """Why a text field may not be stored, or None: PostgreSQL text holds no NUL, no backend
    encodes an unpaired surrogate (from a JSON ``\\ud800`` escape), and a run of more than 64
    base64/hex characters (longer than any hash vigil keeps) could be encoded media."""
    for name, value in vars(record).items():  # the validated fields, without a dump
        for item in value if isinstance(value, tuple) else (value,):
            problem = _text_problem(name, item) if isinstance(item, str) else None
            if problem:
                return problem
    return None


def parse_row(kind: RecordKind, data: Any, source: str, line: int, raw: bytes) -> RowOutcome:
    """Validate ``data`` as a ``kind`` record, or say why not (never raises on bad data)."""
    if not isinstance(data, dict):
        return QuarantineEntry.of(kind, source, line, raw,
                                  f"expected a JSON object, got {type(data).__name__}")
    try:
        record = record_from_dict(kind, data)
    except ValidationError as exc:
        return QuarantineEntry.of(kind, source, line, raw, describe_validation_error(exc))
    except (ValueError, TypeError) as exc:
        return QuarantineEntry.of(kind, source, line, raw, _cut(str(exc)))
    problem = unstorable_field(record) or _future_problem(record)
    if problem is not None:
        return QuarantineEntry.of(kind, source, line, raw, problem)
    return AcceptedRow(line, record, redact.sha256_of(raw))


def _future_problem(record: Record) -> str | None:
    clock = current_clock()
    now = clock.latest() - clock.max_skew
    return check_not_future(record, now, clock.max_skew)
