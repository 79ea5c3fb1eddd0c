"""The trained chat model: TF-IDF word and character n-grams plus directed features, two linear
stages, and a Platt calibration fitted on held-out scores (out-of-fold since round 4:
``training.fit_cross_fitted``).

Why two stages: the hard negatives are adults posing as children, whose windows look like the
offenders' in topic and register. PAN 2012's first-placed system asked two questions in turn - is
this a suspicious conversation, and then which side is the predator (Villatoro-Tello et al.
2012). Stage 1 (``suspicious``) tells Perverted-Justice-like chat from benign chat; stage 2
(``offender``), fitted on the offender and decoy windows alone with naive-Bayes-scaled features
(NB-LR: Wang & Manning 2012), tells the offender from the decoy. A window's raw score is
``log P(suspicious) + log P(offender | suspicious)``.

Why this model: PAN 2012's best systems were sparse lexical models with a linear classifier
(Villatoro-Tello et al. 2012; Parapar et al. 2012; Morris & Hirst 2012), it runs on a CPU core at
thousands of messages per second, its weights name the phrases that weighed most (Morris & Hirst:
n-gram weights as line-level explanation), and it needs no model from a hub. Why calibration on
held-out scores: a probability a reviewer can read needs a calibrated score (Microsoft's
Project Artemis routes by a per-platform threshold on an overall probability, Jan 2020); each
window's calibrating score comes from stages that never saw its group, so Platt's sigmoid is not
fitted to training scores. Format 3 (round 5) adds the author-context depth and a second
calibration and threshold for a window read alone (``window_alone``).

The fitted model stores vocabulary drawn from its training text, so its file is built by
``make model-chats`` into an ignored folder and is never committed. Load only files you built:
the format is a pickle.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression

from vigil.conversations.context import context_windows, pooling
from vigil.conversations.counting import cached_counter
from vigil.conversations.features import (
    BASE_FEATURES,
    directed_features,
    tfidf,
    window_sums,
)
from vigil.conversations.lexicon import Lexicon, default_lexicon

MODEL_FORMAT = 3
DIRECTED_SCALE = 1.0
"""Weight of the directed features beside the L2-normalised TF-IDF blocks (tuned on validation)."""
MAX_DECOY_FPR = 0.02
"""The issue's cap on the decoy windows' false-positive rate; the threshold respects it on the
held-out (out-of-fold) train-side windows (the test side is never used to choose it)."""


@dataclass(frozen=True)
class LinearStage:
    """A linear decision ``features @ coef + intercept`` (NB scaling already folded in)."""

    coef: NDArray[np.float64]
    intercept: float

    def decision(self, features: sp.csr_matrix) -> NDArray[np.float64]:
        return np.asarray(features @ self.coef, dtype=np.float64).ravel() + self.intercept


def log_sigmoid(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(-np.logaddexp(0.0, -x), dtype=np.float64)


@dataclass
class ChatModel:
    """A fitted window model; ``score_windows`` and ``window_scores`` give calibrated scores."""

    word: object
    char: object
    idf_word: NDArray[np.float32]
    idf_char: NDArray[np.float32]
    suspicious: LinearStage
    """Stage 1: offender or decoy window (PJ-like chat) against a benign one."""
    offender: LinearStage | None = None
    """Stage 2: offender against decoy; ``None`` scores by stage 1 alone."""
    calibration: tuple[float, float] = (1.0, 0.0)
    threshold: float = 0.5
    window: int = 10
    context: int = 0
    """Preceding windows of the same author whose stage-2 decisions are averaged with the
    window's own (``context`` module; 0: the window alone)."""
    alone: tuple[tuple[float, float], float] = ((1.0, 0.0), 0.5)
    """Calibration and threshold for scoring a window on its own text (no author context),
    from the same out-of-fold scores: the protocol's headline figures (``window_alone``)."""
    lexicon_version: str = ""
    trained_on: dict[str, int] = field(default_factory=dict)
    categories: tuple[str, ...] = ()
    """The lexicon categories its directed features were fitted on, in order."""
    names: list[str] = field(default_factory=list)
    split_digest: str = ""
    """Fingerprint of the train-side groups it was fitted on (see ``evaluate.Protocol``)."""
    format: int = MODEL_FORMAT

    def window_alone(self) -> ChatModel:
        """This model reading each window's own text only, with the calibration and threshold
        fitted for that (what ``vigil chats eval`` reports against the targets)."""
        calibration, threshold = self.alone
        return replace(self, context=0, calibration=calibration, threshold=threshold, names=[])

    def message_counts(self, texts: Sequence[str], lexicon: Lexicon,
                       matches: Sequence[Mapping[str, object]] | None = None) -> sp.csr_matrix:
        """Per-message count rows for the word, character and directed blocks, side by side."""
        if tuple(lexicon.categories) != self.categories:
            raise ValueError(
                f"the chat model was fitted with lexicon categories {list(self.categories)}, "
                f"the lexicon in use has {list(lexicon.categories)}: rebuild it with "
                "`make model-chats`")
        word = cached_counter(self.word).transform(texts)
        char = cached_counter(self.char).transform(texts)
        directed = directed_features(texts, lexicon, matches)
        return sp.csr_matrix(sp.hstack([word, char, directed]))

    def features(self, sums: sp.csr_matrix, lengths: NDArray[np.float64]) -> sp.csr_matrix:
        n_word, n_char = len(self.idf_word), len(self.idf_char)
        word = tfidf(sp.csr_matrix(sums[:, :n_word]), self.idf_word)
        char = tfidf(sp.csr_matrix(sums[:, n_word:n_word + n_char]), self.idf_char)
        directed = sp.csr_matrix(sp.diags(DIRECTED_SCALE / np.maximum(lengths, 1.0))
                                 @ sums[:, n_word + n_char:])
        return sp.csr_matrix(sp.hstack([word, char, directed]))

    def raw_scores(self, counts: sp.csr_matrix, starts: NDArray[np.int64],
                   ends: NDArray[np.int64],
                   floors: NDArray[np.int64] | None = None) -> NDArray[np.float64]:
        """Uncalibrated decision values of the windows ``counts[start:end]``; each author's
        context reaches back to its ``floor`` (the author's first row; 0 when not given)."""
        floors = np.zeros_like(starts) if floors is None else floors
        features, pool = self.context_features(counts, starts, ends, floors)
        return self.combined(features, pool)

    def context_features(self, counts: sp.csr_matrix, starts: NDArray[np.int64],
                         ends: NDArray[np.int64], floors: NDArray[np.int64],
                         depth: int | None = None) -> tuple[sp.csr_matrix, sp.csr_matrix | None]:
        """Feature rows of the windows, then of their context windows, and the pooling matrix
        (None without context)."""
        depth = self.context if depth is None else depth
        if self.offender is None:
            depth = 0
        all_starts, all_ends, columns = context_windows(starts, ends, floors, self.window, depth)
        sums = window_sums(counts, all_starts, all_ends)
        features = self.features(sums, (all_ends - all_starts).astype(np.float64))
        if not columns:
            return features, None
        return features, pooling(columns, len(starts), len(all_starts), depth)

    def combined(self, features: sp.csr_matrix,
                 pool: sp.csr_matrix | None = None) -> NDArray[np.float64]:
        """``log P(suspicious) + log P(offender | suspicious)`` of each scored row; with ``pool``
        the rows are the scored windows then their context windows, and stage 2's decision is
        averaged over each window's context (``context`` module)."""
        n = features.shape[0] if pool is None else pool.shape[0]
        first = self.suspicious.decision(features if features.shape[0] == n else features[:n])
        if self.offender is None:
            return first
        second = self.offender.decision(features)
        if pool is not None:
            second = np.asarray(pool @ second, dtype=np.float64)
        return log_sigmoid(first) + log_sigmoid(second)

    def weights(self, features: sp.csr_matrix) -> NDArray[np.float64]:
        """Per-feature weights of one row's score: the gradient of ``combined`` there."""
        first = self.suspicious.decision(features)
        if self.offender is None:
            return self.suspicious.coef
        second = self.offender.decision(features)
        return np.asarray((1.0 - np.exp(log_sigmoid(first)))[0] * self.suspicious.coef
                          + (1.0 - np.exp(log_sigmoid(second)))[0] * self.offender.coef,
                          dtype=np.float64)

    def calibrated(self, raw: NDArray[np.float64]) -> NDArray[np.float64]:
        slope, intercept = self.calibration
        return np.asarray(1.0 / (1.0 + np.exp(-(slope * raw + intercept))), dtype=np.float64)

    def score_windows(self, windows: Sequence[Sequence[str]], lexicon: Lexicon | None = None,
                      contexts: Sequence[Sequence[str]] | None = None) -> NDArray[np.float64]:
        """One calibrated score per window of texts; ``contexts`` (the same author's messages
        just before each window) feed the author context when the model reads it."""
        if not windows:
            return np.zeros(0, dtype=np.float64)
        counts, starts, ends, floors = self.stacked_counts(windows, lexicon or default_lexicon(),
                                                           contexts)
        return self.calibrated(self.raw_scores(counts, starts, ends, floors))

    def stacked_counts(self, windows: Sequence[Sequence[str]], lexicon: Lexicon,
                       contexts: Sequence[Sequence[str]] | None = None
                       ) -> tuple[sp.csr_matrix, NDArray[np.int64], NDArray[np.int64],
                                  NDArray[np.int64]]:
        """Count rows of each window's context then the window (each distinct text vectorised
        once), with the windows' starts, ends and context starts (``floors``)."""
        before = contexts if contexts is not None and self.context > 0 else [()] * len(windows)
        rows: dict[str, int] = {}
        order: list[int] = []
        floors, starts, ends = [], [], []
        for context, window in zip(before, windows, strict=True):
            floors.append(len(order))
            order.extend(rows.setdefault(t, len(rows)) for t in context)
            starts.append(len(order))
            order.extend(rows.setdefault(t, len(rows)) for t in window)
            ends.append(len(order))
        counts = sp.csr_matrix(self.message_counts(list(rows), lexicon)[np.array(order)])
        return (counts, np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64),
                np.array(floors, dtype=np.int64))

    def stream_scores(self, counts: sp.csr_matrix) -> NDArray[np.float64]:
        """The calibrated score after each message: the last ``window`` messages each time."""
        ends = np.arange(1, counts.shape[0] + 1, dtype=np.int64)
        starts = np.maximum(ends - self.window, 0)
        return self.calibrated(self.raw_scores(counts, starts, ends))

    def feature_names(self) -> list[str]:
        """Feature names, computed once per loaded model (get_feature_names_out is slow)."""
        if not self.names:
            self.names = self._feature_names()
        return self.names

    def _feature_names(self) -> list[str]:
        word = list(self.word.get_feature_names_out())  # type: ignore[attr-defined]
        char = [f"'{g}'" for g in self.char.get_feature_names_out()]  # type: ignore[attr-defined]
        return word + char + [f"[{n}]" for n in BASE_FEATURES] + [
            f"[lexicon:{n}]" for n in self.categories]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.names = []
        with path.open("wb") as handle:
            pickle.dump(self, handle, protocol=pickle.HIGHEST_PROTOCOL)


