"""Window scorers the evaluation compares: the lexicon, the trained model and the baseline.

Each gives a score per window of texts, a score after every message of a stream (over the last
``window`` messages), and the threshold at which it flags. None of them sees anything but text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Protocol, TypeVar

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from vigil.conversations.lexicon import Lexicon
from vigil.conversations.model import ChatModel
from vigil.conversations.training import Baseline


class WindowScorer(Protocol):
    name: str
    threshold: float

    def score_windows(self, windows: Sequence[Sequence[str]],
                      contexts: Sequence[Sequence[str]] | None = None) -> NDArray[np.float64]:
        """One score per window; ``contexts`` (each author's messages just before the window)
        are read only by scorers with author context."""
        ...

    def stream_scores(self, texts: Sequence[str]) -> NDArray[np.float64]: ...


T = TypeVar("T")


def sliding(texts: Sequence[T], window: int) -> list[Sequence[T]]:
    """The last ``window`` items after each message."""
    return [texts[max(0, n - window):n] for n in range(1, len(texts) + 1)]


class LexiconScorer:
    """The indicator lexicon's noisy-OR score over a window, flagged at its ``min_score``."""

    name = "lexicon"

    def __init__(self, lexicon: Lexicon, window: int) -> None:
        self.lexicon = lexicon
        self.window = window
        self.threshold = lexicon.min_score

    def _score(self, matches: Sequence[dict[str, tuple[str, ...]]]) -> float:
        return self.lexicon.score(Counter(name for found in matches for name in found))

    def score_windows(self, windows: Sequence[Sequence[str]],
                      contexts: Sequence[Sequence[str]] | None = None) -> NDArray[np.float64]:
        return np.array([self._score([self.lexicon.match(t) for t in w]) for w in windows],
                        dtype=np.float64)

    def stream_scores(self, texts: Sequence[str]) -> NDArray[np.float64]:
        matches = [self.lexicon.match(t) for t in texts]
        return np.array([self._score(m) for m in sliding(matches, self.window)], dtype=np.float64)


class ModelScorer:
    """The trained model's calibrated score, flagged at its out-of-fold threshold; with author
    context when the model reads it (``ChatModel.window_alone`` gives the model without)."""

    def __init__(self, model: ChatModel, lexicon: Lexicon, name: str = "model",
                 counts: dict[tuple[str, ...], sp.csr_matrix] | None = None) -> None:
        self.name = name
        self.model = model
        self.counts = {} if counts is None else counts
        """Count rows of each stream already read (shared by scorers of the same model)."""
        self.lexicon = lexicon
        self.threshold = model.threshold

    def score_windows(self, windows: Sequence[Sequence[str]],
                      contexts: Sequence[Sequence[str]] | None = None) -> NDArray[np.float64]:
        return self.model.score_windows(windows, self.lexicon, contexts)

    def stream_scores(self, texts: Sequence[str]) -> NDArray[np.float64]:
        key = tuple(texts)
        if key not in self.counts:
            self.counts[key] = self.model.message_counts(list(texts), self.lexicon)
        return self.model.stream_scores(self.counts[key])


class BaselineScorer:
    """TF-IDF + logistic regression, flagged at 0.5."""

    name = "baseline"

    def __init__(self, baseline: Baseline, window: int) -> None:
        self.baseline = baseline
        self.window = window
        self.threshold = baseline.threshold

    def score_windows(self, windows: Sequence[Sequence[str]],
                      contexts: Sequence[Sequence[str]] | None = None) -> NDArray[np.float64]:
        return self.baseline.score_windows(windows)

    def stream_scores(self, texts: Sequence[str]) -> NDArray[np.float64]:
        return self.baseline.score_windows(sliding(texts, self.window))
