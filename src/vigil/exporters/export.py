"""Exporting chosen cases through a registered exporter, with the analyst who let them out.

Nothing leaves vigil without a named person: every export writes an audit event with the
analyst, the format and the case ids, before the text is handed back to be written anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from vigil.audit import AuditEvent
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
    """The exported text, its media type, and the cases it holds (in the order asked)."""

    text: str
    media_type: str
    cases: list[Case]


def export_cases(cases: CaseStore, audit: AuditStore, case_ids: Sequence[str],
                 exporter: type[Exporter], analyst: str, destination: str = "stdout") -> Export:
    """Render ``case_ids`` with ``exporter`` and audit who exported what, and where to.

    Every id is checked before anything is rendered, so a typo exports nothing. Repeated ids
    are exported once.
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
    text = exporter().export(chosen)
    audit.append_audit(AuditEvent(actor, "export", ",".join(wanted), datetime.now(UTC),
                                  {"format": exporter.name, "cases": list(wanted),
                                   "destination": destination}))
    return Export(text, exporter.media_type, chosen)
