"""Fitting the chat model and the TF-IDF baseline on author windows of the train split.

Why role-balanced weights in stage 1: the train split has as many decoy windows as offender
windows but far fewer benign ones; weighting each role to the same total keeps the benign side
from being drowned. Stage 2 sees offender and decoy windows only, so the distinction that matters
gets a model of its own (see ``model``).

Why cross-fitting (``fit_cross_fitted``, what ``vigil chats train`` and ``eval`` use): stage 2 is
short of offenders, not of windows - in 5-fold grouped cross-validation on the train side its
true-positive rate at a 2 % decoy FPR rose from 0.62 to 0.74 to 0.79 as it saw 25, 50 and 100 %
of the offenders (docs/benchmarks.md, "Conversations", round 4). Holding a fifth of them back for
calibration wastes them, and tunes the threshold on ~60 offenders. So every train-side group
(train and validation) fits the final stages, and the calibration and threshold come from
out-of-fold scores over all of them (each fold scored by stages fitted without it). The
vocabularies and IDF are drawn once from all train-side text (no labels); the test side is never
read.
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
from vigil.conversations.windows import SPLIT_SEED, AuthorWindow, WindowRole, fold_of

MODEL_C = 16.0
"""Inverse regularisation strength of stage 1, chosen on validation windows (4, 16, 64 tried)."""
OFFENDER_C = 16.0
"""Inverse regularisation strength of stage 2 (offender against decoy; 4 and 16 tried)."""
MAX_WORD_FEATURES = 300_000
MAX_CHAR_FEATURES = 300_000
BASELINE_THRESHOLD = 0.5
CONTEXT_WINDOWS = 4
"""Author-context depth of the shipped model (``context`` module), chosen out of fold."""
CROSS_FIT_FOLDS = 5
"""Folds of the train side whose out-of-fold scores calibrate the model and set its threshold."""


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
    windows (round 3's shipped procedure; the ablations compare against it)."""
    model, stacked = _vectorised(train, lexicon, window, vocabulary)
    features = _main_features(model, stacked)
    pj = offender_train or [w for w in train if w.role is not WindowRole.BENIGN]
    fit_stages(model, features, train, _window_features(model, pj, lexicon), pj)
    raw = model.combined(_window_features(model, validation, lexicon))
    _calibrate(model, raw, validation)
    return model


def fit_cross_fitted(side: Sequence[AuthorWindow], pj: Sequence[AuthorWindow],
                     lexicon: Lexicon, window: int, folds: int = CROSS_FIT_FOLDS,
                     seed: int = SPLIT_SEED, context: int = CONTEXT_WINDOWS) -> ChatModel:
    """Both stages on every group of the train side (``side``: train and validation windows;
    ``pj``: stage 2's offender and decoy windows of the same groups); calibration and the
    threshold on out-of-fold scores: each fold's windows scored by stages fitted on the other
    folds (folds by group, so no author is on both sides of one), with ``context`` windows of
    author context."""
    model, stacked = _vectorised(side, lexicon, window, context=context)
    features = _main_features(model, stacked)
    pj_features = _window_features(model, pj, lexicon)
    scorings = [(features, None), model.context_features(*stacked)]
    alone, raw = out_of_fold_scores(model, features, side, pj_features, pj, folds, seed, scorings)
    fit_stages(model, features, side, pj_features, pj)
    _calibrate(model, alone, side)
    model.alone = (model.calibration, model.threshold)
    _calibrate(model, raw, side)
    return model


Scoring = tuple[sp.csr_matrix, sp.csr_matrix | None]
"""Feature rows of windows then of their context windows, and the pooling matrix."""


def out_of_fold(model: ChatModel, features: sp.csr_matrix, side: Sequence[AuthorWindow],
                pj_features: sp.csr_matrix, pj: Sequence[AuthorWindow], folds: int,
                seed: int) -> NDArray[np.float64]:
    """The raw score of each ``side`` window, on its own features, by stages fitted on the
    other folds' windows (``model``'s stages are left as the last fold's)."""
    return out_of_fold_scores(model, features, side, pj_features, pj, folds, seed,
                              [(features, None)])[0]


