"""Chat model ablations, round 7 (docs/benchmarks.md, "Conversations"): contextual sentence
embeddings (all-MiniLM-L6-v2, int8 ONNX: ``_minilm.py``) added to the window-alone classifier,
measured out of fold on the train side only (train and validation groups; the test side is not
read), by round 6's procedure and table (``ablate_chats_round6.report``).

A window's embedding is the L2-normalised mean of its ten messages' vectors ("message mean"), or
the vector of its ten messages embedded as one text ("window text"). The embedding enters:

- stage 2 (offender against decoy): a logistic regression on the standardised embedding fitted
  on the stage-2 windows of the other folds (on the scored offender and decoy windows where the
  cache lacks some stage-2 window's embedding), alone, added to the sparse NB-LR decision with a
  fixed weight, or combined with it by a logistic regression fitted on the other folds'
  out-of-fold stage-2 decisions (stacked; one level of nesting, as round 6's stack); or
  concatenated to the NB-scaled sparse rows in one NB-LR-style fit (``--concat``, only where
  the cache holds every stage-2 window's embedding);
- stage 1 (PJ-like against benign): the same, role-weighted like the shipped stage 1.

Steps (each under ten minutes on the shared machine): ``_embed_cache.py`` fills the embedding
cache; ``--prepare`` vectorises as round 6 does and stores the feature rows and the shipped
stages' out-of-fold decisions in the cache; the default run reads them and prints the table;
``--cascade`` measures the uncertain band a cascade would embed (docs/benchmarks.md).

Run: ``python benchmarks/ablate_chats_round7.py --data ../shared/data/chats [--prepare|--concat]``
with the MiniLM packages on ``PYTHONPATH`` (docs/benchmarks.md, "Round 7").
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from _chats_oof import nested_flags
from _embed_cache import CACHE, Store, joined, message_means, train_side
from ablate_chats_round6 import Setup, Stage2, folds_of, oof_first, oof_second, report
from sklearn.linear_model import LogisticRegression

from vigil.conversations.features import BASE_FEATURES
from vigil.conversations.lexicon import default_lexicon
from vigil.conversations.model import LinearStage, log_sigmoid
from vigil.conversations.training import (
    CROSS_FIT_FOLDS,
    _main_features,
    _vectorised,
    _window_features,
    nb_stage,
    role_weights,
    truth_of,
)
from vigil.conversations.windows import WINDOW_SIZE, AuthorWindow, WindowRole

EMBEDDING_C = 1.0
"""C of the embedding logistic regressions (standardised 384-d rows; not tuned)."""


def prepare(data: Path, cache: Path) -> None:
    """Round 6's set-up and shipped out-of-fold decisions, stored for the variant runs."""
    lexicon = default_lexicon()
    side, pj = train_side(data)
    model, stacked_counts = _vectorised(side, lexicon, WINDOW_SIZE)
    features, pj_x = _main_features(model, stacked_counts), _window_features(model, pj, lexicon)
    fold = folds_of(side)
    first, _ = oof_first(features, side, features, fold)
    second, seconds = oof_second(pj_x, pj, features, fold, lambda x, y: nb_stage(x, y, 16.0))
    pj_second = np.zeros(len(pj))
    for f, stage in enumerate(seconds):
        held = folds_of(pj) == f
        pj_second[held] = stage.decision(sp.csr_matrix(pj_x[held]))
    sp.save_npz(cache / "features.npz", features, compressed=False)
    sp.save_npz(cache / "pj_x.npz", pj_x, compressed=False)
    np.savez(cache / "shipped.npz", first=first, second=second, pj_second=pj_second)


def embedding_oof(rows: np.ndarray, truth: np.ndarray, row_fold: np.ndarray, scored: np.ndarray,
                  fold: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray,
                                                                                 np.ndarray]:
    """Out-of-fold decisions of a logistic regression on standardised embeddings: for the
    scored windows and for the training rows themselves (each by the fit without its fold)."""
    out, own = np.zeros(len(scored)), np.zeros(len(rows))
    for f in range(CROSS_FIT_FOLDS):
        keep = row_fold != f
        mean, scale = rows[keep].mean(axis=0), rows[keep].std(axis=0) + 1e-6
        lr = LogisticRegression(C=EMBEDDING_C, max_iter=3000).fit(
            (rows[keep] - mean) / scale, truth[keep],
            sample_weight=None if weights is None else weights[keep])
        out[fold == f] = lr.decision_function((scored[fold == f] - mean) / scale)
        own[~keep] = lr.decision_function((rows[~keep] - mean) / scale)
    return out, own


def combined(parts: Sequence[np.ndarray], own: Sequence[np.ndarray], truth: np.ndarray,
             row_fold: np.ndarray, fold: np.ndarray) -> np.ndarray:
    """Each fold's decisions ``parts`` combined by a logistic regression fitted on the other
    folds' training rows' out-of-fold decisions ``own`` (stacked, one level of nesting)."""
    table, train = np.column_stack(parts), np.column_stack(own)
    out = np.zeros(len(fold))
    for f in range(CROSS_FIT_FOLDS):
        keep = row_fold != f
        lr = LogisticRegression(C=1.0, max_iter=3000).fit(train[keep], truth[keep])
        out[fold == f] = lr.decision_function(table[fold == f])
    return out


