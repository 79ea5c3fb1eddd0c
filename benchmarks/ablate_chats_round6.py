"""Chat model ablations, round 6 (docs/benchmarks.md, "Conversations"): the window-alone
classifier (each window scored on its own ten messages, no author context), measured out of fold
on the train side only (train and validation groups; the test side is not read).

Levers, ranked before measuring by expected gain (round 4's learning curve: stage 2, offender
against decoy, is short of data):

1. overlapping training windows, for the training rows only (the scored windows stay the
   protocol's non-overlapping ones): stage 2 on windows every 5 messages (up to 120 per offender
   and decoy instead of 60) or every 2 (up to 300); stage 1 every 5 (up to 40 per author
   instead of 20). They add no new offender, only more slices of the same logs;
2. stage-2 regularisation with the augmented rows (C 8 and 32 beside the shipped 16), and NB-LR
   on binarised rows (Wang & Manning's x-hat). Character n-grams are in the shipped stage 2
   already (it reads the word, character and directed blocks), so that lever is the shipped row;
3. a stacked second level (LightGBM, and a logistic regression for comparison) on the
   out-of-fold stage decisions, the max / mean / min over the window's messages of each stage's
   decision on the message alone, and the directed-feature rates;
4. decoy class weights in stage 2 (all decoys x2; the hardest tenth x3).

Every variant uses the shipped vocabulary and IDF (drawn from the train-side windows), the same
5 folds by conversation or benign author (all windows of a group, overlapping ones included, are
in the fold of their group), and is judged by ``ablate_chats_round5.nested``: each fold's windows
at the calibration and threshold chosen on the other four folds' out-of-fold scores, pooled;
each variant's nested F0.5 at the 2 % cap is compared with the shipped row's by a paired
interval over resampled groups (``_chats_oof.paired_interval``).

Run: ``python benchmarks/ablate_chats_round6.py --data ../shared/data/chats`` (a few minutes
of CPU; most of it is vectorising the windows).
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from _chats_oof import nested_flags, paired_interval
from ablate_chats_round5 import nested, tpr_at
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

from vigil.conversations.evaluate import build_protocol
from vigil.conversations.features import BASE_FEATURES
from vigil.conversations.lexicon import Lexicon, default_lexicon
from vigil.conversations.model import MAX_DECOY_FPR, ChatModel, LinearStage, log_sigmoid
from vigil.conversations.training import (
    CROSS_FIT_FOLDS,
    MODEL_C,
    Stacked,
    _main_features,
    _vectorised,
    _window_features,
    nb_stage,
    role_weights,
    truth_of,
)
from vigil.conversations.windows import (
    SPLIT_SEED,
    TEST_SHARE,
    WINDOW_SIZE,
    AuthorWindow,
    WindowRole,
    author_windows,
    fold_of,
    in_share,
    labelled_files,
    read_labelled,
)

Stage2 = Callable[[sp.csr_matrix, np.ndarray], LinearStage]


def train_side_windows(data: Path, stride: int, per_author: int,
                       pj_only: bool) -> list[AuthorWindow]:
    """Windows of the train-side groups cut every ``stride`` messages (training rows only)."""
    kept: list[AuthorWindow] = []
    for path in labelled_files(data):
        for conversation in read_labelled(path):
            if pj_only and not conversation.offenders:
                continue
            kept.extend(w for w in author_windows(conversation, WINDOW_SIZE, per_author,
                                                  SPLIT_SEED, stride)
                        if not in_share(w.group, TEST_SHARE, SPLIT_SEED, "test"))
    return kept


def folds_of(windows: Sequence[AuthorWindow]) -> np.ndarray:
    return np.array([fold_of(w.group, CROSS_FIT_FOLDS, SPLIT_SEED) for w in windows])


def weighted_nb(c: float, decoy_weight: float, hard_only: bool) -> Stage2:
    """NB-LR (as ``training.nb_stage``) with decoy windows weighted ``decoy_weight``; with
    ``hard_only`` only the hardest tenth of the decoys: those an unweighted in-sample fit scores
    highest (a fixed share, since the in-sample fit separates nearly all of them)."""
    def fit(x: sp.csr_matrix, y: np.ndarray) -> LinearStage:
        present = sp.csr_matrix(x, copy=True)
        present.data[:] = 1.0
        pos = np.asarray(present[y].sum(axis=0)).ravel() + 1.0
        neg = np.asarray(present[~y].sum(axis=0)).ravel() + 1.0
        ratio = np.log((pos / pos.sum()) / (neg / neg.sum()))
        scaled = sp.csr_matrix(x.multiply(ratio))
        weight = np.where(y, 1.0, decoy_weight)
        if hard_only:
            first = LogisticRegression(C=c, max_iter=3000).fit(scaled, y)
            decision = first.decision_function(scaled)
            hard = ~y & (decision >= np.quantile(decision[~y], 0.9))
            weight = np.where(hard, decoy_weight, 1.0)
        fitted = LogisticRegression(C=c, max_iter=3000).fit(scaled, y, sample_weight=weight)
        return LinearStage(fitted.coef_[0] * ratio, float(fitted.intercept_[0]))
    return fit


def oof_first(x: sp.csr_matrix, rows: Sequence[AuthorWindow], features: sp.csr_matrix,
              fold: np.ndarray) -> tuple[np.ndarray, list[LinearStage]]:
    """Out-of-fold stage-1 decisions of the scored windows, fitted on ``rows`` of other folds,
    and each fold's stage."""
    row_fold = folds_of(rows)
    suspicious = np.array([w.role is not WindowRole.BENIGN for w in rows], dtype=bool)
    out, stages = np.zeros(features.shape[0]), []
    for f in range(CROSS_FIT_FOLDS):
        keep = row_fold != f
        weights = role_weights([w for w, k in zip(rows, keep, strict=True) if k])
        lr = LogisticRegression(C=MODEL_C, max_iter=3000).fit(
            x[keep], suspicious[keep], sample_weight=weights)
        stages.append(LinearStage(lr.coef_[0].astype(np.float64), float(lr.intercept_[0])))
        held = fold == f
        out[held] = stages[-1].decision(sp.csr_matrix(features[held]))
    return out, stages


