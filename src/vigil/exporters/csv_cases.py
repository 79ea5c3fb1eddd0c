"""Cases as CSV, one row per signal: for an analyst or partner who works in a spreadsheet.

Cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) are prefixed with ``'``, as the OWASP "CSV Injection" guidance advises:
identifiers and explanations come from imported chat and reports, which anyone can write.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from vigil.exporters.context import CaseFileExporter, ExportContext
from vigil.exporters.parties import shareable_explanation
from vigil.model import Case

CSV_COLUMNS = ("case_id", "case_priority", "case_status", "gate", "signal_id", "kind", "source",
               "detector_version", "score", "observed_at", "subjects", "explanation")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class CsvCasesExporter(CaseFileExporter):
    name = "csv"
    media_type = "text/csv"
    description = "One row per signal of each case (spreadsheet-safe cells)"

    def render(self, cases: Sequence[Case], context: ExportContext) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for case in cases:
            decision = context.decisions.get(case.id)
            members = set(case.entities)  # a witness (a report's reporter) is not shared
            for s in case.signals:
                row = (case.id, f"{case.priority:.6f}", case.status.value,
                       decision.reason if decision else "", s.id, s.kind.value, s.source,
                       s.detector_version, f"{s.score:.6f}", s.observed_at.isoformat(),
                       " ".join(str(e) for e in s.subjects if e in members),
                       shareable_explanation(s, case))
                writer.writerow([spreadsheet_safe(cell) for cell in row])
        return out.getvalue()
