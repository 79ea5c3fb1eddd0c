"""JSON Lines importers, one per record kind; ``.gz`` files are read transparently.

Each line is one JSON object whose keys are the record's fields (see ``docs/formats.md``). A line
that is not UTF-8, not JSON, nested too deeply, too long, not an object, or fails validation goes
to the quarantine with its line number; blank lines are skipped; a UTF-8 byte-order mark at the
start is ignored. A damaged ``.gz`` keeps the rows read before the damage and adds one
file-level quarantine entry saying where it ended.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from pathlib import Path
from typing import ClassVar

from vigil.importers import safe_json
from vigil.importers.lines import FileProblem, RawLine, read_lines
from vigil.importers.rows import parse_row
from vigil.plugin import Importer, RowOutcome
from vigil.quarantine import QuarantineEntry
from vigil.records import RecordKind


def too_long(kind: RecordKind, source: str, line: RawLine) -> QuarantineEntry:
    """The entry for a line too long to read (nothing of it is kept: it was never held)."""
    return QuarantineEntry(kind, source, line.number, "", f"line too long ({line.size:,} bytes)")


def file_problem(kind: RecordKind, source: str, problem: FileProblem) -> QuarantineEntry:
    return QuarantineEntry(kind, source, problem.line, "", problem.reason)


class JsonLinesImporter(Importer):
    """Reads JSON Lines of one record kind (the subclass says which)."""

    suffixes: ClassVar[tuple[str, ...]] = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")

    def rows(self, path: Path) -> Generator[RowOutcome, None, int]:
        source, lines = str(path), 0
        for item in read_lines(path):
            if isinstance(item, FileProblem):
                yield file_problem(self.produces, source, item)
                continue
            lines = item.number
            if item.too_long:
                yield too_long(self.produces, source, item)
            elif item.data.strip():
                yield self._parse_line(source, item.number, item.data)
        return lines

    def _parse_line(self, source: str, number: int, raw: bytes) -> RowOutcome:
        kind = self.produces
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return QuarantineEntry.of(kind, source, number, raw,
                                      f"not UTF-8 at byte offset {exc.start}: {exc.reason}")
        try:
            data = safe_json.loads(text)
        except json.JSONDecodeError as exc:
            return QuarantineEntry.of(kind, source, number, raw,
                                      f"invalid JSON at column {exc.colno}: {exc.msg}")
        except safe_json.JsonTooDeepError as exc:
            return QuarantineEntry.of(kind, source, number, raw, str(exc))
        return parse_row(kind, data, source, number, raw)


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
