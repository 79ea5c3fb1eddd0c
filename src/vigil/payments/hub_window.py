"""The incremental form R3 (fan-out) and R4 (fan-in) share: the busiest window at each hub.

Mirrors :func:`vigil.payments.fan_sql.hub_window_sql` for one hub (the sender of R3, the
beneficiary of R4): over the hub's low-value corridor payments between parties whose surnames
differ, a window opens at each payment's second and spans ``window_days`` after it, both ends
included; its count is the number of distinct spokes inside. The busiest window is the earliest
opening with the highest count, if that count reaches the minimum, and the finding is every
payment inside it. The hub's payments are kept in time order with its busiest window so far; a
payment only adds to the windows that can hold it, so those alone are swept again (one pass, two
pointers, over the payments within one window either side of it) and compared with the best:
the cost is that of the payments near it, not of the hub's history.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from vigil.payments.incremental_base import FindingPayments, in_corridor, surname
from vigil.payments.rule_base import IncrementalRule, RuleParameters
from vigil.payments.sql_parts import SECONDS_PER_DAY
from vigil.records import Payment

P = TypeVar("P", bound=RuleParameters)


def unrelated(payment: Payment) -> bool:
    """The ``unrelated_payments`` predicate: a surname missing on either side, or different."""
    sender, beneficiary = surname(payment.sender_name), surname(payment.beneficiary_name)
    return sender is None or beneficiary is None or sender != beneficiary


def busiest_window(seconds: list[int], spokes: list[str], window_s: int,
                   last_start: int | None = None) -> tuple[int, int]:
    """``(start second, distinct spokes)`` of the earliest busiest window over time-ordered
    payments (``seconds`` ascending, ``spokes`` alongside), among the windows opening at or
    before ``last_start`` when given."""
    inside: Counter[str] = Counter()
    best_start, best_count, first, last = seconds[0], 0, 0, 0
    for start in sorted(set(seconds)):
        if last_start is not None and start > last_start:
            break
        while last < len(seconds) and seconds[last] <= start + window_s:
            inside[spokes[last]] += 1
            last += 1
        while seconds[first] < start:
            inside[spokes[first]] -= 1
            if not inside[spokes[first]]:
                del inside[spokes[first]]
            first += 1
        if len(inside) > best_count:
            best_start, best_count = start, len(inside)
    return best_start, best_count


@dataclass
class _Hub:
    """One hub's payments, their spokes alongside, and its busiest window so far."""

    found: FindingPayments = field(default_factory=FindingPayments)
    spokes: list[str] = field(default_factory=list)
    best: tuple[int, int] | None = None
    row: dict[str, Any] | None = None
    """The busiest window's finding columns, until a payment moves or joins that window."""

    def add(self, payment: Payment, spoke: str, window_s: int) -> None:
        """Take one payment; only the windows that can hold it (opening within ``window_s``
        before it) change, and they hold only payments within ``window_s`` either side of it,
        so the sweep is over those, not over the hub's history."""
        position = self.found.add(payment)
        self.spokes.insert(position, spoke)
        seconds, at = self.found.seconds, self.found.seconds[position]
        low = bisect_left(seconds, at - window_s)
        high = bisect_right(seconds, at + window_s)
        start, count = busiest_window(seconds[low:high], self.spokes[low:high], window_s, at)
        if (self.best is None or count > self.best[1]
                or (count == self.best[1] and start < self.best[0])):
            self.best, self.row = (start, count), None
        elif self.best[0] <= at <= self.best[0] + window_s:
            self.row = None


class HubWindowIncremental(IncrementalRule[P], Generic[P]):
    """Per hub, its unrelated low-value corridor payments; subclasses name hub and spoke."""

    key: ClassVar[str]
    spoke: ClassVar[str]
    count_column: ClassVar[str]
    minimum_field: ClassVar[str]
    """The parameter holding the fewest spokes that make a finding."""

    def __init__(self, params: P) -> None:
        super().__init__(params)
        self._hubs: dict[str, _Hub] = {}
        fields: Any = params
        self._minimum = int(getattr(fields, self.minimum_field))
        self._window_days = int(fields.window_days)
        self._window_s = self._window_days * SECONDS_PER_DAY
        self._max_amount_usd = float(fields.max_amount_usd)

    def add(self, payment: Payment) -> tuple[str, ...]:
        params: Any = self.params
        if (payment.amount_usd > self._max_amount_usd
                or not in_corridor(params.corridor, payment) or not unrelated(payment)):
            return ()
        hub = str(getattr(payment, self.key))
        self._hubs.setdefault(hub, _Hub()).add(payment, str(getattr(payment, self.spoke)),
                                               self._window_s)
        return (hub,)

    def finding(self, key: str) -> dict[str, Any] | None:
        hub = self._hubs.get(key)
        if hub is None or hub.best is None or hub.best[1] < self._minimum:
            return None
        if hub.row is None:
            start, count = hub.best
            seconds = hub.found.seconds
            low = bisect_left(seconds, start)
            high = bisect_right(seconds, start + self._window_s)
            hub.row = {**hub.found.slice_row(low, high), self.count_column: count,
                       "window_days": self._window_days}
        return hub.row


__all__ = ["HubWindowIncremental", "busiest_window", "unrelated"]
