"""Chat model ablations, round 3, on the *validation* windows only (docs/benchmarks.md,
"Conversations"): does splitting the question in two help?

Villatoro-Tello et al. (PAN 2012, first place) asked two questions in turn: is this a suspicious
conversation, then which side is the predator. Here: stage 1 separates Perverted-Justice windows
(offender or decoy) from benign ones; stage 2, fitted on PJ windows only, separates the offender
from the decoy - the hard negatives get a model of their own. A window's score is the sum of the
two log-probabilities (the log of P(PJ) x P(offender | PJ)). Compared with the shipped single
model, a three-class logistic regression, and the shipped score averaged with an NB-weighted LR
(round 2's lead). Never scores the test side. Run:
``python benchmarks/ablate_chats_two_step.py --data ../shared/data/chats``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

from vigil.conversations.evaluate import build_protocol, train_on
from vigil.conversations.features import window_sums
from vigil.conversations.lexicon import default_lexicon
from vigil.conversations.training import MODEL_C, _stacked, role_weights, truth_of
from vigil.conversations.windows import AuthorWindow, WindowRole


def operating(scores: np.ndarray, truth: np.ndarray, decoy: np.ndarray,
              max_fpr: float = 1.0) -> str:
    """The F0.5-best threshold on these windows (optionally under a decoy-FPR cap)."""
    best = (-1.0, 0.0, 0.0, 0.0)
    for threshold in np.unique(scores):
        flagged = scores >= threshold
        fpr = float(flagged[decoy].mean())
        hits = int((flagged & truth).sum())
        p, r = hits / max(int(flagged.sum()), 1), hits / int(truth.sum())
        f05 = 1.25 * p * r / (0.25 * p + r) if p + r else 0.0
        if fpr <= max_fpr and f05 > best[0]:
            best = (f05, fpr, p, r)
    return "F0.5 {:.3f} (decoy FPR {:.3f}, P {:.3f}, R {:.3f})".format(*best)


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data/chats"))
    data = parser.parse_args().data
    started = time.process_time()
    lexicon = default_lexicon()
    protocol = build_protocol(data)
    train, val = protocol.train, protocol.validation
    model = train_on(protocol, lexicon)
    print(f"protocol + shipped model: {time.process_time() - started:.0f} s CPU", flush=True)

    def features(windows: Sequence[AuthorWindow]) -> sp.csr_matrix:
        counts, starts, ends = _stacked(model, windows, lexicon)
        return model.features(window_sums(counts, starts, ends), (ends - starts).astype(float))

    ft, fv = features(train), features(val)
    yt, yv, wt = truth_of(train), truth_of(val), role_weights(train)
    roles_t = np.array([w.role.value for w in train])
    decoy = np.array([w.role is WindowRole.DECOY for w in val])

    def show(name: str, scores: np.ndarray) -> None:
        print(f"{name:40s} PR-AUC {average_precision_score(yv, scores):.4f}  "
              f"best {operating(scores, yv, decoy)}  FPR<=2%: "
              f"{operating(scores, yv, decoy, 0.02)}", flush=True)

    raw_val = model.raw_scores(*_stacked(model, val, lexicon))
    show("shipped model", raw_val)
    pj = roles_t != WindowRole.BENIGN.value
    stage1 = LogisticRegression(C=MODEL_C, max_iter=3000).fit(ft, pj, sample_weight=wt)
    s1 = stage1.decision_function(fv)
    for c in (4.0, 16.0, 64.0):
        stage2 = LogisticRegression(C=c, max_iter=3000).fit(ft[pj], yt[pj])
        s2 = stage2.decision_function(fv)
        show(f"two-step, stage 2 C={c}", log_sigmoid(s1) + log_sigmoid(s2))
        show(f"  stage 2 alone C={c}", s2)
        show(f"  two-step + shipped, z-avg C={c}",
             (log_sigmoid(s1) + log_sigmoid(s2)) / np.std(log_sigmoid(s2))
             + raw_val / raw_val.std())
    three = LogisticRegression(C=MODEL_C, max_iter=3000).fit(ft, roles_t, sample_weight=wt)
    proba = three.predict_log_proba(fv)
    off = list(three.classes_).index(WindowRole.OFFENDER.value)
    rest = np.logaddexp.reduce(np.delete(proba, off, axis=1), axis=1)
    show("three-class LR", proba[:, off] - rest)
    binary = ft[pj].copy()
    binary.data[:] = 1.0
    ypj = yt[pj]
    pos = np.asarray(binary[ypj].sum(axis=0)).ravel() + 1
    neg = np.asarray(binary[~ypj].sum(axis=0)).ravel() + 1
    ratio = np.log((pos / pos.sum()) / (neg / neg.sum()))
    for c in (4.0, 16.0):
        nb2 = LogisticRegression(C=c, max_iter=3000).fit(
            sp.csr_matrix(ft[pj].multiply(ratio)), ypj).decision_function(
            sp.csr_matrix(fv.multiply(ratio)))
        show(f"two-step, NB stage 2 C={c}", log_sigmoid(s1) + log_sigmoid(nb2))
    print(f"total: {time.process_time() - started:.0f} s CPU", flush=True)


if __name__ == "__main__":
    main()
