"""R7: payments late at night or early in the morning in the sender's time zone, repeated.

Source: FATF 2025 (sessions are live in the Philippines' day or evening, which is the consumer's
night). The local hour comes from the sender country's UTC offset (:mod:`vigil.payments.share_sql`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from vigil.payments.rule_base import PaymentRule, RuleParameters
from vigil.payments.share_incremental import MarkedShareIncremental, is_night
from vigil.payments.share_sql import DEFAULT_UTC_OFFSETS, marked_share_sql, night_sql
from vigil.records import Payment


class TimeOfDayParams(RuleParameters):
    """R7: at least ``min_marked`` night payments (``night_start``-``night_end`` local hours),
    ``min_share`` of the sender's corridor payments."""

    night_start: int = Field(ge=0, le=23)
    night_end: int = Field(ge=0, le=23)
    min_marked: int = Field(ge=1)
    min_share: float = Field(gt=0, le=1)
    utc_offsets: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_UTC_OFFSETS))


def time_of_day_sql(params: TimeOfDayParams, for_score: bool = False) -> str:
    mark = night_sql(params.utc_offsets, params.night_start, params.night_end)
    return marked_share_sql(params.corridor, mark, params.min_marked, params.min_share,
                            for_score=for_score)


class TimeOfDayIncremental(MarkedShareIncremental[TimeOfDayParams]):
    """R7 one payment at a time: the night hour of :func:`night_sql` in Python."""

    def marked(self, payment: Payment) -> bool:
        return is_night(self.params.utc_offsets, self.params.night_start, self.params.night_end,
                        payment)


class TimeOfDay(PaymentRule[TimeOfDayParams]):
    """R7: strength is the night share, scaled up by how many night payments there were."""

    name = "R7"
    description = "repeated late-night or early-morning payments in the sender's time zone"
    citation = "FATF 2025"
    parameters_type = TimeOfDayParams
    corridor_only = True
    history_key = "sender"
    score_figures = ("marked_payments", "marked_share")
    incremental = TimeOfDayIncremental

    def sql(self, params: TimeOfDayParams) -> str:
        return time_of_day_sql(params)

    def score_sql(self, params: TimeOfDayParams) -> str:
        return time_of_day_sql(params, for_score=True)

    def strength(self, params: TimeOfDayParams, stats: Mapping[str, Any]) -> float:
        marked = float(stats["marked_payments"])
        return float(stats["marked_share"]) * marked / (marked + 1.0)

    def explain(self, params: TimeOfDayParams, senders: list[str], beneficiaries: list[str],
                stats: Mapping[str, Any]) -> str:
        return (f"{', '.join(senders)} sent {stats['marked_payments']} of "
                f"{stats['corridor_payments']} corridor payments between "
                f"{params.night_start:02d}:00 and {params.night_end:02d}:00 local time")
