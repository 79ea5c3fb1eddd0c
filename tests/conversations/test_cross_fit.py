"""Cross-fitting: the model's stages see every train-side group, its calibration and threshold
come from out-of-fold scores, and the folds keep each group whole."""

import dataclasses

import numpy as np
import scipy.sparse as sp

from vigil.conversations.evaluate import Protocol
from vigil.conversations.lexicon import default_lexicon
from vigil.conversations.model import ChatModel
from vigil.conversations.training import (
    CROSS_FIT_FOLDS,
    _window_features,
    fit_stages,
    out_of_fold,
)
from vigil.conversations.windows import SPLIT_SEED, WindowRole, fold_of


def test_folds_are_seeded_in_range_and_spread() -> None:
    groups = [f"group-{n}" for n in range(500)]
    folds = [fold_of(g, 5, SPLIT_SEED) for g in groups]
    assert folds == [fold_of(g, 5, SPLIT_SEED) for g in groups]
    assert set(folds) == set(range(5))
    assert min(np.bincount(folds)) > 60
    assert folds != [fold_of(g, 5, SPLIT_SEED + 1) for g in groups]


def test_the_model_is_fitted_on_train_and_validation_windows(chat_model: ChatModel,
                                                             protocol: Protocol) -> None:
    side = [*protocol.train, *protocol.validation]
    assert protocol.validation
    assert sum(chat_model.trained_on.values()) == len(side)
    assert chat_model.trained_on[WindowRole.OFFENDER.value] == sum(w.positive for w in side)


def test_each_window_is_scored_by_stages_fitted_without_its_fold(chat_model: ChatModel,
                                                                 protocol: Protocol) -> None:
    lexicon = default_lexicon()
    side = [*protocol.train, *protocol.validation]
    pj = protocol.offender_train
    work = dataclasses.replace(chat_model)
    features = _window_features(work, side, lexicon)
    pj_features = _window_features(work, pj, lexicon)
    raw = out_of_fold(work, features, side, pj_features, pj, CROSS_FIT_FOLDS, SPLIT_SEED)
    fold = fold_of(side[0].group, CROSS_FIT_FOLDS, SPLIT_SEED)
    held = np.array([fold_of(w.group, CROSS_FIT_FOLDS, SPLIT_SEED) == fold for w in side])
    rest = [i for i, w in enumerate(pj) if fold_of(w.group, CROSS_FIT_FOLDS, SPLIT_SEED) != fold]
    kept = [w for w, h in zip(side, held, strict=True) if not h]
    fit_stages(work, sp.csr_matrix(features[~held]), kept,
               sp.csr_matrix(pj_features[rest]), [pj[i] for i in rest])
    assert np.allclose(raw[held], work.combined(sp.csr_matrix(features[held])))
    assert not np.allclose(raw[held], chat_model.combined(sp.csr_matrix(features[held])))