def concatenated_nb(n_dense: int, c: float = 16.0) -> Stage2:
    """NB-LR (``training.nb_stage``) on rows whose last ``n_dense`` columns are a dense
    embedding block: the naive-Bayes ratio scales the sparse columns only (a presence count
    means nothing for a dense block), the embedding columns enter as they are."""
    def fit(x: sp.csr_matrix, y: np.ndarray) -> LinearStage:
        present = sp.csr_matrix(x, copy=True)
        present.data[:] = 1.0
        pos = np.asarray(present[y].sum(axis=0)).ravel() + 1.0
        neg = np.asarray(present[~y].sum(axis=0)).ravel() + 1.0
        ratio = np.log((pos / pos.sum()) / (neg / neg.sum()))
        ratio[-n_dense:] = 1.0
        lr = LogisticRegression(C=c, max_iter=3000).fit(sp.csr_matrix(x.multiply(ratio)), y)
        return LinearStage(lr.coef_[0] * ratio, float(lr.intercept_[0]))
    return fit


def concat_variants(setup: Setup, first: np.ndarray, second: np.ndarray,
                    side: list[AuthorWindow], cache: Path, kinds: Sequence[str]) -> None:
    """The embedding (unit norm, times ``alpha``) as extra columns of stage 2's or stage 1's
    rows, the stage refitted out of fold."""
    for kind in kinds:
        scored = vectors(side, cache, kind)
        try:
            emb = vectors(setup.pj, cache, kind)
        except KeyError:
            print(f"the cache lacks the {kind} of some stage-2 windows: stage 1 only")
            emb = np.zeros((0, 0))
        for alpha in (1.0, 3.0) if len(emb) else ():
            clock = time.process_time()
            rows = sp.csr_matrix(sp.hstack([setup.pj_x, sp.csr_matrix(alpha * emb)]))
            both = sp.csr_matrix(sp.hstack([setup.features, sp.csr_matrix(alpha * scored)]))
            e2, _ = oof_second(rows, setup.pj, both, setup.fold, concatenated_nb(emb.shape[1]))
            report(f"stage 2 = NB-LR on sparse rows + {alpha} x {kind} columns",
                   log_sigmoid(first) + log_sigmoid(e2), setup, time.process_time() - clock)
        clock = time.process_time()
        both = sp.csr_matrix(sp.hstack([setup.features, sp.csr_matrix(scored)]))
        e1, _ = oof_first(both, side, both, setup.fold)
        report(f"stage 1 = LR on sparse rows + {kind} columns, stage 2 shipped",
               log_sigmoid(e1) + log_sigmoid(second), setup, time.process_time() - clock)


def vectors(windows: Sequence[AuthorWindow], cache: Path, kind: str) -> np.ndarray:
    """The windows' embeddings of ``kind``: "message mean", "window text" or "both" (the two
    side by side, 768 columns)."""
    if kind == "both":
        return np.hstack([vectors(windows, cache, k) for k in ("message mean", "window text")])
    if kind == "message mean":
        return message_means(windows, Store(cache, "messages"))
    return Store(cache, "windows").lookup([joined(w) for w in windows])


def setup_of(side: list[AuthorWindow], pj: list[AuthorWindow], cache: Path) -> Setup:
    lexicon = default_lexicon()
    setup = Setup(lexicon, None, None, sp.load_npz(cache / "features.npz").tocsr(),  # type: ignore[arg-type]
                  pj, sp.load_npz(cache / "pj_x.npz").tocsr(), folds_of(side), truth_of(side),
                  np.array([w.role is WindowRole.DECOY for w in side]),
                  len(BASE_FEATURES) + len(lexicon.categories), np.array([w.group for w in side]))
    return setup


def stage2_rows(side: list[AuthorWindow], pj: list[AuthorWindow], cache: Path, kind: str,
                second: np.ndarray, pj_second: np.ndarray) -> tuple[np.ndarray, ...]:
    """Embeddings of the stage-2 training rows, their labels, folds and out-of-fold sparse
    stage-2 decisions: all stage-2 windows where the cache holds them, else the scored offender
    and decoy windows (up to 20 per author instead of 60)."""
    try:
        rows, own = pj, pj_second
        emb = vectors(pj, cache, kind)
    except KeyError:
        chosen = np.array([w.role is not WindowRole.BENIGN for w in side])
        rows, own = [w for w, c in zip(side, chosen, strict=True) if c], second[chosen]
        emb = vectors(rows, cache, kind)
    print(f"stage-2 embedding rows ({kind}): {len(rows)}", flush=True)
    return emb, truth_of(rows), folds_of(rows), own


