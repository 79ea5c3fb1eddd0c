"""What the rules' incremental forms share (:class:`vigil.payments.rule_base.IncrementalRule`).

The Python predicates here mirror :mod:`vigil.payments.sql_parts` exactly (the corridor, whole
seconds since the epoch, surnames, ``PERCENTILE_CONT(0.5)``), so a form's finding row is the
row its rule's SQL returns over the same payments.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from vigil.payments.rule_base import Corridor
from vigil.records import Payment

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def unix_seconds(at: datetime) -> int:
    """Whole seconds since the epoch, rounded down: the SQL's ``unix_seconds``."""
    return (at - _EPOCH) // timedelta(seconds=1)


def in_corridor(corridor: Corridor, payment: Payment) -> bool:
    """:func:`vigil.payments.sql_parts.corridor_where` for one payment."""
    return (payment.sender_country in corridor.consumer_countries
            and payment.beneficiary_country in corridor.high_risk_countries
            and payment.sender_country != payment.beneficiary_country
            and (not corridor.individuals_only or (payment.sender_type == "individual"
                                                    and payment.beneficiary_type == "individual")))


def surname(name: str | None) -> str | None:
    """:func:`vigil.payments.sql_parts.surname`: the lower-cased last space-separated token."""
    if name is None:
        return None
    trimmed = name.strip(" ")
    return trimmed.rsplit(" ", 1)[-1].lower() if trimmed else None


def median(values: list[int] | list[float], unit: float = 1.0) -> float | None:
    """``PERCENTILE_CONT(0.5)`` over ``value / unit`` of sorted ``values`` (``None`` when empty),
    interpolated as DuckDB does: ``low + (high - low) * 0.5``."""
    count = len(values)
    if not count:
        return None
    if count % 2:
        return values[count // 2] / unit
    low, high = values[count // 2 - 1] / unit, values[count // 2] / unit
    return low + (high - low) * 0.5


@dataclass
class FindingPayments:
    """The payments of one finding, in (sent_at, txn_id) order, and the shared row columns kept
    as they grow (payments are only ever added), so :meth:`row` does not walk the payments."""

    payments: list[tuple[datetime, str, Payment]] = field(default_factory=list)
    seconds: list[int] = field(default_factory=list)
    """:func:`unix_seconds` of each payment, alongside."""
    total_usd: float = 0.0
    txn_ids: list[str] = field(default_factory=list)
    min_usd: float = math.inf
    max_usd: float = -math.inf
    senders: dict[str, int] = field(default_factory=dict)
    beneficiaries: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, payments: Iterable[Payment]) -> FindingPayments:
        """The finding of ``payments``, in any order."""
        found = cls()
        for payment in payments:
            found.add(payment)
        return found

    def add(self, payment: Payment) -> int:
        """Insert ``payment`` in time order; its position."""
        position = bisect_left(self.payments, (payment.sent_at, payment.txn_id),
                               key=lambda e: (e[0], e[1]))
        self.payments.insert(position, (payment.sent_at, payment.txn_id, payment))
        self.seconds.insert(position, unix_seconds(payment.sent_at))
        self.txn_ids.insert(position, payment.txn_id)
        self.total_usd += payment.amount_usd
        self.min_usd = min(self.min_usd, payment.amount_usd)
        self.max_usd = max(self.max_usd, payment.amount_usd)
        self.senders[payment.sender] = self.senders.get(payment.sender, 0) + 1
        self.beneficiaries[payment.beneficiary] = self.beneficiaries.get(payment.beneficiary,
                                                                         0) + 1
        return position

    def slice_row(self, low: int, high: int) -> dict[str, Any]:
        """:meth:`row` over the payments ``low:high`` of the time order alone."""
        inside = [payment for _, _, payment in self.payments[low:high]]
        amounts = [payment.amount_usd for payment in inside]
        return {"senders": sorted({p.sender for p in inside}),
                "beneficiaries": sorted({p.beneficiary for p in inside}),
                "txn_ids": self.txn_ids[low:high], "txn_count": len(inside),
                "total_usd": sum(amounts), "min_usd": min(amounts), "max_usd": max(amounts),
                "first_at": self.payments[low][0].astimezone(UTC),
                "last_at": self.payments[high - 1][0].astimezone(UTC)}

    def row(self) -> dict[str, Any]:
        """``FINDING_COLUMNS`` of :mod:`vigil.payments.sql_parts` over these payments."""
        return {"senders": sorted(self.senders), "beneficiaries": sorted(self.beneficiaries),
                "txn_ids": list(self.txn_ids), "txn_count": len(self.payments),
                "total_usd": self.total_usd, "min_usd": self.min_usd, "max_usd": self.max_usd,
                "first_at": self.payments[0][0].astimezone(UTC),
                "last_at": self.payments[-1][0].astimezone(UTC)}


__all__ = ["FindingPayments", "in_corridor", "median", "surname",
           "unix_seconds"]
