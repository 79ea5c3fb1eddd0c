"""JSON Lines importers, one per record kind; ``.gz`` files are read transparently.

Each line is one JSON object whose keys are the record's fields (see ``docs/formats.md``). A line
that is not JSON, not an object, or fails validation goes to the quarantine with its line number;
blank lines are skipped.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from vigil.importers.rows import parse_row
from vigil.plugin import Importer, ImportResult
from vigil.quarantine import QuarantineEntry
from vigil.records import Record, RecordKind


def read_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """``(line number, raw bytes)`` for every line of ``path`` (gzip when it ends in ``.gz``)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        yield from enumerate(handle, start=1)


class JsonLinesImporter(Importer):
    """Reads JSON Lines of one record kind (the subclass says which)."""

    suffixes: ClassVar[tuple[str, ...]] = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")

    def read(self, path: Path) -> ImportResult:
        records: list[Record] = []
        quarantined: list[QuarantineEntry] = []
        lines = 0
        for number, raw_bytes in read_lines(path):
            lines = number
            outcome = self._parse_line(str(path), number, raw_bytes)
            if isinstance(outcome, QuarantineEntry):
                quarantined.append(outcome)
            elif outcome is not None:
                records.append(outcome)
        return ImportResult(records, quarantined, lines)

    def _parse_line(self, source: str, number: int,
                    raw_bytes: bytes) -> Record | QuarantineEntry | None:
        raw = raw_bytes.decode("utf-8", errors="replace").rstrip("\r\n")
        if not raw.strip():
            return None
        try:
            text = raw_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            return QuarantineEntry(self.produces, source, number, raw, f"not UTF-8: {exc.reason}")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return QuarantineEntry(self.produces, source, number, raw,
                                   f"invalid JSON at column {exc.colno}: {exc.msg}")
        return parse_row(self.produces, data, source, number, raw)


class MediaJsonLines(JsonLinesImporter):
    name = "jsonl.media"
    produces = RecordKind.MEDIA
    description = "Media observations (hashes only) as JSON Lines"


class MessageJsonLines(JsonLinesImporter):
    name = "jsonl.message"
    produces = RecordKind.MESSAGE
    description = "Chat messages as JSON Lines"


class PaymentJsonLines(JsonLinesImporter):
    name = "jsonl.payment"
    produces = RecordKind.PAYMENT
    description = "Payments as JSON Lines"


class ReportJsonLines(JsonLinesImporter):
    name = "jsonl.report"
    produces = RecordKind.REPORT
    description = "Panic-button reports as JSON Lines"
