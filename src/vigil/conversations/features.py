"""Message features for the trained chat model: n-gram counts per message, summed per window.

Why counts per message: a window's TF-IDF vector is a function of the sum of its messages' term
counts, so every message is vectorised once and any window - the fixed ten of the evaluation, or
the last ten after each new message for early scoring - is one sparse product away. That is what
makes a score after every message affordable.

Why the "directed" features: in the benchmark the hard negatives are adults posing as children,
who write like children; what tells the offender apart is what is aimed at the other person -
asking their age, asking them to move app, to keep a secret, to pay - rather than the topic
(PAN 2012 two-step systems: Villatoro-Tello et al. 2012; partner-directed behaviour: Morris &
Hirst 2012). They are the lexicon's categories, second-person address, questions and ages the
writer states about themself (under 18 points to the decoy's side of a log).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.feature_extraction.text import CountVectorizer

from vigil.conversations.ages import is_minor, stated_age
from vigil.conversations.lexicon import Lexicon, normalise_text

_SECOND_PERSON = re.compile(r"\b(?:you|u|ur|your|yours|youre|you're|ya|yourself)\b", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:i|im|i'm|me|my|mine|myself)\b", re.IGNORECASE)
_WORD_PATTERN = r"(?u)\b\w+\b|[?!]"
BASE_FEATURES = ("second_person", "first_person", "question", "minor_age", "adult_age")


def word_vectorizer(max_features: int) -> CountVectorizer:
    """Word unigrams and bigrams, with ``?`` and ``!`` kept as tokens."""
    return CountVectorizer(ngram_range=(1, 2), token_pattern=_WORD_PATTERN, min_df=2,
                           max_features=max_features, dtype=np.float32)


def char_vectorizer(max_features: int) -> CountVectorizer:
    """Character 2-5-grams inside word boundaries: spellings, "u"/"r", emoji and code words."""
    return CountVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3,
                           max_features=max_features, dtype=np.float32)


def directed_features(texts: Sequence[str], lexicon: Lexicon,
                      matches: Sequence[Mapping[str, object]] | None = None) -> sp.csr_matrix:
    """Per message: the five base features, then one 0/1 column per lexicon category.

    ``matches`` (``lexicon.match`` of each text) saves matching twice when the caller has them.
    """
    names = list(lexicon.categories)
    rows = np.zeros((len(texts), len(BASE_FEATURES) + len(names)), dtype=np.float32)
    for i, text in enumerate(texts):
        clean = normalise_text(text)
        age = stated_age(clean)
        rows[i, 0] = bool(_SECOND_PERSON.search(clean))
        rows[i, 1] = bool(_FIRST_PERSON.search(clean))
        rows[i, 2] = "?" in clean
        rows[i, 3] = is_minor(age)
        rows[i, 4] = age is not None and not is_minor(age)
        for name in (lexicon.match(clean) if matches is None else matches[i]):
            rows[i, len(BASE_FEATURES) + names.index(name)] = 1.0
    return sp.csr_matrix(rows)


def window_sums(counts: sp.csr_matrix, starts: NDArray[np.int64],
                ends: NDArray[np.int64]) -> sp.csr_matrix:
    """Sum of rows ``start .. end-1`` for each (start, end) pair: one sparse product."""
    lengths = ends - starts
    rows = np.repeat(np.arange(len(starts)), lengths)
    cols = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)]
                          ) if len(starts) else np.zeros(0, dtype=np.int64)
    picker = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                           shape=(len(starts), counts.shape[0]))
    return sp.csr_matrix(picker @ counts)


def tfidf(counts: sp.csr_matrix, idf: NDArray[np.float32]) -> sp.csr_matrix:
    """Sublinear TF times IDF, rows L2-normalised (scikit-learn's TfidfTransformer defaults).

    Written with array operations but step for step what the sparse-matrix expression
    ``diags(1 / norms) @ csr(weighted.multiply(idf))`` computes, in the same float32 arithmetic
    and the same order (the product emits each row's columns in reverse), so the features and
    every score built on them are the same to the last bit; it saves the dozen sparse matrices
    that expression builds per call.
    """
    weighted = sp.csr_matrix(counts, copy=True)
    weighted.sort_indices()
    indptr, indices = weighted.indptr, weighted.indices
    data = (np.log(weighted.data) + 1.0).astype(np.float32) * idf[indices]
    n = counts.shape[0]
    norms = np.zeros(n, dtype=np.float32)
    filled = np.flatnonzero(np.diff(indptr))
    if filled.size:
        norms[filled] = np.add.reduceat(data * data, indptr[filled])
    norms = np.sqrt(norms)
    norms[norms == 0] = 1.0
    rows = np.repeat(np.arange(n), np.diff(indptr))
    reverse = indptr[rows] + indptr[rows + 1] - 1 - np.arange(len(data))
    scaled = (1.0 / norms)[rows] * data
    return sp.csr_matrix((scaled[reverse], indices[reverse], indptr.copy()), shape=counts.shape)


def idf_of(counts: sp.csr_matrix) -> NDArray[np.float32]:
    """Smoothed IDF over the rows of ``counts`` (scikit-learn's formula)."""
    document_frequency = np.bincount(sp.csr_matrix(counts).indices, minlength=counts.shape[1])
    n = counts.shape[0]
    return np.asarray(np.log((1 + n) / (1 + document_frequency)) + 1.0, dtype=np.float32)
