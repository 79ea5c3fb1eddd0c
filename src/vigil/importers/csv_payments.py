"""Payments from CSV, the format remitters and banks most often export.

The header (line 1) names the :class:`~vigil.records.Payment` fields; an empty cell means "not
given". Line numbers in quarantine entries are the physical line a row starts on (the first
data row is line 2; quoted cells may span lines).

Structure is checked per row, never by trusting the file: a row with fewer or more cells than
the header, bytes that are not UTF-8, or malformed quoting is quarantined with the reason. A
quoted cell may span at most :data:`MAX_ROW_LINES` lines: an unterminated quote would otherwise
swallow the rest of the file, so past that the row's first line is quarantined and reading
resumes at the next line. A header naming a column twice refuses the whole file (which of the
two values is meant cannot be known) with one quarantine entry for line 1.
"""

from __future__ import annotations

import csv
import io
from collections import deque
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import ClassVar

from vigil.importers.jsonl import file_problem, too_long
from vigil.importers.lines import MAX_LINE_BYTES, FileProblem, RawLine, read_lines
from vigil.importers.rows import parse_row
from vigil.plugin import Importer, RowOutcome
from vigil.quarantine import QuarantineEntry
from vigil.records import RecordKind

MAX_ROW_LINES = 100
"""Most physical lines one row may span; a real multi-line cell (an address) needs a handful."""


class _Lines:
    """Physical lines with push-back, so that reading can resume after an unterminated quote."""

    def __init__(self, items: Iterator[RawLine | FileProblem]) -> None:
        self._items = items
        self._pending: deque[RawLine] = deque()
        self.problems: list[FileProblem] = []
        self.last = 0

    def next(self) -> RawLine | None:
        if self._pending:
            return self._pending.popleft()
        for item in self._items:
            if isinstance(item, FileProblem):
                self.problems.append(item)
                continue
            self.last = item.number
            return item
        return None

    def push_back(self, lines: list[RawLine]) -> None:
        self._pending.extendleft(reversed(lines))


def _assemble(first: RawLine, lines: _Lines) -> tuple[list[RawLine], bool]:
    """The physical lines of the row starting at ``first``; False if its quote never closes."""
    row, quotes, size = [first], first.data.count(b'"'), first.size
    while quotes % 2:
        if len(row) >= MAX_ROW_LINES:
            return row, False
        line = lines.next()
        if line is None or line.too_long or size + line.size > MAX_LINE_BYTES:
            if line is not None:
                row.append(line)
            return row, False
        row.append(line)
        quotes, size = quotes + line.data.count(b'"'), size + line.size
    return row, True


def _cells(raw: bytes) -> list[str] | str:
    """The cells of one assembled row, or why it cannot be read."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 at byte offset {exc.start}: {exc.reason}"
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        return f"malformed CSV: {exc}"
    return rows[0] if len(rows) == 1 else "malformed CSV: one row read as several"


class PaymentCsv(Importer):
    name = "csv.payment"
    produces = RecordKind.PAYMENT
    suffixes: ClassVar[tuple[str, ...]] = (".csv",)
    description = "Payments as CSV with a header of Payment field names"

    def rows(self, path: Path) -> Generator[RowOutcome, None, int]:
        source, lines = str(path), _Lines(read_lines(path))
        header: list[str] | None = None
        while (first := lines.next()) is not None:
            if first.too_long:
                yield too_long(self.produces, source, first)
                if header is None:
                    break
                continue
            row, closed = _assemble(first, lines)
            raw = b"".join(line.data for line in row)
            if not closed:
                lines.push_back(row[1:])
                yield QuarantineEntry.of(
                    self.produces, source, first.number, first.data,
                    f"unterminated quote: the row starting here runs past {len(row)} lines "
                    f"(at most {MAX_ROW_LINES}); reading resumed at the next line")
                if header is None:
                    break
            elif header is None:
                parsed = self._header(source, first.number, raw)
                if isinstance(parsed, QuarantineEntry):
                    yield parsed
                    break
                header = parsed
            elif raw.strip():
                yield self._row(source, first.number, raw, header)
        for problem in lines.problems:
            yield file_problem(self.produces, source, problem)
        return lines.last

    def _header(self, source: str, number: int, raw: bytes) -> list[str] | QuarantineEntry:
        cells = _cells(raw)
        if isinstance(cells, str):
            return QuarantineEntry.of(self.produces, source, number, raw,
                                      f"header: {cells}; file refused")
        names = [cell.strip() for cell in cells]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            return QuarantineEntry.of(
                self.produces, source, number, raw,
                f"duplicate header column {repeated[0]!r}: file refused, nothing imported")
        return names

    def _row(self, source: str, number: int, raw: bytes, header: list[str]) -> RowOutcome:
        cells = _cells(raw)
        if isinstance(cells, str):
            return QuarantineEntry.of(self.produces, source, number, raw, cells)
        if len(cells) != len(header):
            more = "more cells than header columns: " if len(cells) > len(header) else ""
            return QuarantineEntry.of(self.produces, source, number, raw,
                                      f"{more}{len(cells)} cells, header has {len(header)}")
        data = {name: value for name, value in zip(header, cells, strict=True) if value != ""}
        return parse_row(self.produces, data, source, number, raw)
