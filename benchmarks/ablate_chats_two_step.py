"""Chat model ablations, round 3, on the *validation* windows only (docs/benchmarks.md,
"Conversations"): does splitting the question in two help?

Villatoro-Tello et al. (PAN 2012, first place) asked two questions in turn: is this a suspicious
conversation, then which side is the predator. Here: stage 1 separates Perverted-Justice windows
(offender or decoy) from benign ones; stage 2, fitted on PJ windows only, separates the offender
from the decoy - the hard negatives get a model of their own. A window's score is the sum of the
two log-probabilities (the log of P(PJ) x P(offender | PJ)). Compared with the shipped single
model (round 2's), a three-class logistic regression, NB-weighted stages, and stage 2 fitted on
more of each log (``--more 60 0``: 60 windows per author, all of them). The shipped model is the
two-step model with an NB-weighted stage 2 on 60 windows per author. Never scores the test side.
Run: ``python benchmarks/ablate_chats_two_step.py --data ../shared/data/chats --more 60``
(about 8 minutes of CPU; ``--more 60 0`` about 20).
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

from vigil.conversations.evaluate import Protocol, build_protocol
from vigil.conversations.features import window_sums
from vigil.conversations.lexicon import default_lexicon
from vigil.conversations.model import ChatModel
from vigil.conversations.training import (
    MODEL_C,
    OFFENDER_C,
    _stacked,
    fit_model,
    role_weights,
    truth_of,
)
from vigil.conversations.windows import (
    SPLIT_SEED,
    VALIDATION_SHARE,
    WINDOW_SIZE,
    AuthorWindow,
    WindowRole,
    author_windows,
    in_share,
    labelled_files,
    read_labelled,
)


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
    parser.add_argument("--more", type=int, nargs="*", default=[],
                        help="Also fit the NB stage 2 on this many PJ windows per author "
                             "(0: all of them) of the train side.")
    parser.add_argument("--focus", action="store_true",
                        help="Only the shipped model, its stage 2 averaged with a plain LR, and "
                             "vocabularies drawn from stage 2's windows too.")
    args = parser.parse_args()
    data = args.data
    started = time.process_time()
    lexicon = default_lexicon()
    protocol = build_protocol(data)
    train, val = protocol.train, protocol.validation
    model = round3_model(protocol)
    if args.focus:
        focus(protocol, model)
        return
    print(f"protocol + shipped model: {time.process_time() - started:.0f} s CPU", flush=True)

    def features(windows: Sequence[AuthorWindow]) -> sp.csr_matrix:
        counts, starts, ends, _ = _stacked(model, windows, lexicon)
        return model.features(window_sums(counts, starts, ends), (ends - starts).astype(float))

    ft, fv = features(train), features(val)
    yt, yv, wt = truth_of(train), truth_of(val), role_weights(train)
    roles_t = np.array([w.role.value for w in train])
    decoy = np.array([w.role is WindowRole.DECOY for w in val])

    def show(name: str, scores: np.ndarray) -> None:
        print(f"{name:40s} PR-AUC {average_precision_score(yv, scores):.4f}  "
              f"best {operating(scores, yv, decoy)}  FPR<=2%: "
              f"{operating(scores, yv, decoy, 0.02)}", flush=True)

    single = LogisticRegression(C=MODEL_C, max_iter=3000).fit(ft, yt, sample_weight=wt)
    raw_val = single.decision_function(fv)
    show("single-stage LR (round 2's model)", raw_val)
    show("shipped two-step model", model.raw_scores(*_stacked(model, val, lexicon)))
    pj = roles_t != WindowRole.BENIGN.value
    stage1 = LogisticRegression(C=MODEL_C, max_iter=3000).fit(ft, pj, sample_weight=wt)
    s1 = stage1.decision_function(fv)
    for c in (4.0, 16.0, 64.0):
        stage2 = LogisticRegression(C=c, max_iter=3000).fit(ft[pj], yt[pj])
        s2 = stage2.decision_function(fv)
        show(f"two-step, stage 2 C={c}", log_sigmoid(s1) + log_sigmoid(s2))
        show(f"  stage 2 alone C={c}", s2)
        show(f"  two-step + single LR, z-avg C={c}",
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
    nb1 = nb_fit(ft, pj, wt, MODEL_C)
    s1nb = nb1[0].decision_function(sp.csr_matrix(fv.multiply(nb1[1])))
    nb2 = nb_fit(ft[pj], yt[pj], None, 16.0)
    s2nb = nb2[0].decision_function(sp.csr_matrix(fv.multiply(nb2[1])))
    show("two-step, NB stage 1 C=16 + NB stage 2", log_sigmoid(s1nb) + log_sigmoid(s2nb))
    for per_author in args.more:
        more = more_pj_windows(data, per_author or None, protocol)
        fm = features(more)
        ym = truth_of(more)
        print(f"{len(more)} PJ train windows ({int(ym.sum())} offender)", flush=True)
        for c in (4.0, 16.0):
            lr, ratio = nb_fit(fm, ym, None, c)
            s2 = lr.decision_function(sp.csr_matrix(fv.multiply(ratio)))
            show(f"two-step, NB stage 2 on {per_author or 'all'}/author C={c}",
                 log_sigmoid(s1) + log_sigmoid(s2))
            plain = LogisticRegression(C=c, max_iter=3000).fit(fm, ym).decision_function(fv)
            show(f"  stage 2 = NB-LR and LR averaged, C={c}",
                 log_sigmoid(s1) + log_sigmoid((s2 + plain) / 2))
    print(f"total: {time.process_time() - started:.0f} s CPU", flush=True)


def focus(protocol: Protocol, model: ChatModel) -> None:
    lexicon = default_lexicon()
    val = protocol.validation
    yv = truth_of(val)
    decoy = np.array([w.role is WindowRole.DECOY for w in val])

    def show(name: str, scores: np.ndarray) -> None:
        print(f"{name:40s} PR-AUC {average_precision_score(yv, scores):.4f}  "
              f"best {operating(scores, yv, decoy)}  FPR<=2%: "
              f"{operating(scores, yv, decoy, 0.02)}", flush=True)

    def features(m: ChatModel, windows: Sequence[AuthorWindow]) -> sp.csr_matrix:
        counts, starts, ends, _ = _stacked(m, windows, lexicon)
        return m.features(window_sums(counts, starts, ends), (ends - starts).astype(float))

    fv = features(model, val)
    show("shipped two-step model", model.combined(fv))
    assert model.offender is not None
    stage2 = train_part_pj(protocol)
    fm = features(model, stage2)
    plain = LogisticRegression(C=OFFENDER_C, max_iter=3000).fit(
        fm, truth_of(stage2)).decision_function(fv)
    show("  stage 2 = NB-LR and LR averaged", log_sigmoid(model.suspicious.decision(fv))
         + log_sigmoid((model.offender.decision(fv) + plain) / 2))
    benign = [w for w in protocol.train if w.role is WindowRole.BENIGN]
    wider = fit_model(protocol.train, val, lexicon, WINDOW_SIZE, stage2,
                      vocabulary=benign + stage2)
    print(f"vocabularies: {len(model.idf_word)} + {len(model.idf_char)} shipped, "
          f"{len(wider.idf_word)} + {len(wider.idf_char)} drawn from stage 2's windows too",
          flush=True)
    show("vocabularies from stage 2's windows too", wider.combined(features(wider, val)))


def train_part_pj(protocol: Protocol) -> list[AuthorWindow]:
    """Stage 2's windows of the train part alone (``protocol.offender_train`` holds the
    validation groups' too since round 4, which would leak into these validation figures)."""
    return [w for w in protocol.offender_train
            if not in_share(w.group, VALIDATION_SHARE, SPLIT_SEED, "validation")]


