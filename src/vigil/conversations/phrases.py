"""The phrases that weighed most in a model score, masked by default.

Why: a reviewer needs to see why a window scored high (Morris & Hirst 2012 explain lines by their
n-gram weights), but anything shown to a person must not copy chat text unasked. The phrases come
from the model's vocabulary (its features), ranked by feature value times weight, and each word is
masked to its first letter and length unless the caller asks to reveal them.
"""

from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp

from vigil.conversations.features import window_sums
from vigil.conversations.model import ChatModel

TOP_PHRASES = 8
_AFTER_FIRST_LETTER = re.compile(r"(?<=\w)\w")


def mask_phrase(phrase: str) -> str:
    """Each word to its first character and asterisks: ``how old`` -> ``h** o**``; feature names
    in brackets (``[question]``) are vigil's own and stay readable."""
    if phrase.startswith("["):
        return phrase
    return _AFTER_FIRST_LETTER.sub("*", phrase)


def top_phrases(model: ChatModel, counts: sp.csr_matrix, reveal: bool = False,
                limit: int = TOP_PHRASES) -> list[str]:
    """The features of one window (``counts``: its messages' rows) that weighed most."""
    if counts.shape[0] == 0:
        return []
    starts, ends = np.array([0], dtype=np.int64), np.array([counts.shape[0]], dtype=np.int64)
    row = model.features(window_sums(counts, starts, ends),
                         np.array([float(counts.shape[0])])).tocsr()
    contributions = row.data * model.weights(row)[row.indices]
    order = np.argsort(-contributions)
    names = model.feature_names()
    chosen = [names[row.indices[i]] for i in order[:limit] if contributions[i] > 0]
    return chosen if reveal else [mask_phrase(p) for p in chosen]
