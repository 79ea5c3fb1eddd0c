"""The cached counter gives the same count matrix as ``CountVectorizer.transform``, and the
array ``tfidf`` the same matrix as the sparse expression it replaces."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from vigil.conversations.counting import CachedCounter, cached_counter
from vigil.conversations.features import char_vectorizer, tfidf, word_vectorizer


def tfidf_reference(counts: sp.csr_matrix, idf: NDArray[np.float32]) -> sp.csr_matrix:
    """The sparse-matrix expression ``tfidf`` replaced, step for step."""
    weighted = counts.copy()
    weighted.data = (np.log(weighted.data) + 1.0).astype(np.float32)
    weighted = sp.csr_matrix(weighted.multiply(idf.reshape(1, -1)))
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1))).ravel()
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ weighted)


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


def test_tfidf_is_the_sparse_expression_to_the_bit() -> None:
    rng = np.random.default_rng(3)
    dense = rng.integers(0, 4, size=(30, 40)).astype(np.float32) * (rng.random((30, 40)) < 0.3)
    dense[5] = 0.0
    picker = sp.csr_matrix(rng.random((12, 30)) < 0.3, dtype=np.float32)
    counts = sp.csr_matrix(picker @ sp.csr_matrix(dense))  # unsorted rows, as window sums are
    idf = (rng.random(40) * 3 + 1).astype(np.float32)
    for block in (counts, sp.csr_matrix(dense), sp.csr_matrix((0, 40), dtype=np.float32)):
        _same(tfidf_reference(block, idf), tfidf(block, idf))


def test_long_messages_are_counted_but_not_cached() -> None:
    vectorizer = word_vectorizer(500).fit(TRAIN)
    counter = CachedCounter(vectorizer)
    long_text = "did you restart the service " * 20
    _same(vectorizer.transform([long_text]), counter.transform([long_text]))
    assert long_text not in counter.cache
