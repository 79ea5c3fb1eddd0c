"""``vigil payments explain``: one account's payments as a feature timeline and a plot.

Each row is one payment the account sent or received, oldest first, with the per-entity
temporal features the typologies read (per-entity windows of 7/30/90/365 days): the gap since
the account's previous payment in the same direction, counts and US-dollar sums over the
7/30/90/365 days ending at it (a window of d days holds the payments after
its start, ``(t - d, t]``), the hour of day, and whether the amount is even (a
whole multiple of :data:`ROUND_UNIT` in its own currency; FATF 2025: even-denominated amounts).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vigil.identifiers import EntityKind
from vigil.model import EntityRef, JSONValue
from vigil.records import Payment, RecordKind
from vigil.store.interfaces import RecordStore

WINDOWS_DAYS = (7, 30, 90, 365)
"""Rolling windows of the timeline (reference §5 and §7: 7/30/90/365 days per entity)."""
ROUND_UNIT = 10.0
"""An amount is even when it is a whole multiple of this, in its own currency (vigil default
for FATF 2025's "even-denominated amounts")."""


@dataclass(frozen=True)
class TimelineRow:
    """One payment of the account and the account's features at that moment."""

    txn_id: str
    sent_at: str
    direction: str
    """``out`` (the account paid) or ``in`` (it was paid)."""
    counterparty: str
    counterparty_country: str
    amount: float
    currency: str
    amount_usd: float
    gap_days: float | None
    counts: dict[int, int]
    usd_sums: dict[int, float]
    hour_utc: int
    even_amount: bool
    reference: str

    def to_json(self) -> dict[str, JSONValue]:
        return {"txn_id": self.txn_id, "sent_at": self.sent_at, "direction": self.direction,
                "counterparty": self.counterparty,
                "counterparty_country": self.counterparty_country, "amount": self.amount,
                "currency": self.currency, "amount_usd": self.amount_usd,
                "gap_days": self.gap_days,
                **{f"count_{d}d": self.counts[d] for d in WINDOWS_DAYS},
                **{f"usd_{d}d": self.usd_sums[d] for d in WINDOWS_DAYS},
                "hour_utc": self.hour_utc, "even_amount": self.even_amount,
                "reference": self.reference}


@dataclass(frozen=True)
class AccountTimeline:
    """The account (entity reference) and its rows, oldest first."""

    account: str
    rows: tuple[TimelineRow, ...]

    def of_direction(self, direction: str) -> tuple[TimelineRow, ...]:
        return tuple(row for row in self.rows if row.direction == direction)


class UnknownAccountPayments(LookupError):
    """No stored payment was sent or received by the account."""


def account_ref(account: str) -> EntityRef:
    """``payment_account:bank:s1`` or ``bank:s1`` as a normalised payment-account reference
    (``ValueError`` when malformed)."""
    prefix = f"{EntityKind.PAYMENT_ACCOUNT.value}:"
    raw = account[len(prefix):] if account.startswith(prefix) else account
    return EntityRef.of(EntityKind.PAYMENT_ACCOUNT, raw)


def _rows(payments: list[Payment], direction: str) -> list[TimelineRow]:
    times = [p.sent_at.timestamp() for p in payments]
    prefix_usd = [0.0]
    for payment in payments:
        prefix_usd.append(prefix_usd[-1] + payment.amount_usd)
    rows = []
    for i, payment in enumerate(payments):
        starts = {d: bisect_right(times, times[i] - d * 86400) for d in WINDOWS_DAYS}
        out = direction == "out"
        rows.append(TimelineRow(
            txn_id=payment.txn_id, sent_at=payment.sent_at.astimezone(UTC).isoformat(),
            direction=direction, counterparty=payment.beneficiary if out else payment.sender,
            counterparty_country=payment.beneficiary_country if out else payment.sender_country,
            amount=payment.amount, currency=payment.currency, amount_usd=payment.amount_usd,
            gap_days=round((times[i] - times[i - 1]) / 86400, 4) if i else None,
            counts={d: i + 1 - s for d, s in starts.items()},
            usd_sums={d: round(prefix_usd[i + 1] - prefix_usd[s], 2) for d, s in starts.items()},
            hour_utc=payment.sent_at.astimezone(UTC).hour,
            even_amount=payment.amount % ROUND_UNIT == 0, reference=payment.reference))
    return rows


def _order(payment: Payment) -> tuple[datetime, str]:
    return payment.sent_at, payment.txn_id


def timeline_of(account: str, payments: Iterable[Payment]) -> AccountTimeline:
    """The timeline of ``account`` (an entity reference or ``provider:id``) over ``payments``."""
    ref = account_ref(account)
    sent, received = [], []
    for payment in payments:
        if payment.sender == ref.value:
            sent.append(payment)
        if payment.beneficiary == ref.value:
            received.append(payment)
    rows = (_rows(sorted(sent, key=_order), "out")
            + _rows(sorted(received, key=_order), "in"))
    rows.sort(key=lambda r: (r.sent_at, r.direction, r.txn_id))
    return AccountTimeline(str(ref), tuple(rows))


def account_timeline(records: RecordStore, account: str) -> AccountTimeline:
    """The timeline of ``account`` over the stored payments; :class:`UnknownAccountPayments`
    when it sent and received none."""
    stored = (r for r in records.records(RecordKind.PAYMENT) if isinstance(r, Payment))
    timeline = timeline_of(account, stored)
    if not timeline.rows:
        raise UnknownAccountPayments(f"no stored payment was sent or received by "
                                     f"{timeline.account}; 'vigil payments scan FILE' or "
                                     "'vigil import payment FILE' stores them")
    return timeline


def plot_timeline(timeline: AccountTimeline, stem: Path) -> tuple[Path, Path]:
    """Amounts (US$) and gaps (days) over time, written as ``<stem>.png`` and ``<stem>.svg``."""
    from matplotlib.dates import date2num
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 5.5), layout="constrained")
    amounts, gaps = figure.subplots(2, 1, sharex=True)
    for direction, colour, label in (("out", "#1f5fa8", "sent"), ("in", "#b5562b", "received")):
        rows = timeline.of_direction(direction)
        if not rows:
            continue
        at = [date2num(_when(r)) for r in rows]  # type: ignore[no-untyped-call]
        amounts.plot(at, [r.amount_usd for r in rows], "o-", color=colour, ms=3.5, lw=0.8,
                     alpha=0.85, label=label)
        gapped = [(x, r.gap_days) for x, r in zip(at, rows, strict=True) if r.gap_days is not None]
        if gapped:
            gaps.plot([x for x, _ in gapped], [g for _, g in gapped], "s-", color=colour,
                      ms=3, lw=0.8, alpha=0.85, label=f"gap between payments {label}")
    amounts.set_ylabel("amount (US$)")
    amounts.set_title(f"Payments of {timeline.account}")
    amounts.legend(loc="upper left", fontsize=8)
    gaps.set_ylabel("gap (days)")
    gaps.set_ylim(bottom=0)
    gaps.xaxis_date()
    figure.autofmt_xdate()
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    stem.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(png, dpi=110)
    figure.savefig(svg)
    return png, svg


def _when(row: TimelineRow) -> datetime:
    return datetime.fromisoformat(row.sent_at).astimezone(UTC).replace(tzinfo=None)


__all__ = ["ROUND_UNIT", "WINDOWS_DAYS", "AccountTimeline", "TimelineRow",
           "UnknownAccountPayments", "account_ref", "account_timeline", "plot_timeline",
           "timeline_of"]
