"""The incremental form of :func:`vigil.payments.share_sql.marked_share_sql` (R6, R7, R8, R11,
R12): per sender, a count of its corridor payments and the marked ones in time order.

A payment only ever adds to a sender's two counts, so a payment costs the building of the
sender's finding row from its marked payments (:class:`FindingPayments`), nothing more. Each rule
module supplies its mark as a Python predicate that mirrors the SQL one exactly (the helpers
below mirror :mod:`vigil.payments.share_sql`'s clock and DuckDB's ``ROUND``).
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from vigil.payments.incremental_base import FindingPayments, in_corridor, unix_seconds
from vigil.payments.rule_base import IncrementalRule, RuleParameters
from vigil.records import Payment

P = TypeVar("P", bound=RuleParameters)


def local_hour(offsets: Mapping[str, float], payment: Payment) -> int:
    """:func:`vigil.payments.share_sql.local_hour_sql` for one payment: ``MOD`` keeps the sign
    of the dividend, as SQL's does."""
    shift = float(offsets.get(payment.sender_country, 0.0)) * 3600
    hours = math.floor((unix_seconds(payment.sent_at) + shift) / 3600.0)
    return int(math.fmod(hours, 24))


def is_night(offsets: Mapping[str, float], start_hour: int, end_hour: int,
             payment: Payment) -> bool:
    """:func:`vigil.payments.share_sql.night_sql` for one payment."""
    hour = local_hour(offsets, payment)
    return hour >= start_hour or hour < end_hour


def sql_round(value: float) -> float:
    """``ROUND(value)`` as DuckDB rounds a double: half away from zero (exactly: ``value -
    floor(value)`` is exact in binary floating point)."""
    magnitude = abs(value)
    whole = math.floor(magnitude)
    if magnitude - whole >= 0.5:
        whole += 1
    return math.copysign(whole, value)


def is_even(amount: float, step: float) -> bool:
    """R8's mark: ``ABS(amount - step * ROUND(amount / step)) < 0.005``."""
    return abs(amount - step * sql_round(amount / step)) < 0.005


class MarkedShareIncremental(IncrementalRule[P], Generic[P]):
    """Per sender: corridor payments (under the rule's amount cap, if any) and the marked ones."""

    def __init__(self, params: P) -> None:
        super().__init__(params)
        fields: Any = params
        self._min_marked = int(fields.min_marked)
        self._min_share = float(fields.min_share)
        self._max_amount_usd: float | None = getattr(fields, "max_amount_usd", None)
        self._counts: dict[str, int] = {}
        self._marked: dict[str, FindingPayments] = {}

    @abstractmethod
    def marked(self, payment: Payment) -> bool:
        """The rule's mark on one corridor payment."""

    def add(self, payment: Payment) -> tuple[str, ...]:
        if ((self._max_amount_usd is not None and payment.amount_usd > self._max_amount_usd)
                or not in_corridor(self.params.corridor, payment)):
            return ()
        sender = payment.sender
        self._counts[sender] = self._counts.get(sender, 0) + 1
        if self.marked(payment):
            self._marked.setdefault(sender, FindingPayments()).add(payment)
        return (sender,)

    def finding(self, key: str) -> dict[str, Any] | None:
        found = self._marked.get(key)
        if found is None:
            return None
        marked, count = len(found.payments), self._counts[key]
        if marked < self._min_marked or marked < self._min_share * count:
            return None
        return {**found.row(), "marked_payments": marked, "corridor_payments": count,
                "marked_share": marked / count}


__all__ = ["MarkedShareIncremental", "is_even", "is_night", "local_hour", "sql_round"]
