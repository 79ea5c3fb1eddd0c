"""Base classes for the three kinds of plug-in: detectors, importers and exporters.

Each base is small: a stable ``name`` (also its storage key), a ``version`` and one or two abstract
methods. Everything a plug-in needs at run time comes in through arguments, never from globals.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, Self

from vigil.model import Case, Signal
from vigil.records import Record, RecordKind
from vigil.settings import Settings
from vigil.store.interfaces import BankStore, QuarantineEntry


@dataclass(frozen=True)
class DetectionContext:
    """What a detector may consult besides its records: banks, and the clock of the run."""

    banks: BankStore
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


class Plugin(ABC):  # noqa: B024 - a shared base for the registry, not an interface of its own
    """What every plug-in declares: a stable unique name, a version and one line about it."""

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""


class Detector(Plugin):
    """Turns all stored records of one kind into signals."""

    consumes: ClassVar[RecordKind]

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """Build the detector for a run; override to read a config file named in ``settings``."""
        return cls()

    @abstractmethod
    def detect(self, records: Sequence[Record], context: DetectionContext) -> Iterator[Signal]:
        """Yield signals for ``records`` (all of kind :attr:`consumes`)."""


@dataclass(frozen=True)
class AcceptedRow:
    """A record an importer accepted, with its line and the SHA-256 of that raw line (enough to
    quarantine it later if the store refuses it, without keeping the line)."""

    line: int
    record: Record
    line_sha256: str


RowOutcome = AcceptedRow | QuarantineEntry
"""What an importer yields for each non-blank line: a record, or why not."""


@dataclass(frozen=True)
class ImportResult:
    """Accepted records and quarantined rows of one file, and how many lines were read."""

    records: list[Record]
    quarantined: list[QuarantineEntry]
    lines: int


class Importer(Plugin):
    """Reads one file format of one record kind, a row at a time (memory does not grow with
    the file)."""

    produces: ClassVar[RecordKind]
    suffixes: ClassVar[tuple[str, ...]]

    @abstractmethod
    def rows(self, path: Path) -> Generator[RowOutcome, None, int]:
        """Yield each row of ``path`` as it is read; return the number of lines read.

        Bad rows (and file-level damage) become quarantine entries, never exceptions.
        """

    def read(self, path: Path) -> ImportResult:
        """The whole file at once (small files and tests; :mod:`vigil.ingest` streams)."""
        records: list[Record] = []
        quarantined: list[QuarantineEntry] = []
        rows = self.rows(path)
        while True:
            try:
                outcome = next(rows)
            except StopIteration as done:
                return ImportResult(records, quarantined, done.value)
            if isinstance(outcome, AcceptedRow):
                records.append(outcome.record)
            else:
                quarantined.append(outcome)


class Exporter(Plugin):
    """Writes cases in a format an analyst files or shares."""

    media_type: ClassVar[str]

    @abstractmethod
    def export(self, cases: Sequence[Case]) -> str:
        """Render ``cases`` to text."""
