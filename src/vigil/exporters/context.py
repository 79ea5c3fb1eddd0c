"""What a filing exporter knows beyond the cases: who let them out, the gate's decisions, earlier
report ids, the reporter; and the completeness problems an exporter can name before it writes.

Plain :class:`~vigil.plugin.Exporter` plug-ins render cases alone; a :class:`CaseFileExporter`
also gets an :class:`ExportContext` from :func:`vigil.exporters.export.export_cases`, which is
what makes a CyberTipline report carry the confirmation's "viewed by provider" answer and the ids
of earlier reports on the same person.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from vigil.gate import Decision
from vigil.model import Case, content_hash
from vigil.plugin import Exporter


@dataclass(frozen=True)
class ExportContext:
    """Everything beyond the cases that a filing needs; :meth:`bare` when there is none."""

    analyst: str
    at: datetime
    decisions: Mapping[str, Decision] = field(default_factory=dict)
    prior_reports: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    reporter_email: str | None = None

    @classmethod
    def bare(cls) -> ExportContext:
        """No analyst, no decisions: rendering outside ``export_cases`` (tests, previews)."""
        return cls(analyst="", at=datetime.now(UTC))

    def report_id(self, case: Case) -> str:
        """This export's id for ``case``: stable for the same case, analyst and time."""
        return "vigil-" + content_hash([case.id, self.analyst, self.at.isoformat()])[:16]

    def viewed_by_provider(self, case: Case) -> bool | None:
        decision = self.decisions.get(case.id)
        confirmation = decision.confirmation if decision else None
        return confirmation.viewed_by_provider if confirmation else None


@dataclass(frozen=True)
class Gap:
    """A field a report lacks: ``required`` ones stop the export, the rest are warnings."""

    case_id: str
    field: str
    required: bool
    why: str

    def __str__(self) -> str:
        need = "required" if self.required else "missing"
        return f"{self.case_id}: {need} {self.field}: {self.why}"


class IncompleteReportError(ValueError):
    """A report would lack required fields; :attr:`gaps` names every missing field."""

    def __init__(self, gaps: Sequence[Gap]) -> None:
        super().__init__(gaps)
        self.gaps = list(gaps)

    def __str__(self) -> str:
        return "report incomplete, nothing exported:\n" + "\n".join(f"  {g}" for g in self.gaps)


class CaseFileExporter(Exporter):
    """An exporter that files cases: it reads the export's context and may name missing fields."""

    def export(self, cases: Sequence[Case]) -> str:
        return self.render(cases, ExportContext.bare())

    @abstractmethod
    def render(self, cases: Sequence[Case], context: ExportContext) -> str:
        """Render ``cases`` with what ``context`` adds."""

    def gaps(self, cases: Sequence[Case], context: ExportContext) -> list[Gap]:
        """Fields the output would lack (none by default)."""
        return []
