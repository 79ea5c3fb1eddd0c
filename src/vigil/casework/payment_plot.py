"""The payment timeline of a case: each payment's amount over time, one series per
sender→beneficiary pair.

The payments are those the case's payment signals name (their ``txn_ids``) and every payment
between two payment accounts of the case (a detector keeps at most 50 ids per signal). Amounts
are in US dollars (the importer's ``amount_usd``) so that pairs in different currencies share an
axis. One case can hold a prolific sender's frequent small payments (under AUD 55 at intervals of
under 20 days, AIC Trends & Issues 634) next to a few far larger transfers, which a linear axis
would squash flat, so the y axis turns logarithmic when the largest amount is :data:`LOG_RATIO`
times the smallest or more; otherwise it is linear.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TypedDict

from vigil.casework.palette import SERIES_COLOURS
from vigil.casework.svg import (
    TimeScale,
    ValueScale,
    attr,
    tick_anchor,
    time_ticks,
    utc,
    value_label,
)
from vigil.identifiers import EntityKind
from vigil.model import Case, SignalKind
from vigil.records import Payment
from vigil.store.interfaces import RecordStore

WIDTH = 760
HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 70, 16, 14, 40
LOG_RATIO = 20.0
MAX_SERIES = 8
"""Pairs drawn one by one; the rest are drawn together as "other pairs"."""
OTHER = "other pairs"


class PaymentSeries(TypedDict):
    """One sender→beneficiary pair (or :data:`OTHER`): its payments and their total."""

    sender: str
    beneficiary: str
    colour: str
    payments: int
    total_usd: float
    first: str
    last: str


class PaymentTimeline(TypedDict):
    """The ``payment_timeline.html`` partial's context; ``svg`` is markup."""

    case_id: str
    svg: str
    series: list[PaymentSeries]
    payments: int
    log_scale: bool


def case_payments(case: Case, records: RecordStore) -> list[Payment]:
    """The stored payments of ``case``, oldest first (see the module docstring). Only the
    payments from or to the case's payment accounts are read (:meth:`RecordStore.payments_of`),
    never every payment stored; a named payment has a party among the case's accounts, since
    its signal's subjects are."""
    named = {str(t) for s in case.signals if s.kind is SignalKind.PAYMENT
             for t in _list(s.evidence.get("txn_ids"))}
    accounts = {e.value for e in case.entities_of(EntityKind.PAYMENT_ACCOUNT)}
    found = [r for r in records.payments_of(accounts) if
             r.txn_id in named or (r.sender in accounts and r.beneficiary in accounts)]
    return sorted(found, key=lambda p: (p.sent_at, p.txn_id))


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


def _series(payments: Iterable[Payment]) -> list[tuple[str, str, list[Payment]]]:
    pairs: dict[tuple[str, str], list[Payment]] = defaultdict(list)
    for payment in payments:
        pairs[(payment.sender, payment.beneficiary)].append(payment)
    ranked = sorted(pairs.items(), key=lambda item: (-len(item[1]), item[0]))
    kept = [(s, b, found) for (s, b), found in ranked[:MAX_SERIES - 1]]
    rest = sorted((p for _, found in ranked[MAX_SERIES - 1:] for p in found),
                  key=lambda p: p.sent_at)
    if len(ranked) == MAX_SERIES:
        kept.append((*ranked[-1][0], ranked[-1][1]))
    elif rest:
        kept.append((OTHER, OTHER, rest))
    return kept


def payment_timeline(case: Case, payments: Iterable[Payment]) -> PaymentTimeline | None:
    """SVG and series rows of ``payments`` (:func:`case_payments`); ``None`` when there are none."""
    series = _series(payments)
    found = [p for _, _, group in series for p in group]
    if not found:
        return None
    amounts = [p.amount_usd for p in found]
    log = max(amounts) / min(amounts) >= LOG_RATIO
    low, high = (min(amounts) / 1.3, max(amounts) * 1.3) if log else (0.0, max(amounts) * 1.1)
    xs = TimeScale.over([p.sent_at for p in found], LEFT, WIDTH - RIGHT)
    ys = ValueScale(low, high, HEIGHT - BOTTOM, TOP, log)
    rows = [_row(i, sender, beneficiary, group) for i, (sender, beneficiary, group)
            in enumerate(series)]
    body = "".join(_plot_series(row, group, xs, ys)
                   for row, (_, _, group) in zip(rows, series, strict=True))
    svg = (_head(case, rows, log, len(found)) + _axes(xs, ys) + body + "</svg>")
    return PaymentTimeline(case_id=case.id, svg=svg, series=rows, payments=len(found),
                           log_scale=log)


