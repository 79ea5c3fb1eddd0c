"""The cached counter gives the same count matrix as ``CountVectorizer.transform``."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from vigil.conversations.counting import CachedCounter, cached_counter
from vigil.conversations.features import char_vectorizer, word_vectorizer

TRAIN = ["did you restart the service", "the package is in universe", "i loved that movie",
         "what are you doing this weekend", "ok ok ok", "did the movie start?",
         "the service is down again!", "what package do you use"] * 3
TEXTS = ["did you restart the service?", "", "   ", "OK  ok\tok\n\nok", "İstanbul ÇA b",
         "unknown words only", "the the the package package", "😀 movie! movie?"]


def _same(a: sp.csr_matrix, b: sp.csr_matrix) -> None:
    a = sp.csr_matrix(a)
    assert a.shape == b.shape
    for name in ("data", "indices", "indptr"):
        left, right = getattr(a, name), getattr(b, name)
        assert left.dtype == right.dtype
        assert np.array_equal(left, right)


def test_same_matrix_as_transform_cold_and_warm() -> None:
    for vectorizer in (word_vectorizer(500), char_vectorizer(2000)):
        vectorizer.fit(TRAIN)
        counter = CachedCounter(vectorizer)
        _same(vectorizer.transform(TEXTS), counter.transform(TEXTS))
        _same(vectorizer.transform(TEXTS[::-1]), counter.transform(TEXTS[::-1]))


def test_empty_input_and_one_counter_per_vectorizer() -> None:
    vectorizer = char_vectorizer(2000).fit(TRAIN)
    assert cached_counter(vectorizer) is cached_counter(vectorizer)
    assert cached_counter(vectorizer).transform([]).shape == (0, len(vectorizer.vocabulary_))
    _same(vectorizer.transform([""]), cached_counter(vectorizer).transform([""]))
