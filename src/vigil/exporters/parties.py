"""Who a case is about, read from the roles its signals' evidence gives: the reported persons,
the victims, and the earlier reports filed on the same person.

Every detector names roles in ``evidence["roles"]`` (suspect, payer, payee, victim, target,
reporter). A filing splits them: suspects, payers and payees are reported; victims and targets
are victims; a reporter (a witness) is neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from vigil.audit import AuditEvent
from vigil.identifiers import EntityKind
from vigil.model import Case, EntityRef, Signal

REPORTED_ROLES = frozenset({"suspect", "payer", "payee"})
VICTIM_ROLES = frozenset({"victim", "target"})
PERSON_KINDS = frozenset({EntityKind.ACCOUNT, EntityKind.EMAIL, EntityKind.PHONE,
                          EntityKind.PAYMENT_ACCOUNT, EntityKind.WALLET})
"""Identifiers that name a person or their account (not an IP, device, file or conversation)."""


def roles_in(case: Case) -> dict[EntityRef, set[str]]:
    """Every role each entity of ``case`` is given by any of its signals."""
    found: dict[EntityRef, set[str]] = {}
    for signal in case.signals:
        roles = signal.evidence.get("roles", {})
        for text, role in (roles.items() if isinstance(roles, dict) else []):
            try:
                found.setdefault(EntityRef.parse(str(text)), set()).add(str(role))
            except ValueError:
                continue
    return found


def reported_identifiers(case: Case) -> list[EntityRef]:
    """Person identifiers in a reported role (never also a victim's), sorted."""
    roles = roles_in(case)
    return sorted(e for e, r in roles.items()
                  if e.kind in PERSON_KINDS and r & REPORTED_ROLES and not r & VICTIM_ROLES)


def victim_identifiers(case: Case) -> list[EntityRef]:
    """Person identifiers in a victim's role, sorted."""
    return sorted(e for e, r in roles_in(case).items()
                  if e.kind in PERSON_KINDS and r & VICTIM_ROLES)


def prior_report_ids(events: Iterable[AuditEvent], case: Case, formats: Sequence[str]) -> \
        tuple[str, ...]:
    """Ids of earlier exports in ``formats`` of this case or of any case naming one of its
    reported identifiers, oldest first: the ``priorCTReports`` of a follow-up report.

    Read back from the export audit events (:func:`vigil.exporters.export.export_cases` writes
    ``report_ids`` and ``reported`` per case), so a report id survives the case being re-linked.
    """
    mine = {str(e) for e in reported_identifiers(case)}
    found: list[str] = []
    for event in events:
        if event.action != "export" or event.details.get("format") not in formats:
            continue
        report_ids = event.details.get("report_ids", {})
        reported = event.details.get("reported", {})
        for case_id, report_id in (report_ids.items() if isinstance(report_ids, dict) else []):
            theirs = set(reported.get(case_id, [])) if isinstance(reported, dict) else set()
            if (case_id == case.id or mine & theirs) and report_id not in found:
                found.append(str(report_id))
    return tuple(found)


WITHHELD = "[witness withheld]"


def shareable_explanation(signal: Signal, case: Case) -> str:
    """The signal's sentence with every subject that is not a case member (a witness, such as a
    panic report's reporter, who may be the victim) replaced by :data:`WITHHELD`."""
    text = signal.explanation
    members = set(case.entities)
    for subject in signal.subjects:
        if subject not in members:
            text = text.replace(str(subject), WITHHELD)
    return text