def load_model(path: Path) -> ChatModel:
    """The model at ``path`` (a file ``make model-chats`` wrote); ``ValueError`` if not one."""
    try:
        with path.open("rb") as handle:
            model = pickle.load(handle)  # noqa: S301 - only files the operator built
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as exc:
        raise ValueError(f"chat model {path}: cannot be read ({exc})") from exc
    if not isinstance(model, ChatModel) or model.format != MODEL_FORMAT:
        raise ValueError(f"chat model {path}: not a vigil chat model of format {MODEL_FORMAT}")
    return model


def fit_calibration(raw: NDArray[np.float64], truth: NDArray[np.bool_]) -> tuple[float, float]:
    """Platt scaling: a one-feature logistic regression from raw decision values to labels."""
    platt = LogisticRegression(C=1e6, max_iter=1000).fit(raw.reshape(-1, 1), truth)
    return float(platt.coef_[0, 0]), float(platt.intercept_[0])


def best_threshold(scores: NDArray[np.float64], truth: NDArray[np.bool_],
                   decoy: NDArray[np.bool_] | None = None,
                   max_decoy_fpr: float = MAX_DECOY_FPR) -> float:
    """The threshold with the best F0.5 on validation windows among those that flag at most
    ``max_decoy_fpr`` of the ``decoy`` windows (ties: the higher threshold); when none keeps
    the decoys under the cap, the one that flags the fewest."""
    best, chosen = -1.0, 0.5
    fewest, strictest = 2.0, 0.5
    for threshold in np.round(np.arange(0.05, 0.9995, 0.001), 3):
        flagged = scores >= threshold
        fpr = float(flagged[decoy].mean()) if decoy is not None and decoy.any() else 0.0
        if fpr <= fewest:
            fewest, strictest = fpr, float(threshold)
        if fpr > max_decoy_fpr:
            continue
        hits = float((flagged & truth).sum())
        value = 1.25 * hits / (0.25 * float(truth.sum()) + float(flagged.sum())) if hits else 0.0
        if value >= best:
            best, chosen = value, float(threshold)
    return chosen if best >= 0 else strictest
