"""The benign shapes of :mod:`vigil.payments.benign_sql`, kept one payment at a time.

Per sender of (loose) corridor payments: counts of its payments, of those to kin (a shared
surname) and of those to organisations, its payees, its distinct payment days in order and the
gaps of two days or more between them, sorted. A payment costs a few dictionary and set updates
and, on a new day, one gap split in two (as R2 keeps its gaps); the profile is read off in
logarithmic time (the median of the sorted gaps, and the gaps within tolerance of it found by
bisection), so it does not grow with the sender's history. The figures are those
:func:`~vigil.payments.benign_sql.benign_profile_sql` returns, turned into a profile by the
batch path's own :func:`~vigil.payments.typology_score.benign_profile`.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass, field

from vigil.model import JSONValue
from vigil.payments.benign_sql import BenignShape
from vigil.payments.incremental_base import in_corridor, median, surname, unix_seconds
from vigil.payments.rule_base import Corridor
from vigil.payments.sql_parts import SECONDS_PER_DAY
from vigil.payments.typology_score import benign_profile
from vigil.records import Payment


@dataclass
class _Sender:
    payments: int = 0
    kin: int = 0
    organisation: int = 0
    payees: set[str] = field(default_factory=set)
    days: list[int] = field(default_factory=list)
    gaps: list[int] = field(default_factory=list)
    """Gaps of two days or more between consecutive payment days, sorted."""

    def add_day(self, day: int) -> None:
        position = bisect_left(self.days, day)
        if position < len(self.days) and self.days[position] == day:
            return
        before = self.days[position - 1] if position else None
        after = self.days[position] if position < len(self.days) else None
        if before is not None and after is not None and after - before >= 2:
            self.gaps.pop(bisect_left(self.gaps, after - before))
        for gap in (day - before if before is not None else 0,
                    after - day if after is not None else 0):
            if gap >= 2:
                insort(self.gaps, gap)
        self.days.insert(position, day)


def regular_count(gaps: list[int], middle: float, tolerance: float) -> int:
    """How many of the sorted ``gaps`` lie within ``tolerance * middle`` of ``middle`` (the
    SQL's ``ABS(gap - median) <= tolerance * median``, a contiguous run of a sorted list)."""
    reach = tolerance * middle
    low = bisect_left(gaps, True, key=lambda g: g >= middle or abs(g - middle) <= reach)
    high = bisect_left(gaps, True, key=lambda g: g > middle and abs(g - middle) > reach)
    return high - low


class BenignIncremental:
    """Every sender's benign figures over the payments taken so far."""

    def __init__(self, corridor: Corridor, shape: BenignShape) -> None:
        self.corridor = corridor.model_copy(update={"individuals_only": False})
        self.shape = shape
        self._senders: dict[str, _Sender] = {}
        self._profiles: dict[str, dict[str, JSONValue]] = {}
        """Profiles read since the sender's last payment."""

    def _organisation(self, payment: Payment) -> bool:
        name = (payment.beneficiary_name or "").lower()
        return (payment.beneficiary_type == "business"
                or any(word in name for word in self.shape.organisation_words)
                or payment.beneficiary in self.shape.allow_list)

    def add(self, payment: Payment) -> bool:
        """Take one payment; whether it counts for its sender's shapes."""
        if not in_corridor(self.corridor, payment):
            return False
        sender = self._senders.setdefault(payment.sender, _Sender())
        self._profiles.pop(payment.sender, None)
        sender.payments += 1
        own = surname(payment.sender_name)
        sender.kin += own is not None and own == surname(payment.beneficiary_name)
        sender.organisation += self._organisation(payment)
        sender.payees.add(payment.beneficiary)
        sender.add_day(unix_seconds(payment.sent_at) // SECONDS_PER_DAY)
        return True

    def _cadence(self, gaps: list[int]) -> float:
        """The SQL's ``cadence`` from the sorted gaps of two days or more."""
        middle = median(gaps)
        if middle is None or len(gaps) + 1 < self.shape.min_days or middle <= 0:
            return 0.0
        share = regular_count(gaps, middle, self.shape.tolerance) / len(gaps)
        span = self.shape.steady_share - self.shape.erratic_share
        return min(1.0, max(0.0, (share - self.shape.erratic_share) / span))

    def profile(self, sender: str) -> dict[str, JSONValue]:
        """The sender's profile, as :func:`vigil.payments.typology.benign_profiles` gives it
        (empty for a sender with no corridor payment)."""
        kept = self._profiles.get(sender)
        if kept is not None:
            return kept
        found = self._senders.get(sender)
        if found is None:
            return {}
        payees = len(found.payees)
        profile = self._profiles[sender] = benign_profile(
            found.kin / found.payments, found.organisation / found.payments,
            self._cadence(found.gaps), 1.0 if payees <= self.shape.max_kin else 0.0, payees)
        return profile


__all__ = ["BenignIncremental", "regular_count"]
