"""The workspace queue: cases filtered by status, signal kind and jurisdiction, sorted by
priority or recency, each with who holds it.

A case's **jurisdictions** are the countries of its phone numbers (the region ``phonenumbers``
gives each number's country code): the one place a case names a country of its own. A case
without phone numbers has none and matches no jurisdiction filter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import phonenumbers

from vigil.identifiers import EntityKind
from vigil.model import Case, CaseStatus, SignalKind

SORTS = ("priority", "recency")
"""How the queue may be ordered: by priority (then most recent signal), or most recent first."""


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows; empty strings mean "any"."""

    status: str = ""
    kind: str = ""
    jurisdiction: str = ""
    sort: str = "priority"

    def __post_init__(self) -> None:
        if self.status and self.status not in {s.value for s in CaseStatus}:
            raise ValueError(f"status {self.status!r}: one of {[s.value for s in CaseStatus]}")
        if self.kind and self.kind not in {k.value for k in SignalKind}:
            raise ValueError(f"signal kind {self.kind!r}: one of {[k.value for k in SignalKind]}")
        if self.sort not in SORTS:
            raise ValueError(f"sort {self.sort!r}: one of {list(SORTS)}")


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue."""

    case: Case
    holder: str
    jurisdictions: tuple[str, ...]
    latest: datetime | None

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted(k.value for k in self.case.signal_kinds()))


def case_jurisdictions(case: Case) -> tuple[str, ...]:
    """The ISO 3166-1 alpha-2 countries of the case's phone numbers, sorted."""
    found: set[str] = set()
    for entity in case.entities_of(EntityKind.PHONE):
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(entity.value))
        except phonenumbers.NumberParseException:
            continue
        if region and region != "ZZ":
            found.add(region)
    return tuple(sorted(found))


def latest_signal(case: Case) -> datetime | None:
    return max((s.observed_at for s in case.signals), default=None)


def _matches(row: QueueRow, wanted: QueueFilter) -> bool:
    case = row.case
    return ((not wanted.status or case.status.value == wanted.status)
            and (not wanted.kind or SignalKind(wanted.kind) in case.signal_kinds())
            and (not wanted.jurisdiction or wanted.jurisdiction.upper() in row.jurisdictions))


def queue_rows(cases: Iterable[Case], holders: Mapping[str, str],
               wanted: QueueFilter = QueueFilter()) -> list[QueueRow]:
    """The queue: ``cases`` that pass ``wanted``, with their holders, in ``wanted.sort`` order.

    Priority order breaks ties by the most recent signal, then by case id, so the order is stable.
    """
    rows = [QueueRow(c, holders.get(c.id, ""), case_jurisdictions(c), latest_signal(c))
            for c in cases]
    rows = [row for row in rows if _matches(row, wanted)]

    def recency(row: QueueRow) -> float:
        return row.latest.timestamp() if row.latest is not None else float("-inf")

    if wanted.sort == "recency":
        rows.sort(key=lambda r: (-recency(r), -r.case.priority, r.case.id))
    else:
        rows.sort(key=lambda r: (-r.case.priority, -recency(r), r.case.id))
    return rows


def queue_jurisdictions(rows: Iterable[QueueRow]) -> list[str]:
    """Every jurisdiction in ``rows``, for the filter's choices."""
    return sorted({j for row in rows for j in row.jurisdictions})
