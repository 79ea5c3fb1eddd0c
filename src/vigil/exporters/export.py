"""Exporting chosen cases through a registered exporter, with the analyst who let them out.

Nothing leaves vigil without a named person: every export passes the human gate
(:mod:`vigil.gate`) and writes an audit event with the analyst, the format, the case ids and the
SHA-256 of the text, before the text is handed back to be written anywhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from vigil.audit import AuditEvent
from vigil.confirmation import DECISION_ACTIONS, Confirmation
from vigil.exporters.context import CaseFileExporter, ExportContext, Gap, IncompleteReportError
from vigil.exporters.parties import prior_report_ids, reported_identifiers
from vigil.gate import require_outbound
from vigil.model import Case
from vigil.plugin import Exporter
from vigil.review import AnonymousActorError
from vigil.store.interfaces import AuditStore, CaseStore


class UnknownCasesError(KeyError):
    """Some asked-for case ids are not in the store; :attr:`ids` lists them."""

    def __init__(self, ids: Sequence[str]) -> None:
        super().__init__(ids)
        self.ids = list(ids)

    def __str__(self) -> str:
        return f"no case {', '.join(repr(i) for i in self.ids)}; 'vigil cases list' shows the ids"


class AnonymousExportError(AnonymousActorError):
    """An export without the name of the person who decided it."""


@dataclass(frozen=True)
class Export:
    """The exported text, its media type, the cases it holds (in the order asked), the SHA-256
    of the text as UTF-8 (what the audit log records), and the fields the report lacks."""

    text: str
    media_type: str
    cases: list[Case]
    sha256: str = ""
    gaps: list[Gap] = field(default_factory=list)
    report_ids: dict[str, str] = field(default_factory=dict)

    def data(self) -> bytes:
        """The bytes to write: the ones :attr:`sha256` was taken of."""
        return self.text.encode("utf-8")


FILING_FORMATS = ("cybertip",)
"""Formats whose exports are reports: their ids become the prior reports of follow-ups."""


def export_cases(cases: CaseStore, audit: AuditStore, case_ids: Sequence[str],
                 exporter: type[Exporter], analyst: str, destination: str = "stdout", *,
                 reporter_email: str | None = None, now: datetime | None = None) -> Export:
    """Render ``case_ids`` with ``exporter`` and audit who exported what, where, and its SHA-256.

    Every id is checked, the human gate (:func:`vigil.gate.require_outbound`) is asked for every
    case, and a filing exporter's required fields are checked, all before anything is rendered,
    so a typo, an unconfirmed case or an incomplete report exports nothing. Repeated ids are
    exported once.
    """
    actor = analyst.strip()
    if not actor:
        raise AnonymousExportError("an export needs the analyst's name (--analyst)")
    wanted = list(dict.fromkeys(case_ids))
    found = {case_id: cases.case(case_id) for case_id in wanted}
    missing = [case_id for case_id, case in found.items() if case is None]
    if missing:
        raise UnknownCasesError(missing)
    chosen = [case for case in found.values() if case is not None]
    events = audit.audit_events()
    decided = require_outbound(chosen, decisions_in(events))
    context = ExportContext(
        analyst=actor, at=now or datetime.now(UTC), decisions=decided,
        prior_reports={c.id: prior_report_ids(events, c, FILING_FORMATS) for c in chosen},
        reporter_email=reporter_email)
    text, gaps = _render(exporter(), chosen, context)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    report_ids = {c.id: context.report_id(c) for c in chosen}
    audit.append_audit(AuditEvent(actor, "export", ",".join(wanted), context.at, {
        "format": exporter.name, "cases": list(wanted), "destination": destination,
        "sha256": digest, "report_ids": dict(report_ids),
        "reported": {c.id: [str(e) for e in reported_identifiers(c)] for c in chosen},
        "gate": {case_id: d.reason for case_id, d in decided.items()},
        "gaps": [str(g) for g in gaps]}))
    return Export(text, exporter.media_type, chosen, digest, gaps, report_ids)


def _render(exporter: Exporter, cases: list[Case],
            context: ExportContext) -> tuple[str, list[Gap]]:
    if not isinstance(exporter, CaseFileExporter):
        return exporter.export(cases), []
    gaps = exporter.gaps(cases, context)
    required = [g for g in gaps if g.required]
    if required:
        raise IncompleteReportError(gaps)
    return exporter.render(cases, context), gaps


def decisions_in(events: Sequence[AuditEvent]) -> list[Confirmation]:
    """The confirmations and dismissals among ``events``, in audit order."""
    return [Confirmation.from_event(e) for e in events if e.action in DECISION_ACTIONS]