def stage2_variants(setup: Setup, first: np.ndarray, second: np.ndarray, pj_second: np.ndarray,
                    side: list[AuthorWindow], cache: Path, kinds: Sequence[str]) -> None:
    for kind in kinds:
        scored = vectors(side, cache, kind)
        emb, truth, row_fold, sparse_own = stage2_rows(side, setup.pj, cache, kind, second,
                                                       pj_second)
        clock = time.process_time()
        e2, own = embedding_oof(emb, truth, row_fold, scored, setup.fold)
        spent = time.process_time() - clock
        report(f"stage 2 = LR on the {kind} alone", log_sigmoid(first) + log_sigmoid(e2),
               setup, spent)
        half = np.random.default_rng(0).random(len(truth)) < 0.5
        e2_half, _ = embedding_oof(emb[half], truth[half], row_fold[half], scored, setup.fold)
        report(f"stage 2 = LR on the {kind} alone, fitted on a random half of its rows "
               "(learning curve)", log_sigmoid(first) + log_sigmoid(e2_half), setup, 0.0)
        for weight in (0.5, 1.0):
            report(f"stage 2 = NB-LR + {weight} x LR on the {kind}",
                   log_sigmoid(first) + log_sigmoid(second + weight * e2), setup, 0.0)
        mixed = combined([second, e2], [sparse_own, own], truth, row_fold, setup.fold)
        report(f"stage 2 = NB-LR and LR on the {kind}, stacked",
               log_sigmoid(first) + log_sigmoid(mixed), setup, 0.0)


def stage1_variants(setup: Setup, first: np.ndarray, second: np.ndarray,
                    side: list[AuthorWindow], cache: Path, kinds: Sequence[str]) -> None:
    suspicious = np.array([w.role is not WindowRole.BENIGN for w in side])
    weights = role_weights(side)
    for kind in kinds:
        scored = vectors(side, cache, kind)
        clock = time.process_time()
        e1, _ = embedding_oof(scored, suspicious, setup.fold, scored, setup.fold, weights)
        spent = time.process_time() - clock
        for weight in (0.5, 1.0):
            report(f"stage 1 = LR + {weight} x LR on the {kind}, stage 2 shipped",
                   log_sigmoid(first + weight * e1) + log_sigmoid(second), setup, spent)


def cascade_band(setup: Setup, first: np.ndarray, second: np.ndarray, side: list[AuthorWindow],
                 cache: Path) -> None:
    """Where a cascade would have to embed: the range of the sparse raw score holding every
    window whose nested flag the stage-1 message-mean variant (weight 0.5) changes, the share of
    each role's windows in it, and the F0.5 of embedding only inside it (the band is read off
    the same scores, so the estimate is optimistic)."""
    suspicious = np.array([w.role is not WindowRole.BENIGN for w in side])
    scored = vectors(side, cache, "message mean")
    e1, _ = embedding_oof(scored, suspicious, setup.fold, scored, setup.fold, role_weights(side))
    base = log_sigmoid(first) + log_sigmoid(second)
    new = log_sigmoid(first + 0.5 * e1) + log_sigmoid(second)
    flags = [nested_flags(r, setup.truth, setup.decoy, setup.fold, 0.02) for r in (base, new)]
    changed = flags[0] != flags[1]
    band = (base >= base[changed].min()) & (base <= base[changed].max())
    print(f"cascade: {changed.sum()} of {len(base)} windows change their flag; sparse raw band "
          f"{base[changed].min():.2f} .. {base[changed].max():.2f} holds "
          f"{band[~suspicious].mean():.3f} of benign, {band[setup.decoy].mean():.3f} of decoy, "
          f"{band[setup.truth].mean():.3f} of offender windows")
    for name, raw in (("sparse", base), ("embedded", new), ("cascade", np.where(band, new, base))):
        flagged = nested_flags(raw, setup.truth, setup.decoy, setup.fold, 0.02)
        hits = int((flagged & setup.truth).sum())
        p, r = hits / int(flagged.sum()), hits / int(setup.truth.sum())
        print(f"    {name}: nested F0.5 at cap 2 % {1.25 * p * r / (0.25 * p + r):.4f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data/chats"))
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--concat", action="store_true")
    parser.add_argument("--cascade", action="store_true")
    parser.add_argument("--kinds", default="message mean,window text,both")
    args = parser.parse_args()
    started = time.process_time()
    if args.prepare:
        prepare(args.data, args.cache)
        print(f"prepared; {time.process_time() - started:.0f} s CPU", flush=True)
        return
    side, pj = train_side(args.data)
    setup = setup_of(side, pj, args.cache)
    shipped = np.load(args.cache / "shipped.npz")
    first, second = shipped["first"], shipped["second"]
    report("shipped (stride 10, NB-LR C=16)", log_sigmoid(first) + log_sigmoid(second), setup,
           0.0)
    kinds = [k for k in args.kinds.split(",") if k]
    if args.cascade:
        cascade_band(setup, first, second, side, args.cache)
        return
    if args.concat:
        concat_variants(setup, first, second, side, args.cache, kinds)
        print(f"total {time.process_time() - started:.0f} s CPU")
        return
    stage2_variants(setup, first, second, shipped["pj_second"], side, args.cache, kinds)
    stage1_variants(setup, first, second, side, args.cache, kinds)
    print(f"total {time.process_time() - started:.0f} s CPU")


if __name__ == "__main__":
    main()
