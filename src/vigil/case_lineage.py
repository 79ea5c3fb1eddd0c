"""Where a run's cases came from: stable ids, inherited review state, and the audit trail of it.

:func:`stabilise` renames a run's freshly triaged cases with the ids :func:`vigil.case_ids.
assign_case_ids` picks, works out the review state each merged case inherits, and writes one
``merge_cases`` or ``split_case`` event per change, signed by the pipeline (actor
:data:`PIPELINE_ACTOR`, role ``system``), so the custody log says how every case came to be.
:func:`lineage` reads those events back: the ids whose history a case carries
(:func:`vigil.review.case_history` follows them).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from vigil.audit import AuditEvent
from vigil.case_ids import Assignment, assign_case_ids, merged_status
from vigil.model import Case, CaseStatus

PIPELINE_ACTOR = "vigil:pipeline"
"""Who signs the merges and splits a run makes (never a person: see vigil.review)."""

SYSTEM_ROLE = "system"
MERGE_ACTION = "merge_cases"
SPLIT_ACTION = "split_case"
LINEAGE_ACTIONS = (MERGE_ACTION, SPLIT_ACTION)


def member_keys(case: Case) -> list[str]:
    """What a case is made of for id matching: its identifiers, or its signals when it has none
    (the same keys :func:`vigil.model.case_id_for` names a case after)."""
    return [str(e) for e in case.entities] or [s.id for s in case.signals]


def members_of(cases: Sequence[Case]) -> dict[str, str]:
    """Member key -> case id for ``cases``; a key in two cases (only hand-built cases share
    one: linked cases are disjoint components) stays with the first."""
    members: dict[str, str] = {}
    for case in cases:
        for key in member_keys(case):
            members.setdefault(key, case.id)
    return members


@dataclass(frozen=True)
class Stabilised:
    """A run's cases under their stable ids, the statuses they inherit, and the events to log."""

    cases: list[Case]
    inherited: dict[str, CaseStatus]
    events: list[AuditEvent]


def stabilise(cases: Sequence[Case], previous: Mapping[str, str],
              reviewed: Mapping[str, CaseStatus], now: datetime,
              in_use: Collection[str] = ()) -> Stabilised:
    """Give ``cases`` stable ids given the last run's ``previous`` membership (key -> case id)
    and the ``reviewed`` statuses by id; see docs/decisions/0004-stable-case-ids.md.
    ``in_use``: ids of cases kept as they are, which no fresh id may take."""
    found = assign_stable_ids([member_keys(c) for c in cases], previous, reviewed, now, in_use)
    renamed = [replace(c, id=new_id) for c, new_id in zip(cases, found.ids, strict=True)]
    return Stabilised(renamed, found.inherited, found.events)


@dataclass(frozen=True)
class StableIds:
    """The stable id of each case (in the order their member keys were given), the statuses
    they inherit, and the events to log."""

    ids: tuple[str, ...]
    inherited: dict[str, CaseStatus]
    events: list[AuditEvent]


def assign_stable_ids(keys: Sequence[Sequence[str]], previous: Mapping[str, str],
                      reviewed: Mapping[str, CaseStatus], now: datetime,
                      in_use: Collection[str] = ()) -> StableIds:
    """:func:`stabilise` for cases known by their member keys alone (:func:`member_keys`), so a
    run can name its cases before it triages them a chunk at a time. The cases are matched in
    the order of their smallest key, whatever order they come in: the result does not depend on
    how a run orders (or chunks) its cases."""
    order = sorted(range(len(keys)), key=lambda i: min(keys[i], default=""))
    assignment = assign_case_ids(previous, [keys[i] for i in order], in_use)
    ids = [""] * len(keys)
    for position, index in enumerate(order):
        ids[index] = assignment.ids[position]
    inherited: dict[str, CaseStatus] = {}
    for merge in assignment.merges:
        status = merged_status(assignment.sources(merge.survivor), reviewed)
        if status is not None and status != reviewed.get(merge.survivor):
            inherited[merge.survivor] = status
    return StableIds(tuple(ids), inherited, _events(assignment, reviewed, inherited, now))


def _events(assignment: Assignment, reviewed: Mapping[str, CaseStatus],
            inherited: Mapping[str, CaseStatus], now: datetime) -> list[AuditEvent]:
    events = []
    for merge in assignment.merges:
        status = inherited.get(merge.survivor, reviewed.get(merge.survivor))
        events.append(AuditEvent(
            PIPELINE_ACTOR, MERGE_ACTION, merge.survivor, now,
            {"survivor": merge.survivor, "absorbed": list(merge.absorbed),
             "absorbed_statuses": {a: reviewed[a].value for a in merge.absorbed if a in reviewed},
             "status": status.value if status is not None else None},
            role=SYSTEM_ROLE, case_id=merge.survivor,
            justification="cases linked by a shared identifier"))
    for split in assignment.splits:
        events.append(AuditEvent(
            PIPELINE_ACTOR, SPLIT_ACTION, split.case_id, now,
            {"kept_by": split.case_id, "parts": list(split.parts)},
            role=SYSTEM_ROLE, case_id=split.case_id,
            justification="identifiers no longer linked to the rest of the case"))
    return events


def lineage(events: Sequence[AuditEvent], case_id: str) -> set[str]:
    """``case_id`` and every id merged into it, directly or through other merges."""
    absorbed_by: dict[str, list[str]] = {}
    for event in events:
        if event.action == MERGE_ACTION:
            absorbed = event.details.get("absorbed", [])
            if isinstance(absorbed, list):
                absorbed_by.setdefault(event.target, []).extend(str(a) for a in absorbed)
    found, todo = {case_id}, [case_id]
    while todo:
        for earlier in absorbed_by.get(todo.pop(), []):
            if earlier not in found:
                found.add(earlier)
                todo.append(earlier)
    return found


def concerns(event: AuditEvent, case_ids: Collection[str]) -> bool:
    """Whether a merge or split event names one of ``case_ids`` (survivor, absorbed or part)."""
    if event.action not in LINEAGE_ACTIONS:
        return False
    named = [event.target, *event.details.get("absorbed", []), *event.details.get("parts", [])]
    return any(str(n) in case_ids for n in named)