def oof_second(x: sp.csr_matrix, rows: Sequence[AuthorWindow], features: sp.csr_matrix,
               fold: np.ndarray, stage: Stage2) -> tuple[np.ndarray, list[LinearStage]]:
    """Out-of-fold stage-2 decisions of the scored windows, fitted on ``rows`` of other folds,
    and each fold's stage."""
    row_fold, truth = folds_of(rows), truth_of(rows)
    out, stages = np.zeros(features.shape[0]), []
    for f in range(CROSS_FIT_FOLDS):
        keep = row_fold != f
        held = fold == f
        stages.append(stage(sp.csr_matrix(x[keep]), truth[keep]))
        out[held] = stages[-1].decision(sp.csr_matrix(features[held]))
    return out, stages


def binarised(x: sp.csr_matrix) -> sp.csr_matrix:
    out = sp.csr_matrix(x, copy=True)
    out.data[:] = 1.0
    norms = np.sqrt(np.asarray(out.sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1.0 / np.maximum(norms, 1.0)) @ out)


def message_aggregates(stages: Sequence[LinearStage], messages: sp.csr_matrix,
                       starts: np.ndarray, fold: np.ndarray) -> np.ndarray:
    """Max, mean and min over each window's ten messages of the fold's stage decision on each
    message read alone (out of fold, like the window decisions)."""
    rows = starts[:, None] + np.arange(WINDOW_SIZE)[None, :]
    out = np.zeros((len(starts), 3))
    for f, stage in enumerate(stages):
        held = fold == f
        decided = stage.decision(messages)[rows[held]]
        out[held] = np.c_[decided.max(axis=1), decided.mean(axis=1), decided.min(axis=1)]
    return out


