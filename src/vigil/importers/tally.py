"""What one import did with one file, counted the same way by the importers and the CSV lane."""

from __future__ import annotations

from dataclasses import dataclass, field

FIRST_PROBLEMS = 3
"""Quarantine reasons a file's summary names (the rest: ``vigil quarantine``)."""


@dataclass
class Tally:
    """Counts for :class:`vigil.ingest.FileSummary`."""

    accepted: int = 0
    added: int = 0
    duplicates: int = 0
    quarantined: int = 0
    first_problems: list[str] = field(default_factory=list)
