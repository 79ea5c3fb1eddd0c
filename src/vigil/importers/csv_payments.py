"""Payments from CSV, the format remitters and banks most often export.

The header names the :class:`~vigil.records.Payment` fields; an empty cell means "not given".
Line numbers in quarantine entries are the physical line the row starts on (quoted cells may
span lines).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import ClassVar

from vigil.importers.rows import parse_row
from vigil.plugin import Importer, ImportResult
from vigil.quarantine import QuarantineEntry
from vigil.records import Record, RecordKind


class PaymentCsv(Importer):
    name = "csv.payment"
    produces = RecordKind.PAYMENT
    suffixes: ClassVar[tuple[str, ...]] = (".csv",)
    description = "Payments as CSV with a header of Payment field names"

    def read(self, path: Path) -> ImportResult:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        reader = csv.DictReader(io.StringIO(text, newline=""))
        records: list[Record] = []
        quarantined: list[QuarantineEntry] = []
        start = reader.line_num + 1
        for row in reader:
            raw = _raw_row(row)
            if None in row:
                quarantined.append(QuarantineEntry(self.produces, str(path), start, raw,
                                                   "more cells than header columns"))
            else:
                data = {k: v for k, v in row.items() if v not in ("", None)}
                outcome = parse_row(self.produces, data, str(path), start, raw)
                if isinstance(outcome, QuarantineEntry):
                    quarantined.append(outcome)
                else:
                    records.append(outcome)
            start = reader.line_num + 1
        return ImportResult(records, quarantined, reader.line_num)


def _raw_row(row: dict[str | None, object]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(["" if v is None else v for v in row.values()])
    return out.getvalue().rstrip("\r\n")