def stacked(table: np.ndarray, truth: np.ndarray, fold: np.ndarray, kind: str) -> np.ndarray:
    """A second-level model on ``table`` (out-of-fold stage outputs and directed rates), itself
    out of fold: each fold scored by a stacker fitted on the other folds' rows. Those rows' stage
    outputs came from stages that saw the scored fold (one level of nesting, not two): an
    optimistic estimate, which only matters if the stack wins."""
    import lightgbm

    out = np.zeros(len(truth))
    for f in range(CROSS_FIT_FOLDS):
        held = fold == f
        if kind == "lightgbm":
            booster = lightgbm.LGBMClassifier(
                n_estimators=300, learning_rate=0.05, num_leaves=15, min_child_samples=40,
                subsample=0.8, subsample_freq=1, colsample_bytree=0.8, random_state=0,
                n_jobs=1, verbose=-1).fit(table[~held], truth[~held])
            out[held] = booster.predict(table[held], raw_score=True)
        else:
            mean, scale = table[~held].mean(axis=0), table[~held].std(axis=0) + 1e-9
            lr = LogisticRegression(C=1.0, max_iter=3000).fit((table[~held] - mean) / scale,
                                                              truth[~held])
            out[held] = lr.decision_function((table[held] - mean) / scale)
    return out


def stage_variants(data: Path, setup: Setup, first: np.ndarray) -> None:
    model, pj, features = setup.model, setup.pj, setup.features
    pj_x = setup.pj_x
    pj5 = train_side_windows(data, 5, 120, pj_only=True)
    pj2 = train_side_windows(data, 2, 300, pj_only=True)
    print(f"stage-2 rows: {len(pj)} (stride 10, up to 60 per author) / {len(pj5)} (stride 5, "
          f"120) / {len(pj2)} (stride 2, 300)", flush=True)
    pj5_x = _window_features(model, pj5, setup.lexicon)
    pj2_x = _window_features(model, pj2, setup.lexicon)
    variants: list[tuple[str, sp.csr_matrix, Sequence[AuthorWindow], Stage2, sp.csr_matrix]] = [
        ("stage 2 stride 5, C=16", pj5_x, pj5, nb_stage_fit(16.0), features),
        ("stage 2 stride 5, C=8", pj5_x, pj5, nb_stage_fit(8.0), features),
        ("stage 2 stride 5, C=32", pj5_x, pj5, nb_stage_fit(32.0), features),
        ("stage 2 stride 2, C=16", pj2_x, pj2, nb_stage_fit(16.0), features),
        ("stage 2 stride 10, binary NB-LR C=16", binarised(pj_x), pj, nb_stage_fit(16.0),
         binarised(features)),
        ("stage 2 stride 10, decoys x2", pj_x, pj, weighted_nb(16.0, 2.0, False), features),
        ("stage 2 stride 10, hardest tenth of decoys x3", pj_x, pj,
         weighted_nb(16.0, 3.0, True), features),
    ]
    for name, x, rows, stage, scored in variants:
        clock = time.process_time()
        second, _ = oof_second(x, rows, scored, setup.fold, stage)
        report(name, log_sigmoid(first) + log_sigmoid(second), setup,
               time.process_time() - clock)
    clock = time.process_time()
    side5 = train_side_windows(data, 5, 40, pj_only=False)
    first5, _ = oof_first(_window_features(model, side5, setup.lexicon), side5, features,
                          setup.fold)
    report(f"stage 1 stride 5 ({len(side5)} rows), stage 2 shipped",
           log_sigmoid(first5) + log_sigmoid(setup.second), setup, time.process_time() - clock)
    report("stage 1 stride 5, stage 2 stride 5 C=16", log_sigmoid(first5) + log_sigmoid(
        oof_second(pj5_x, pj5, features, setup.fold, nb_stage_fit(16.0))[0]), setup, 0.0)