def round3_model(protocol: Protocol) -> ChatModel:
    """Round 3's shipped model: fitted on the train part, calibrated on validation windows."""
    return fit_model(protocol.train, protocol.validation, default_lexicon(), WINDOW_SIZE,
                     train_part_pj(protocol))


def nb_fit(x: sp.csr_matrix, y: np.ndarray, weights: np.ndarray | None,
           c: float) -> tuple[LogisticRegression, np.ndarray]:
    """An LR on features scaled by their naive-Bayes log-count ratio (Wang & Manning 2012)."""
    binary = x.copy()
    binary.data[:] = 1.0
    w = np.ones(len(y)) if weights is None else weights
    pos = np.asarray(binary[y].T @ w[y]).ravel() + 1
    neg = np.asarray(binary[~y].T @ w[~y]).ravel() + 1
    ratio = np.log((pos / pos.sum()) / (neg / neg.sum()))
    lr = LogisticRegression(C=c, max_iter=3000).fit(
        sp.csr_matrix(x.multiply(ratio)), y, sample_weight=weights)
    return lr, ratio


def more_pj_windows(data: Path, per_author: int | None,
                    protocol: Protocol) -> list[AuthorWindow]:
    """PJ windows of the train side (not validation, not test), ``per_author`` per author."""
    out: list[AuthorWindow] = []
    for path in labelled_files(data):
        for conversation in read_labelled(path):
            if not conversation.offenders:
                continue
            for window in author_windows(conversation, WINDOW_SIZE, per_author, SPLIT_SEED):
                if window.group in protocol.train_groups and not in_share(
                        window.group, VALIDATION_SHARE, SPLIT_SEED, "validation"):
                    out.append(window)
    return out


if __name__ == "__main__":
    main()
