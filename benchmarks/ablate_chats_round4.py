"""Chat model ablations, round 4 (docs/benchmarks.md, "Conversations"): what limits stage 2
(offender against decoy), measured without the test side.

1. Stage-2 variants in 5-fold cross-validation grouped by conversation over the train part's
   stage-2 windows (about 240 offenders, so steadier than the ~57 of the validation part): the
   true-positive rate at a decoy FPR of 1, 2 and 5 % and the average precision, out of fold.
2. A learning curve: the shipped stage 2 fitted on 25, 50 and 100 % of each fold's offenders.
3. The cross-fitted threshold: calibration and threshold from out-of-fold scores of the train
   part, applied to the validation windows, against round 3's threshold tuned on them.
Run: ``python benchmarks/ablate_chats_round4.py --data ../shared/data/chats`` (a few minutes of
CPU; most of it is vectorising).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import GroupKFold
from sklearn.svm import LinearSVC

from vigil.conversations.evaluate import build_protocol
from vigil.conversations.lexicon import Lexicon, default_lexicon
from vigil.conversations.metrics import f_beta
from vigil.conversations.model import ChatModel, best_threshold
from vigil.conversations.training import (
    CROSS_FIT_FOLDS,
    _calibrate,
    _window_features,
    fit_model,
    nb_stage,
    out_of_fold,
    truth_of,
)
from vigil.conversations.windows import (
    SPLIT_SEED,
    VALIDATION_SHARE,
    WINDOW_SIZE,
    AuthorWindow,
    WindowRole,
    in_share,
)

Variant = Callable[[sp.csr_matrix, np.ndarray, sp.csr_matrix], np.ndarray]


def nb_ratio(x: sp.csr_matrix, y: np.ndarray) -> np.ndarray:
    present = x.copy()
    present.data[:] = 1.0
    pos = np.asarray(present[y].sum(axis=0)).ravel() + 1
    neg = np.asarray(present[~y].sum(axis=0)).ravel() + 1
    return np.asarray(np.log((pos / pos.sum()) / (neg / neg.sum())))


def variants(n_word: int, n_char: int, n: int) -> dict[str, Variant]:
    words = np.r_[np.ones(n_word), np.zeros(n_char), np.ones(n - n_word - n_char)]

    def nbsvm(x: sp.csr_matrix, y: np.ndarray, xt: sp.csr_matrix) -> np.ndarray:
        r = nb_ratio(x, y)
        return np.asarray(LinearSVC(C=0.3, max_iter=5000).fit(sp.csr_matrix(x.multiply(r)), y)
                          .decision_function(sp.csr_matrix(xt.multiply(r))))

    def decoys_x2(x: sp.csr_matrix, y: np.ndarray, xt: sp.csr_matrix) -> np.ndarray:
        r = nb_ratio(x, y)
        lr = LogisticRegression(C=16.0, max_iter=3000).fit(
            sp.csr_matrix(x.multiply(r)), y, sample_weight=np.where(y, 1.0, 2.0))
        return np.asarray(lr.decision_function(sp.csr_matrix(xt.multiply(r))))

    return {
        "NB-LR C=16 (shipped)": lambda x, y, xt: nb_stage(x, y, 16.0).decision(xt),
        "NB-LR C=4": lambda x, y, xt: nb_stage(x, y, 4.0).decision(xt),
        "NB-LR C=32": lambda x, y, xt: nb_stage(x, y, 32.0).decision(xt),
        "NB-LR, words + directed only": lambda x, y, xt: nb_stage(
            sp.csr_matrix(x.multiply(words)), y, 16.0).decision(xt),
        "NBSVM C=0.3": nbsvm,
        "NB-LR, decoy windows x2": decoys_x2,
    }


def tpr_at(scores: np.ndarray, truth: np.ndarray, fpr: float) -> float:
    negatives = np.sort(scores[~truth])[::-1]
    return float((scores[truth] > negatives[int(fpr * len(negatives))]).mean())


def line(name: str, scores: np.ndarray, truth: np.ndarray) -> str:
    return (f"{name:32s} AP {average_precision_score(truth, scores):.4f}  TPR at decoy FPR "
            f"1 % {tpr_at(scores, truth, 0.01):.3f}  2 % {tpr_at(scores, truth, 0.02):.3f}  "
            f"5 % {tpr_at(scores, truth, 0.05):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data/chats"))
    started = time.process_time()
    lexicon = default_lexicon()
    protocol = build_protocol(parser.parse_args().data)
    pj = [w for w in protocol.offender_train
          if not in_share(w.group, VALIDATION_SHARE, SPLIT_SEED, "validation")]
    model = fit_model(protocol.train, protocol.validation, lexicon, WINDOW_SIZE, pj)
    x, y = _window_features(model, pj, lexicon), truth_of(pj)
    groups = np.array([w.group for w in pj])
    folds = list(GroupKFold(5).split(x, y, groups))
    print(f"{len(pj)} stage-2 windows, {len(set(groups))} conversations; "
          f"{time.process_time() - started:.0f} s CPU so far", flush=True)
    for name, fit in variants(len(model.idf_word), len(model.idf_char), x.shape[1]).items():
        scores = np.zeros(len(y))
        for train, held in folds:
            scores[held] = fit(x[train], y[train], x[held])
        print(line(name, scores, y), flush=True)
    rng = np.random.default_rng(0)
    for share in (0.25, 0.5, 1.0):
        scores = np.zeros(len(y))
        for train, held in folds:
            kept = set(rng.choice(np.unique(groups[train]), int(share * len(set(groups[train]))),
                                  replace=False))
            chosen = train[np.isin(groups[train], list(kept))]
            scores[held] = nb_stage(x[chosen], y[chosen], 16.0).decision(x[held])
        print(line(f"shipped stage 2 on {share:.0%} of them", scores, y), flush=True)
    threshold_check(protocol.train, protocol.validation, pj, model, lexicon)
    print(f"total {time.process_time() - started:.0f} s CPU")


def threshold_check(train: Sequence[AuthorWindow], validation: Sequence[AuthorWindow],
                    pj: Sequence[AuthorWindow], model: ChatModel, lexicon: Lexicon) -> None:
    """Round 3's model scored on validation at its own threshold and at one set out of fold."""
    features = _window_features(model, train, lexicon)
    raw = out_of_fold(dataclasses.replace(model), features, train,
                      _window_features(model, pj, lexicon), pj, CROSS_FIT_FOLDS, SPLIT_SEED)
    crossed = dataclasses.replace(model)
    _calibrate(crossed, raw, train)
    truth = truth_of(validation)
    decoy = np.array([w.role is WindowRole.DECOY for w in validation])
    held = model.combined(_window_features(model, validation, lexicon))
    for name, fitted in (("threshold tuned on validation", model),
                         ("threshold set out of fold on train", crossed)):
        flagged = fitted.calibrated(held) >= fitted.threshold
        hits = int((flagged & truth).sum())
        p, r = hits / max(int(flagged.sum()), 1), hits / int(truth.sum())
        print(f"validation, {name}: threshold {fitted.threshold:.3f} P {p:.3f} R {r:.3f} "
              f"F0.5 {f_beta(p, r, 0.5):.3f} decoy FPR {flagged[decoy].mean():.3f}")
    print(f"(best_threshold on validation itself: "
          f"{best_threshold(model.calibrated(held), truth, decoy):.3f})")


if __name__ == "__main__":
    main()
