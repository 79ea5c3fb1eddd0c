"""Conversation labels: the industry taxonomy's ``not_pertinent`` and ``sextortion`` plus the
live-streaming labels no vendor exposes, each read from the lexicon categories that evidence it.

Why these labels: Hive/Thorn's CSE text classifier scores ``sextortion`` and ``not_pertinent``
among its seven labels (Hive docs, 2025); live-show solicitation and payment negotiation are the
OSEC-specific behaviours (IJM 2020: pay-per-view streaming directed by remote buyers; AUSTRAC:
small remittances per session); moving to another app and asking a child's age are the
personal-information stage of ChatCoder2 (McGhee et al. 2011) and Thorn & NCMEC (2024).
"""

from __future__ import annotations

from collections.abc import Iterable

LABELS = ("grooming", "live_show_negotiation", "payment_negotiation", "sextortion",
          "platform_move", "age_disclosure", "not_pertinent")

CATEGORY_LABELS: dict[str, str] = {
    "asks_age": "age_disclosure",
    "moves_platform": "platform_move",
    "price_payment": "payment_negotiation",
    "secrecy": "grooming",
    "threat_to_share": "sextortion",
    "show_negotiation": "live_show_negotiation",
    "camera_request": "live_show_negotiation",
    "asks_for_photos": "grooming",
    "isolation_check": "grooming",
    "arranges_meeting": "grooming",
    "checks_for_police": "grooming",
    "code_words": "grooming",
}
"""Lexicon category -> label; a category not listed here evidences ``grooming``."""


def labels_for(categories: Iterable[str], model_flagged: bool, minor_age_stated: bool,
               flagged: bool) -> list[str]:
    """Labels in ``LABELS`` order; ``not_pertinent`` alone when nothing else applies.

    A flag by the trained model is evidence of ``grooming`` (it learnt offenders' windows); a
    participant stating an age under 18 is ``age_disclosure`` evidence only in a flagged chat.
    """
    found = {CATEGORY_LABELS.get(name, "grooming") for name in categories}
    if model_flagged:
        found.add("grooming")
    if minor_age_stated and flagged:
        found.add("age_disclosure")
    if not flagged:
        found = set()
    return [label for label in LABELS if label in found] or ["not_pertinent"]
