"""Fitting the chat model and the TF-IDF baseline on author windows of the train split.

Why role-balanced weights: the train split has as many decoy windows as offender windows but far
fewer benign ones; weighting each role to the same total keeps the model from learning "PJ chat
versus IRC" and makes it learn "offender versus decoy", the distinction that matters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from vigil.conversations.features import (
    char_vectorizer,
    idf_of,
    window_sums,
    word_vectorizer,
)
from vigil.conversations.lexicon import Lexicon
from vigil.conversations.model import ChatModel, best_threshold, fit_calibration
from vigil.conversations.windows import AuthorWindow

MODEL_C = 16.0
"""Inverse regularisation strength, chosen on validation windows (4, 16, 64 tried)."""
MAX_WORD_FEATURES = 300_000
MAX_CHAR_FEATURES = 300_000
BASELINE_THRESHOLD = 0.5


def role_weights(windows: Sequence[AuthorWindow]) -> NDArray[np.float64]:
    """A weight per window so that each role (offender, decoy, benign) weighs the same in all."""
    counts = Counter(w.role for w in windows)
    share = len(windows) / len(counts)
    return np.array([share / counts[w.role] for w in windows], dtype=np.float64)


def truth_of(windows: Sequence[AuthorWindow]) -> NDArray[np.bool_]:
    return np.array([w.positive for w in windows], dtype=bool)


def fit_model(train: Sequence[AuthorWindow], validation: Sequence[AuthorWindow],
              lexicon: Lexicon, window: int) -> ChatModel:
    """Vocabularies and IDF from the train windows' messages, the classifier on train windows,
    then calibration and the F0.5-best threshold on validation windows."""
    texts = [t for w in train for t in w.texts]
    word, char = word_vectorizer(MAX_WORD_FEATURES), char_vectorizer(MAX_CHAR_FEATURES)
    word.fit(texts)
    char.fit(texts)
    model = ChatModel(word=word, char=char, idf_word=np.zeros(0, np.float32),
                      idf_char=np.zeros(0, np.float32), classifier=LogisticRegression(),
                      window=window, lexicon_version=lexicon.version,
                      categories=tuple(lexicon.categories),
                      trained_on={role.value: n for role, n in
                                  sorted(Counter(w.role for w in train).items())})
    counts = model.message_counts(texts, lexicon)
    ends = np.cumsum([len(w.texts) for w in train]).astype(np.int64)
    starts = ends - np.array([len(w.texts) for w in train], dtype=np.int64)
    sums = window_sums(counts, starts, ends)
    n_word = len(word.vocabulary_)
    n_char = len(char.vocabulary_)
    model.idf_word = idf_of(sp.csr_matrix(sums[:, :n_word]))
    model.idf_char = idf_of(sp.csr_matrix(sums[:, n_word:n_word + n_char]))
    features = model.features(sums, (ends - starts).astype(np.float64))
    model.classifier = LogisticRegression(C=MODEL_C, max_iter=3000).fit(
        features, truth_of(train), sample_weight=role_weights(train))
    raw = model.raw_scores(*_stacked(model, validation, lexicon))
    truth = truth_of(validation)
    model.calibration = fit_calibration(raw, truth)
    model.threshold = best_threshold(model.calibrated(raw), truth)
    return model


def _stacked(model: ChatModel, windows: Sequence[AuthorWindow],
             lexicon: Lexicon) -> tuple[sp.csr_matrix, NDArray[np.int64], NDArray[np.int64]]:
    counts = model.message_counts([t for w in windows for t in w.texts], lexicon)
    ends = np.cumsum([len(w.texts) for w in windows]).astype(np.int64)
    return counts, ends - np.array([len(w.texts) for w in windows], dtype=np.int64), ends


@dataclass
class Baseline:
    """The 20-line reference: word TF-IDF and a default logistic regression, flagged at 0.5."""

    vectorizer: TfidfVectorizer
    classifier: LogisticRegression
    threshold: float = BASELINE_THRESHOLD

    def score_windows(self, windows: Sequence[Sequence[str]]) -> NDArray[np.float64]:
        matrix = self.vectorizer.transform(["\n".join(w) for w in windows])
        return np.asarray(self.classifier.predict_proba(matrix)[:, 1], dtype=np.float64)


def fit_baseline(train: Sequence[AuthorWindow]) -> Baseline:
    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2)
    matrix = vectorizer.fit_transform(["\n".join(w.texts) for w in train])
    classifier = LogisticRegression(max_iter=1000).fit(matrix, truth_of(train))
    return Baseline(vectorizer, classifier)
