"""Offline language identification, to route an author's messages to the model or the lexicon.

Why py3langid: it ships its model inside the package (no download at run time) and classifies in
well under a millisecond (Lui & Baldwin, langid.py, ACL 2012; py3langid is its maintained port).
It is run once per author on the joined text, not per message: chat lines are too short for a
reliable guess alone. Why the model is English-only: it was trained on English text (the
benchmark's three sources are English); other languages get the lexicon, whose Tagalog/Taglish
entries are marked by language.
"""

from __future__ import annotations

from collections.abc import Sequence

import py3langid

MODEL_LANGUAGES = frozenset({"en"})
MIN_CHARACTERS = 20
"""Below this much text the guess is noise, and the author is taken as English (vigil's choice)."""
SAMPLE_CHARACTERS = 2000


def detect_language(texts: Sequence[str]) -> str:
    """ISO 639-1 code of the joined ``texts`` (their first 2,000 characters); ``en`` when short."""
    joined = " ".join(texts)[:SAMPLE_CHARACTERS]
    if len(joined.strip()) < MIN_CHARACTERS:
        return "en"
    language, _ = py3langid.classify(joined)
    return str(language)
