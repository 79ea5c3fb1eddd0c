"""Conversation analysis: the indicator lexicon and identifiers written in chat text."""

from vigil.conversations.extract import extract_identifiers
from vigil.conversations.lexicon import (
    Category,
    IndicatorPattern,
    Lexicon,
    default_lexicon,
    load_lexicon,
    parse_lexicon,
)

__all__ = [
    "Category",
    "IndicatorPattern",
    "Lexicon",
    "default_lexicon",
    "extract_identifiers",
    "load_lexicon",
    "parse_lexicon",
]