def _row(index: int, sender: str, beneficiary: str, group: list[Payment]) -> PaymentSeries:
    return PaymentSeries(sender=sender, beneficiary=beneficiary,
                         colour=SERIES_COLOURS[index % len(SERIES_COLOURS)],
                         payments=len(group), total_usd=round(sum(p.amount_usd for p in group), 2),
                         first=utc(group[0].sent_at).isoformat(),
                         last=utc(group[-1].sent_at).isoformat())


def _head(case: Case, rows: list[PaymentSeries], log: bool, count: int) -> str:
    ident = attr(f"payments-{case.id}")
    total = sum(r["total_usd"] for r in rows)
    summary = (f"{count} payments totalling USD {total:,.2f} in {len(rows)} series "
               f"(sender to beneficiary); amounts on a {'logarithmic' if log else 'linear'} "
               "axis.")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="payment-timeline" width="{WIDTH}" '
            f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-labelledby="{ident}-title {ident}-desc">'
            f'<title id="{ident}-title">Payments of case {attr(case.id)} over time</title>'
            f'<desc id="{ident}-desc">{attr(summary)}</desc>')


def _axes(xs: TimeScale, ys: ValueScale) -> str:
    bottom = HEIGHT - BOTTOM
    x_ticks = "".join(
        f'<g class="tick"><line x1="{xs.x(at):.1f}" y1="{bottom}" x2="{xs.x(at):.1f}" '
        f'y2="{bottom + 5}" stroke="#666666"/><text x="{xs.x(at):.1f}" y="{bottom + 19}" '
        f'font-size="11" text-anchor="{tick_anchor(xs.x(at), xs.left, xs.right)}" '
        f'fill="#333333">{attr(label)}</text></g>'
        for at, label in time_ticks(xs.start, xs.end))
    y_ticks = "".join(
        f'<g class="tick"><line x1="{LEFT}" y1="{ys.y(v):.1f}" x2="{WIDTH - RIGHT}" '
        f'y2="{ys.y(v):.1f}" stroke="#e3e3e3"/><text x="{LEFT - 6}" y="{ys.y(v) + 4:.1f}" '
        f'font-size="11" text-anchor="end" fill="#333333">{attr(value_label(v))}</text></g>'
        for v in ys.ticks())
    return (f'<g class="axis">{y_ticks}{x_ticks}<line x1="{LEFT}" y1="{bottom}" '
            f'x2="{WIDTH - RIGHT}" y2="{bottom}" stroke="#666666"/>'
            f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="#666666"/>'
            f'<text x="14" y="{TOP + (bottom - TOP) / 2:.0f}" font-size="11" fill="#333333" '
            f'transform="rotate(-90 14 {TOP + (bottom - TOP) / 2:.0f})" text-anchor="middle">'
            f"USD{' (log scale)' if ys.log else ''}</text></g>")


def _plot_series(row: PaymentSeries, group: list[Payment], xs: TimeScale,
                 ys: ValueScale) -> str:
    points = [(xs.x(p.sent_at), ys.y(p.amount_usd)) for p in group]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    name = f"{row['sender']} → {row['beneficiary']}"
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{row["colour"]}">'
        f"<title>{attr(f'{name}: USD {p.amount_usd:,.2f} ({p.amount:,.2f} {p.currency}) on ')}"
        f"{utc(p.sent_at):%Y-%m-%d %H:%M} UTC, {attr(p.txn_id)}</title></circle>"
        for (x, y), p in zip(points, group, strict=True))
    polyline = (f'<polyline points="{line}" fill="none" stroke="{row["colour"]}" '
                f'stroke-opacity="0.5" stroke-width="1.2"/>' if row["sender"] != OTHER else "")
    return f'<g class="series" data-sender="{attr(row["sender"])}">{polyline}{dots}</g>'
