"""R6: cover-story narrative, remittance text with the words buyers hide behind, or a handle.

Source: ACAMS Today vol. 20 no. 3 (MT103 field 70 keywords), AUSTRAC ('accommodation',
'uniform', 'medical bills', 'school fees', 'gift'), FATF 2025. Families use the same words, so
the weight is low: it only adds to other indicators.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from vigil.payments.rule_base import PaymentRule, RuleParameters, Text
from vigil.payments.share_incremental import MarkedShareIncremental
from vigil.payments.share_sql import marked_share_sql
from vigil.payments.sql_parts import quoted_text
from vigil.records import Payment


class CoverStoryParams(RuleParameters):
    """R6: at least ``min_marked`` payments, ``min_share`` of them, carrying a cover word."""

    cover_words: tuple[Text, ...] = Field(min_length=1)
    handle_marks: tuple[Text, ...] = ("@",)
    min_marked: int = Field(ge=1)
    min_share: float = Field(gt=0, le=1)


def cover_story_mark(params: CoverStoryParams) -> str:
    """The predicate: the lower-cased reference contains a cover word or a handle mark."""
    needles = (*(w.lower() for w in params.cover_words), *params.handle_marks)
    return "(" + " OR ".join(f"POSITION({quoted_text(n)} IN LOWER(c.reference)) > 0"
                             for n in needles) + ")"


def cover_story_sql(params: CoverStoryParams, for_score: bool = False) -> str:
    return marked_share_sql(params.corridor, cover_story_mark(params), params.min_marked,
                            params.min_share, for_score=for_score)


class CoverStoryIncremental(MarkedShareIncremental[CoverStoryParams]):
    """R6 one payment at a time: :func:`cover_story_mark` in Python."""

    def __init__(self, params: CoverStoryParams) -> None:
        super().__init__(params)
        self._needles = (*(w.lower() for w in params.cover_words), *params.handle_marks)

    def marked(self, payment: Payment) -> bool:
        reference = payment.reference.lower()
        return any(needle in reference for needle in self._needles)


class CoverStory(PaymentRule[CoverStoryParams]):
    """R6: strength is the share of the sender's corridor payments with a cover word."""

    name = "R6"
    description = "cover-story narrative in the remittance text (cover words or a handle)"
    citation = "ACAMS Today vol. 20 no. 3, AUSTRAC, FATF 2025"
    parameters_type = CoverStoryParams
    corridor_only = True
    history_key = "sender"
    score_figures = ("marked_share",)
    incremental = CoverStoryIncremental

    def sql(self, params: CoverStoryParams) -> str:
        return cover_story_sql(params)

    def score_sql(self, params: CoverStoryParams) -> str:
        return cover_story_sql(params, for_score=True)

    def strength(self, params: CoverStoryParams, stats: Mapping[str, Any]) -> float:
        return float(stats["marked_share"])

    def explain(self, params: CoverStoryParams, senders: list[str], beneficiaries: list[str],
                stats: Mapping[str, Any]) -> str:
        return (f"{', '.join(senders)} wrote a cover word or handle on "
                f"{stats['marked_payments']} of {stats['corridor_payments']} corridor payments "
                f"to {', '.join(beneficiaries)}")