def out_of_fold_scores(model: ChatModel, features: sp.csr_matrix,
                       side: Sequence[AuthorWindow], pj_features: sp.csr_matrix,
                       pj: Sequence[AuthorWindow], folds: int, seed: int,
                       scorings: Sequence[Scoring]) -> list[NDArray[np.float64]]:
    """``out_of_fold`` for each of ``scorings`` (the windows alone, or with author context),
    from one set of fold fits."""
    side_fold = np.array([fold_of(w.group, folds, seed) for w in side])
    pj_fold = np.array([fold_of(w.group, folds, seed) for w in pj])
    raws = [np.zeros(len(side), dtype=np.float64) for _ in scorings]
    for fold in range(folds):
        held = side_fold == fold
        if not held.any():
            continue
        kept = [w for w, h in zip(side, held, strict=True) if not h]
        rest = [int(i) for i in np.flatnonzero(pj_fold != fold)]
        fit_stages(model, sp.csr_matrix(features[~held]), kept,
                   sp.csr_matrix(pj_features[rest]), [pj[i] for i in rest])
        for raw, scoring in zip(raws, scorings, strict=True):
            raw[held] = model.combined(*scoring)[held]
    return raws


Stacked = tuple[sp.csr_matrix, NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]
"""Count rows of windows with their contexts, and the windows' starts, ends and floors."""


def _vectorised(train: Sequence[AuthorWindow], lexicon: Lexicon, window: int,
                vocabulary: Sequence[AuthorWindow] = (),
                context: int = 0) -> tuple[ChatModel, Stacked]:
    """A model with its vectorisers fitted and IDF drawn from ``train`` (no stages yet), and the
    count rows of the ``train`` windows (with their contexts when ``context`` > 0)."""
    texts = [t for w in train for t in w.texts]
    drawn = [t for w in vocabulary for t in w.texts] if vocabulary else texts
    word, char = word_vectorizer(MAX_WORD_FEATURES), char_vectorizer(MAX_CHAR_FEATURES)
    word.fit(drawn)
    char.fit(drawn)
    model = ChatModel(word=word, char=char, idf_word=np.zeros(0, np.float32),
                      idf_char=np.zeros(0, np.float32),
                      suspicious=LinearStage(np.zeros(0), 0.0),
                      window=window, context=context, lexicon_version=lexicon.version,
                      categories=tuple(lexicon.categories),
                      trained_on={role.value: n for role, n in
                                  sorted(Counter(w.role for w in train).items())})
    stacked = _stacked(model, train, lexicon)
    counts, starts, ends, _ = stacked
    sums = window_sums(counts, starts, ends)
    n_word, n_char = len(word.vocabulary_), len(char.vocabulary_)
    model.idf_word = idf_of(sp.csr_matrix(sums[:, :n_word]))
    model.idf_char = idf_of(sp.csr_matrix(sums[:, n_word:n_word + n_char]))
    return model, stacked


def _main_features(model: ChatModel, stacked: Stacked) -> sp.csr_matrix:
    counts, starts, ends, _ = stacked
    return model.features(window_sums(counts, starts, ends), (ends - starts).astype(np.float64))


def fit_stages(model: ChatModel, features: sp.csr_matrix, windows: Sequence[AuthorWindow],
               pj_features: sp.csr_matrix, pj: Sequence[AuthorWindow]) -> None:
    """Stage 1 (PJ-like against benign, role-balanced) and stage 2 (NB-LR, offender against
    decoy) into ``model``."""
    suspicious = np.array([w.role is not WindowRole.BENIGN for w in windows], dtype=bool)
    first = LogisticRegression(C=MODEL_C, max_iter=3000).fit(
        features, suspicious, sample_weight=role_weights(windows))
    model.suspicious = LinearStage(first.coef_[0].astype(np.float64), float(first.intercept_[0]))
    model.offender = nb_stage(pj_features, truth_of(pj), OFFENDER_C)


def _calibrate(model: ChatModel, raw: NDArray[np.float64],
               windows: Sequence[AuthorWindow]) -> None:
    """Platt scaling and the decoy-capped F0.5 threshold from held-out ``raw`` scores."""
    truth = truth_of(windows)
    model.calibration = fit_calibration(raw, truth)
    decoy = np.array([w.role is WindowRole.DECOY for w in windows], dtype=bool)
    model.threshold = best_threshold(model.calibrated(raw), truth, decoy)


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
    """Feature rows of the windows alone (what the stages are fitted on)."""
    return _main_features(model, model.stacked_counts([w.texts for w in windows], lexicon))


def _stacked(model: ChatModel, windows: Sequence[AuthorWindow], lexicon: Lexicon) -> Stacked:
    return model.stacked_counts([w.texts for w in windows], lexicon,
                                [w.context for w in windows])


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
