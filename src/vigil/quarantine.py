"""Rows an importer could not accept, kept with where they came from and why (never dropped)."""

from __future__ import annotations

from dataclasses import dataclass

from vigil.records import RecordKind


@dataclass(frozen=True)
class QuarantineEntry:
    """A row an importer could not accept, kept verbatim with where it came from and why."""

    kind: RecordKind
    source: str
    line: int
    raw: str
    reason: str
