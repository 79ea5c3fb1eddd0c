"""Chat model ablations, round 5 (docs/benchmarks.md, "Conversations"): author context, measured
out of fold on the train side only (train and validation groups; the test side is not read).

The shipped procedure (``training.fit_cross_fitted``: vocabulary and IDF from the train side,
5 folds by conversation or benign author, stages refitted without each fold) gives each train-side
window an out-of-fold stage-1 decision and out-of-fold stage-2 decisions for the window and for
up to four preceding windows of the same author (``context`` module). For each context depth and
pooling weight it prints:

- PR-AUC and the TPR at a decoy FPR of 1 / 2 % over the out-of-fold raw scores;
- nested operating points: each fold's windows judged at the calibration and threshold chosen on
  the other four folds' out-of-fold scores (cap on the decoy FPR 2 %, 1.5 %, 1 %), pooled over
  the folds: precision, recall, F0.5, decoy FPR, and the decoy FPR of the worst fold. That is the
  estimate of what a test look would show, with the test side left alone.

Run: ``python benchmarks/ablate_chats_round5.py --data ../shared/data/chats`` (a few minutes of
CPU; most of it is vectorising the windows and their contexts).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from _chats_oof import nested_flags
from sklearn.metrics import average_precision_score

from vigil.conversations.context import context_windows
from vigil.conversations.evaluate import build_protocol
from vigil.conversations.features import window_sums
from vigil.conversations.lexicon import default_lexicon
from vigil.conversations.metrics import f_beta
from vigil.conversations.model import log_sigmoid
from vigil.conversations.training import (
    CROSS_FIT_FOLDS,
    _main_features,
    _vectorised,
    _window_features,
    fit_stages,
)
from vigil.conversations.windows import SPLIT_SEED, WINDOW_SIZE, WindowRole, fold_of

DEPTH = 4


def weighted_pool(columns: list[np.ndarray], n: int, total: int, depth: int,
                  alpha: float) -> sp.csr_matrix:
    rows, cols, weights = [np.arange(n)], [np.arange(n)], [np.ones(n)]
    for column in columns[:depth]:
        valid = np.flatnonzero(column >= 0)
        rows.append(valid)
        cols.append(column[valid])
        weights.append(np.full(len(valid), alpha))
    row, col, weight = np.concatenate(rows), np.concatenate(cols), np.concatenate(weights)
    norm = np.bincount(row, weights=weight, minlength=n)
    return sp.csr_matrix((weight / norm[row], (row, col)), shape=(n, total))


def tpr_at(scores: np.ndarray, truth: np.ndarray, decoy: np.ndarray, fpr: float) -> float:
    negatives = np.sort(scores[decoy])[::-1]
    return float((scores[truth] > negatives[int(fpr * len(negatives))]).mean())


def nested(raw: np.ndarray, truth: np.ndarray, decoy: np.ndarray, fold: np.ndarray,
           cap: float) -> str:
    flagged = nested_flags(raw, truth, decoy, fold, cap)
    worst = max(float(flagged[(fold == f) & decoy].mean()) for f in range(CROSS_FIT_FOLDS))
    hits = int((flagged & truth).sum())
    p, r = hits / max(int(flagged.sum()), 1), hits / int(truth.sum())
    return (f"cap {cap:.3f}: P {p:.3f} R {r:.3f} F0.5 {f_beta(p, r, 0.5):.3f} "
            f"decoy FPR {flagged[decoy].mean():.4f} (worst fold {worst:.4f})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data/chats"))
    started = time.process_time()
    lexicon = default_lexicon()
    protocol = build_protocol(parser.parse_args().data)
    side, pj = [*protocol.train, *protocol.validation], protocol.offender_train
    model, stacked = _vectorised(side, lexicon, WINDOW_SIZE, context=DEPTH)
    features, pj_features = _main_features(model, stacked), _window_features(model, pj, lexicon)
    counts, starts, ends, floors = stacked
    all_s, all_e, columns = context_windows(starts, ends, floors, WINDOW_SIZE, DEPTH)
    every = model.features(window_sums(counts, all_s, all_e), (all_e - all_s).astype(float))
    n = len(side)
    print(f"{n} train-side windows, {len(pj)} stage-2 windows, {len(all_s) - n} extra context "
          f"windows; {time.process_time() - started:.0f} s CPU so far", flush=True)
    fold = np.array([fold_of(w.group, CROSS_FIT_FOLDS, SPLIT_SEED) for w in side])
    pj_fold = np.array([fold_of(w.group, CROSS_FIT_FOLDS, SPLIT_SEED) for w in pj])
    first = np.zeros(n)
    second = np.zeros((CROSS_FIT_FOLDS, len(all_s)))
    for f in range(CROSS_FIT_FOLDS):
        held = fold == f
        kept = [w for w, h in zip(side, held, strict=True) if not h]
        rest = [int(i) for i in np.flatnonzero(pj_fold != f)]
        fit_stages(model, sp.csr_matrix(features[~held]), kept,
                   sp.csr_matrix(pj_features[rest]), [pj[i] for i in rest])
        first[held] = model.suspicious.decision(sp.csr_matrix(features[held]))
        assert model.offender is not None
        second[f] = model.offender.decision(every)
    print(f"out of fold done; {time.process_time() - started:.0f} s CPU so far", flush=True)
    truth = np.array([w.positive for w in side])
    decoy = np.array([w.role is WindowRole.DECOY for w in side])
    have = [int((c >= 0).sum()) for c in columns]
    print(f"windows with a context window at depth 1..{DEPTH}: {have}")
    for depth, alpha in [(0, 1.0), (1, 1.0), (2, 1.0), (3, 1.0), (4, 1.0), (2, 0.5), (4, 0.5)]:
        pool = weighted_pool(columns, n, len(all_s), depth, alpha)
        pooled = np.zeros(n)
        for f in range(CROSS_FIT_FOLDS):
            held = fold == f
            pooled[held] = (pool @ second[f])[held]
        raw = log_sigmoid(first) + log_sigmoid(pooled)
        print(f"depth {depth} alpha {alpha}: PR-AUC {average_precision_score(truth, raw):.4f} "
              f"TPR at decoy FPR 1 % {tpr_at(raw, truth, decoy, 0.01):.3f} "
              f"2 % {tpr_at(raw, truth, decoy, 0.02):.3f}", flush=True)
        for cap in (0.02, 0.015, 0.01):
            print("   ", nested(raw, truth, decoy, fold, cap), flush=True)
    print(f"total {time.process_time() - started:.0f} s CPU")


if __name__ == "__main__":
    main()
