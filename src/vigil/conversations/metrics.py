"""Window-level figures: precision, recall, F1, F0.5, PR-AUC, the decoys' false-positive rate,
and early-detection latency.

Why F0.5: PAN 2012's author-level ranking measure weights precision over recall (Inches &
Crestani 2012), because a reviewer's time is the scarce resource. Why the decoy FPR on its own
line: adults posing as children are the hard negatives; a model that separates chat from IRC but
flags decoys has learnt the topic, not the offender. Why latency in messages: the eSPD task (Vogt,
Leser & Akbik, ACL 2021) asks how soon a detector can warn, counted in messages seen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import average_precision_score, precision_recall_curve

from vigil.conversations.windows import AuthorWindow, WindowRole

LATENCY_PRECISION = 0.9
"""The fixed precision at which early-detection latency is measured (vigil's choice)."""
LATENCY_MARKS = (10, 25, 50, 100)
STREAM_LIMIT = 100
"""Messages of each offender read for latency: the start of the relationship, where warning
early matters (vigil's choice)."""


@dataclass(frozen=True)
class WindowFigures:
    name: str
    threshold: float
    precision: float
    recall: float
    f1: float
    f05: float
    pr_auc: float
    decoy_fpr: float
    benign_fpr: float
    flagged: int
    windows: int


def f_beta(precision: float, recall: float, beta: float) -> float:
    if precision + recall == 0:
        return 0.0
    b2 = beta * beta
    return (1 + b2) * precision * recall / (b2 * precision + recall)


def window_figures(name: str, windows: Sequence[AuthorWindow], scores: NDArray[np.float64],
                   threshold: float) -> WindowFigures:
    """Figures for ``scores`` (one per window) flagged at ``score >= threshold``."""
    truth = np.array([w.positive for w in windows])
    decoy = np.array([w.role is WindowRole.DECOY for w in windows])
    flagged = scores >= threshold
    hits = int((flagged & truth).sum())
    precision = hits / int(flagged.sum()) if flagged.any() else 0.0
    recall = hits / int(truth.sum()) if truth.any() else 0.0
    benign = ~truth & ~decoy
    return WindowFigures(
        name=name, threshold=threshold, precision=precision, recall=recall,
        f1=f_beta(precision, recall, 1.0), f05=f_beta(precision, recall, 0.5),
        pr_auc=float(average_precision_score(truth, scores)) if truth.any() else 0.0,
        decoy_fpr=float(flagged[decoy].mean()) if decoy.any() else 0.0,
        benign_fpr=float(flagged[benign].mean()) if benign.any() else 0.0,
        flagged=int(flagged.sum()), windows=len(windows))


def threshold_at_precision(truth: NDArray[np.bool_], scores: NDArray[np.float64],
                           precision: float) -> float | None:
    """The lowest threshold whose precision reaches ``precision``; None when none does."""
    values, _, thresholds = precision_recall_curve(truth, scores)
    for value, threshold in zip(values[:-1], thresholds, strict=True):
        if value >= precision:
            return float(threshold)
    return None


@dataclass(frozen=True)
class Latency:
    precision: float
    threshold: float | None
    offenders: int
    flagged: int
    """Offender streams flagged within their first ``STREAM_LIMIT`` messages."""
    false_alarms: int
    """Decoy and benign streams flagged."""
    median: float | None
    """Median messages an offender wrote before the flag, over the offender streams flagged."""
    within: dict[int, float]
    """Share of offender streams flagged within n messages."""


def running_peaks(streams: Sequence[tuple[Sequence[str], bool]],
                  stream_scores: Callable[[Sequence[str]], NDArray[np.float64]],
                  ) -> list[NDArray[np.float64]]:
    """Each stream's highest score so far, after each message."""
    return [np.maximum.accumulate(stream_scores(texts)) for texts, _ in streams]


def early_latency(running: Sequence[NDArray[np.float64]], truth: NDArray[np.bool_],
                  precision: float = LATENCY_PRECISION) -> Latency:
    """Messages an offender writes before the detector flags them, at a fixed stream precision.

    Every test author's stream (offender, decoy and benign) is read message by message;
    ``running`` holds each stream's highest score so far (:func:`running_peaks`; the score
    after each message is over the last k). A stream is flagged
    the first time its score reaches the threshold, which is the lowest at which at least
    ``precision`` of the flagged streams are offenders' - so a detector that warns early by
    warning about everyone pays for it, as eSPD's latency-weighted measure intends (Vogt, Leser
    & Akbik 2021).
    """
    peaks = np.array([r[-1] if r.size else 0.0 for r in running], dtype=np.float64)
    threshold = threshold_at_precision(truth, peaks, precision) if truth.any() else None
    needed: list[int] = []
    false_alarms = 0
    if threshold is not None:
        for scores, positive in zip(running, truth, strict=True):
            above = np.flatnonzero(scores >= threshold)
            if above.size and positive:
                needed.append(int(above[0]) + 1)
            elif above.size:
                false_alarms += 1
    total = int(truth.sum())
    within = {n: (sum(1 for k in needed if k <= n) / total if total else 0.0)
              for n in LATENCY_MARKS}
    return Latency(precision=precision, threshold=threshold, offenders=total, flagged=len(needed),
                   false_alarms=false_alarms,
                   median=float(np.median(needed)) if needed else None, within=within)


def offender_ranked_first(running: Sequence[NDArray[np.float64]], truth: NDArray[np.bool_],
                          conversations: Sequence[str]) -> tuple[int, int]:
    """In how many conversations with an offender and another author the offender's peak score
    is the highest: the author-level question of PAN 2012 (which side is the predator).

    Returns ``(ranked first, conversations judged)``.
    """
    peaks: dict[str, list[tuple[float, bool]]] = {}
    for scores, positive, conversation in zip(running, truth, conversations, strict=True):
        peaks.setdefault(conversation, []).append((float(scores[-1]) if scores.size else 0.0,
                                                   bool(positive)))
    judged = first = 0
    for authors in peaks.values():
        offenders = [p for p, positive in authors if positive]
        others = [p for p, positive in authors if not positive]
        if offenders and others:
            judged += 1
            first += max(offenders) > max(others)
    return first, judged
