"""Helpers of the chat ablations (``ablate_chats_round6.py``): nested operating points and a
paired, group-resampled interval for the difference of two variants' F0.5."""

from __future__ import annotations

import numpy as np

from vigil.conversations.model import best_threshold, fit_calibration
from vigil.conversations.training import CROSS_FIT_FOLDS


def nested_flags(raw: np.ndarray, truth: np.ndarray, decoy: np.ndarray, fold: np.ndarray,
                 cap: float) -> np.ndarray:
    """The windows ``ablate_chats_round5.nested`` flags: each fold at the Platt calibration and
    decoy-capped threshold chosen on the other folds' out-of-fold scores."""
    flagged = np.zeros(len(raw), dtype=bool)
    for f in range(CROSS_FIT_FOLDS):
        held = fold == f
        platt = fit_calibration(raw[~held], truth[~held])
        calibrated = 1.0 / (1.0 + np.exp(-(platt[0] * raw + platt[1])))
        threshold = best_threshold(calibrated[~held], truth[~held], decoy[~held], cap)
        flagged[held] = calibrated[held] >= threshold
    return flagged


def paired_interval(before: np.ndarray, after: np.ndarray, truth: np.ndarray,
                    groups: np.ndarray, draws: int = 2000) -> tuple[float, float]:
    """95 % percentile interval of F0.5(after) - F0.5(before), pooled, with the groups
    (conversations, benign authors) resampled with replacement, both variants on each draw."""
    _, group = np.unique(groups, return_inverse=True)
    n = int(group.max()) + 1
    per = [np.bincount(group, weights=v.astype(float), minlength=n) for v in
           (truth, before & truth, before, after & truth, after)]
    rng = np.random.default_rng(0)
    weights = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(draws)])
    pos, hit_b, flag_b, hit_a, flag_a = (weights @ p for p in per)
    delta = 1.25 * hit_a / (0.25 * pos + flag_a) - 1.25 * hit_b / (0.25 * pos + flag_b)
    low, high = np.quantile(delta, [0.025, 0.975])
    return float(low), float(high)
