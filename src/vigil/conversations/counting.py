"""The model's n-gram counts per message, the same matrix as ``CountVectorizer.transform`` but
faster: each distinct word's character n-grams and each distinct message's word n-grams are
looked up once per process, not once per message.

Why: in a scan the count rows of every message are built afresh for each conversation, and
scikit-learn's ``char_wb`` analyzer spends most of a message's cost slicing and looking up the
2-5-grams of words that recur in every chat ("ok", "lol", "you"); chat vocabulary is
Zipf-distributed, so a cache of a few tens of thousands of words covers most tokens. The n-grams
themselves still come from the fitted vectorizer's own analyzer (``_char_wb_ngrams`` on one word
at a time, which is what it does word by word), so the rows are the same counts, the same sorted
column indices and the same dtype: every score built on them is unchanged to the last bit
(``tests/conversations/test_counting.py`` compares the two).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

MAX_CACHED = 100_000
"""Entries kept per cache before it is emptied (vigil's choice: a few tens of MB at most)."""
MAX_CACHED_TEXT = 256
"""Longer messages are counted without being cached: they rarely recur (vigil's choice)."""

_WHITE_SPACES = re.compile(r"\s\s+")
"""scikit-learn's ``_VectorizerMixin._white_spaces``."""


class CachedCounter:
    """``transform`` of a fitted ``CountVectorizer`` (word, or ``char_wb``) with memoised
    per-word or per-message feature indices; any other configuration uses ``transform``."""

    def __init__(self, vectorizer: Any) -> None:
        self.vectorizer = vectorizer
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
        self.width = len(self.vocabulary)
        self.dtype = vectorizer.dtype
        self.per_word = vectorizer.analyzer == "char_wb"
        self.analyze: Callable[[str], list[str]] = (
            vectorizer._char_wb_ngrams if self.per_word else vectorizer.build_analyzer())
        self.exact = (vectorizer.analyzer in ("word", "char_wb") and vectorizer.lowercase
                      and not vectorizer.strip_accents and vectorizer.preprocessor is None
                      and vectorizer.input == "content" and not vectorizer.binary)
        self.cache: dict[str, tuple[int, ...]] = {}

    def _miss(self, token: str) -> tuple[int, ...]:
        found = tuple(i for i in map(self.vocabulary.get, self.analyze(token)) if i is not None)
        if len(token) <= MAX_CACHED_TEXT:
            if len(self.cache) >= MAX_CACHED:
                self.cache.clear()
            self.cache[token] = found
        return found

    def _columns(self, texts: Sequence[str]) -> tuple[list[int], list[int]]:
        """Every text's feature indices, with repeats, and how many each text has."""
        columns: list[int] = []
        lengths: list[int] = []
        cache, miss, extend = self.cache, self._miss, columns.extend
        for text in texts:
            before = len(columns)
            tokens = _WHITE_SPACES.sub(" ", text.lower()).split() if self.per_word else (text,)
            for token in tokens:
                found = cache.get(token)
                extend(miss(token) if found is None else found)
            lengths.append(len(columns) - before)
        return columns, lengths

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        if not self.exact or any(not isinstance(t, str) for t in texts):
            return sp.csr_matrix(self.vectorizer.transform(texts))
        columns, lengths = self._columns(texts)
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        keys, counts = np.unique(rows * self.width + np.asarray(columns, dtype=np.int64),
                                 return_counts=True)
        indptr = np.zeros(len(texts) + 1, dtype=np.int32)
        np.cumsum(np.bincount(keys // self.width, minlength=len(texts)), out=indptr[1:])
        matrix = sp.csr_matrix(
            (counts.astype(np.intc).astype(self.dtype), (keys % self.width).astype(np.int32),
             indptr), shape=(len(texts), self.width))
        matrix.has_sorted_indices = True
        return matrix


_COUNTERS: weakref.WeakKeyDictionary[Any, CachedCounter] = weakref.WeakKeyDictionary()


def cached_counter(vectorizer: Any) -> CachedCounter:
    """The process's counter for this fitted vectorizer (made on first use)."""
    counter = _COUNTERS.get(vectorizer)
    if counter is None:
        counter = _COUNTERS[vectorizer] = CachedCounter(vectorizer)
    return counter