def stack_variants(setup: Setup, first: np.ndarray, firsts: list[LinearStage]) -> None:
    counts, starts = setup.stacked[0], setup.stacked[1]
    messages = setup.model.features(counts, np.ones(counts.shape[0]))
    directed = setup.features[:, -setup.n_directed:].toarray()
    table = np.c_[first, setup.second,
                  message_aggregates(setup.seconds, messages, starts, setup.fold),
                  message_aggregates(firsts, messages, starts, setup.fold)[:, :1], directed]
    kinds = ["logistic regression", "lightgbm"]
    if importlib.util.find_spec("lightgbm") is None:
        print("lightgbm is not installed (not a vigil dependency): its row is left out")
        kinds.pop()
    for kind in kinds:
        clock = time.process_time()
        raw = stacked(table, setup.truth, setup.fold, kind)
        report(f"stacked {kind} on stage outputs, message max/mean/min, directed rates", raw,
               setup, time.process_time() - clock)


@dataclass
class Setup:
    lexicon: Lexicon
    model: ChatModel
    stacked: Stacked
    features: sp.csr_matrix
    pj: list[AuthorWindow]
    pj_x: sp.csr_matrix
    fold: np.ndarray
    truth: np.ndarray
    decoy: np.ndarray
    n_directed: int
    groups: np.ndarray
    second: np.ndarray = field(default_factory=lambda: np.zeros(0))
    shipped: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    seconds: list[LinearStage] = field(default_factory=list)


def report(name: str, raw: np.ndarray, setup: Setup, seconds: float) -> None:
    truth, decoy = setup.truth, setup.decoy
    print(f"{name}: PR-AUC {average_precision_score(truth, raw):.4f} TPR at decoy FPR 1 % "
          f"{tpr_at(raw, truth, decoy, 0.01):.3f} 2 % {tpr_at(raw, truth, decoy, 0.02):.3f} "
          f"({seconds:.0f} s CPU)", flush=True)
    for cap in (0.02, 0.015):
        print("   ", nested(raw, truth, decoy, setup.fold, cap), flush=True)
    flagged = nested_flags(raw, truth, decoy, setup.fold, MAX_DECOY_FPR)
    if not len(setup.shipped):
        setup.shipped = flagged
        return
    low, high = paired_interval(setup.shipped, flagged, truth, setup.groups)
    print(f"    nested F0.5 at cap 2 % minus the shipped row's, 95 % interval over "
          f"{len(np.unique(setup.groups))} resampled groups: {low:+.3f} .. {high:+.3f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data/chats"))
    data = parser.parse_args().data
    started = time.process_time()
    lexicon = default_lexicon()
    protocol = build_protocol(data)
    side, pj = [*protocol.train, *protocol.validation], protocol.offender_train
    model, stacked_counts = _vectorised(side, lexicon, WINDOW_SIZE)
    features = _main_features(model, stacked_counts)
    setup = Setup(lexicon, model, stacked_counts, features, pj,
                  _window_features(model, pj, lexicon), folds_of(side), truth_of(side),
                  np.array([w.role is WindowRole.DECOY for w in side]),
                  len(BASE_FEATURES) + len(lexicon.categories),
                  np.array([w.group for w in side]))
    print(f"{len(side)} scored windows, {len(pj)} stage-2 windows; "
          f"{time.process_time() - started:.0f} s CPU so far", flush=True)
    clock = time.process_time()
    first, firsts = oof_first(features, side, features, setup.fold)
    setup.second, setup.seconds = oof_second(setup.pj_x, pj, features, setup.fold,
                                             nb_stage_fit(16.0))
    report("shipped (stride 10, NB-LR C=16)", log_sigmoid(first) + log_sigmoid(setup.second),
           setup, time.process_time() - clock)
    stack_variants(setup, first, firsts)
    stage_variants(data, setup, first)
    print(f"total {time.process_time() - started:.0f} s CPU")


def nb_stage_fit(c: float) -> Stage2:
    return lambda x, y: nb_stage(x, y, c)


if __name__ == "__main__":
    main()
