"""Fitting the chat model and the TF-IDF baseline on author windows of the train split.

Why role-balanced weights in stage 1: the train split has as many decoy windows as offender
windows but far fewer benign ones; weighting each role to the same total keeps the benign side
from being drowned. Stage 2 sees offender and decoy windows only, so the distinction that matters
gets a model of its own (see ``model``).
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
from vigil.conversations.model import ChatModel, LinearStage, best_threshold, fit_calibration
from vigil.conversations.windows import AuthorWindow, WindowRole

MODEL_C = 16.0
"""Inverse regularisation strength of stage 1, chosen on validation windows (4, 16, 64 tried)."""
OFFENDER_C = 16.0
"""Inverse regularisation strength of stage 2 (offender against decoy; 4 and 16 tried)."""
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
              lexicon: Lexicon, window: int,
              offender_train: Sequence[AuthorWindow] = (),
              vocabulary: Sequence[AuthorWindow] = ()) -> ChatModel:
    """Vocabularies from the messages of ``vocabulary`` (default: the train windows), IDF from
    the train windows, stage 1 on train windows, stage 2 on ``offender_train`` (or the offender
    and decoy windows of ``train`` when empty), then calibration and the threshold on validation
    windows."""
    texts = [t for w in train for t in w.texts]
    drawn = [t for w in vocabulary for t in w.texts] if vocabulary else texts
    word, char = word_vectorizer(MAX_WORD_FEATURES), char_vectorizer(MAX_CHAR_FEATURES)
    word.fit(drawn)
    char.fit(drawn)
    model = ChatModel(word=word, char=char, idf_word=np.zeros(0, np.float32),
                      idf_char=np.zeros(0, np.float32),
                      suspicious=LinearStage(np.zeros(0), 0.0),
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
    suspicious = np.array([w.role is not WindowRole.BENIGN for w in train], dtype=bool)
    first = LogisticRegression(C=MODEL_C, max_iter=3000).fit(
        features, suspicious, sample_weight=role_weights(train))
    model.suspicious = LinearStage(first.coef_[0].astype(np.float64), float(first.intercept_[0]))
    if offender_train:
        model.offender = nb_stage(_window_features(model, offender_train, lexicon),
                                  truth_of(offender_train), OFFENDER_C)
    else:
        model.offender = nb_stage(sp.csr_matrix(features[suspicious]),
                                  truth_of(train)[suspicious], OFFENDER_C)
    raw = model.raw_scores(*_stacked(model, validation, lexicon))
    truth = truth_of(validation)
    model.calibration = fit_calibration(raw, truth)
    decoy = np.array([w.role is WindowRole.DECOY for w in validation], dtype=bool)
    model.threshold = best_threshold(model.calibrated(raw), truth, decoy)
    return model


def nb_stage(features: sp.csr_matrix, truth: NDArray[np.bool_], c: float) -> LinearStage:
    """A logistic regression on features scaled by their naive-Bayes log-count ratio (NB-LR,
    Wang & Manning 2012), with the scaling folded into its coefficients."""
    present = sp.csr_matrix(features, copy=True)
    present.data[:] = 1.0
    positive = np.asarray(present[truth].sum(axis=0)).ravel() + 1.0
    negative = np.asarray(present[~truth].sum(axis=0)).ravel() + 1.0
    ratio = np.log((positive / positive.sum()) / (negative / negative.sum()))
    fitted = LogisticRegression(C=c, max_iter=3000).fit(
        sp.csr_matrix(features.multiply(ratio)), truth)
    return LinearStage(fitted.coef_[0] * ratio, float(fitted.intercept_[0]))


def _window_features(model: ChatModel, windows: Sequence[AuthorWindow],
                     lexicon: Lexicon) -> sp.csr_matrix:
    counts, starts, ends = _stacked(model, windows, lexicon)
    return model.features(window_sums(counts, starts, ends), (ends - starts).astype(np.float64))


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
