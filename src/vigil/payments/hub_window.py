"""The incremental form R3 (fan-out) and R4 (fan-in) share: the busiest window at each hub.

Mirrors :func:`vigil.payments.fan_sql.hub_window_sql` for one hub (the sender of R3, the
beneficiary of R4): over the hub's low-value corridor payments between parties whose surnames
differ, a window opens at each payment's second and spans ``window_days`` after it, both ends
included; its count is the number of distinct spokes inside. The busiest window is the earliest
opening with the highest count, if that count reaches the minimum, and the finding is every
payment inside it. The hub's payments are kept in time order and the windows are swept again
(one pass, two pointers) when the hub pays or is paid: linear in the hub's payments.
"""

from __future__ import annotations

from collections import Counter
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


def busiest_window(seconds: list[int], spokes: list[str], window_s: int) -> tuple[int, int]:
    """``(start second, distinct spokes)`` of the earliest busiest window over time-ordered
    payments (``seconds`` ascending, ``spokes`` alongside)."""
    inside: Counter[str] = Counter()
    best_start, best_count, first, last = seconds[0], 0, 0, 0
    for start in sorted(set(seconds)):
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


class HubWindowIncremental(IncrementalRule[P], Generic[P]):
    """Per hub, its unrelated low-value corridor payments; subclasses name hub and spoke."""

    key: ClassVar[str]
    spoke: ClassVar[str]
    count_column: ClassVar[str]
    minimum_field: ClassVar[str]
    """The parameter holding the fewest spokes that make a finding."""

    def __init__(self, params: P) -> None:
        super().__init__(params)
        self._hubs: dict[str, FindingPayments] = {}
        fields: Any = params
        self._minimum = int(getattr(fields, self.minimum_field))
        self._window_days = int(fields.window_days)
        self._max_amount_usd = float(fields.max_amount_usd)

    def add(self, payment: Payment) -> tuple[str, ...]:
        params: Any = self.params
        if (payment.amount_usd > self._max_amount_usd
                or not in_corridor(params.corridor, payment) or not unrelated(payment)):
            return ()
        hub = str(getattr(payment, self.key))
        self._hubs.setdefault(hub, FindingPayments()).add(payment)
        return (hub,)

    def finding(self, key: str) -> dict[str, Any] | None:
        found = self._hubs.get(key)
        if found is None:
            return None
        window_s = self._window_days * SECONDS_PER_DAY
        seconds = found.seconds
        spokes = [str(getattr(p, self.spoke)) for _, _, p in found.payments]
        start, count = busiest_window(seconds, spokes, window_s)
        if count < self._minimum:
            return None
        inside = FindingPayments()
        for (_, _, payment), second in zip(found.payments, seconds, strict=True):
            if start <= second <= start + window_s:
                inside.add(payment)
        return {**inside.row(), self.count_column: count, "window_days": self._window_days}


__all__ = ["HubWindowIncremental", "busiest_window", "unrelated"]
