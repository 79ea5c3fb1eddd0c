"""The two-step chat model: stage 1 (suspicious chat against benign), stage 2 (offender against
decoy, NB-LR), the threshold held to a decoy-FPR cap on validation, and stage 2's own windows."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from vigil.conversations.evaluate import Protocol
from vigil.conversations.model import (
    ChatModel,
    LinearStage,
    best_threshold,
    load_model,
    log_sigmoid,
)
from vigil.conversations.training import nb_stage
from vigil.conversations.windows import SPLIT_SEED, VALIDATION_SHARE, WindowRole, in_share


def test_the_raw_score_is_the_sum_of_both_stages_log_probabilities(
        chat_model: ChatModel) -> None:
    assert chat_model.offender is not None
    features = sp.csr_matrix(np.eye(3, len(chat_model.suspicious.coef), dtype=np.float32))
    first = chat_model.suspicious.decision(features)
    second = chat_model.offender.decision(features)
    expected = np.log(1 / (1 + np.exp(-first))) + np.log(1 / (1 + np.exp(-second)))
    assert np.allclose(chat_model.combined(features), expected)
    assert np.all(chat_model.combined(features) <= 0.0)


def test_the_phrase_weights_are_the_gradient_of_the_combined_score(
        chat_model: ChatModel) -> None:
    n = len(chat_model.suspicious.coef)
    row = sp.csr_matrix(([0.3, 0.2], ([0, 0], [1, 5])), shape=(1, n))
    step = 1e-4
    bumped = sp.csr_matrix(([0.3 + step, 0.2], ([0, 0], [1, 5])), shape=(1, n))
    numeric = (chat_model.combined(bumped) - chat_model.combined(row))[0] / step
    assert chat_model.weights(row)[1] == pytest.approx(numeric, rel=1e-3, abs=1e-6)


def test_nb_stage_folds_the_ratio_into_its_coefficients() -> None:
    rng = np.random.default_rng(3)
    x = sp.csr_matrix(rng.random((60, 8)) * (rng.random((60, 8)) < 0.4))
    truth = np.asarray(x[:, 0].toarray().ravel() > 0, dtype=bool)
    stage = nb_stage(x, truth, 4.0)
    present = (x.toarray() > 0).astype(float)
    pos, neg = present[truth].sum(0) + 1, present[~truth].sum(0) + 1
    ratio = np.log((pos / pos.sum()) / (neg / neg.sum()))
    direct = LogisticRegression(C=4.0, max_iter=3000).fit(x.multiply(ratio).tocsr(), truth)
    assert np.allclose(stage.decision(x), direct.decision_function(x.multiply(ratio).tocsr()))


def test_the_threshold_keeps_the_decoys_under_the_cap() -> None:
    scores = np.array([0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4] + [0.82] * 2 + [0.1] * 98)
    truth = np.array([True] * 8 + [False] * 100)
    decoy = np.array([False] * 8 + [True] * 100)
    free = best_threshold(scores, truth)
    capped = best_threshold(scores, truth, decoy, max_decoy_fpr=0.01)
    assert free <= 0.82 and capped > 0.82
    assert (scores[decoy] >= capped).mean() <= 0.01


def test_the_threshold_when_no_cut_keeps_the_cap_flags_the_fewest_decoys() -> None:
    scores = np.array([0.5, 0.99995, 0.5])
    truth = np.array([True, False, False])
    decoy = np.array([False, True, True])
    assert best_threshold(scores, truth, decoy, max_decoy_fpr=0.0) > 0.5


def test_stage_two_windows_are_offenders_and_decoys_of_the_train_part(
        protocol: Protocol) -> None:
    assert protocol.offender_train
    roles = {w.role for w in protocol.offender_train}
    assert roles == {WindowRole.OFFENDER, WindowRole.DECOY}
    groups = {w.group for w in protocol.offender_train}
    assert groups <= protocol.train_groups
    assert any(in_share(g, VALIDATION_SHARE, SPLIT_SEED, "validation") for g in groups)
    assert not groups & {w.group for w in protocol.test}
    side_pj = {w.window_id for w in (*protocol.train, *protocol.validation)
               if w.role is not WindowRole.BENIGN}
    assert side_pj <= {w.window_id for w in protocol.offender_train}


def test_a_linear_stage_is_a_dot_product() -> None:
    stage = LinearStage(np.array([1.0, -2.0]), 0.5)
    assert np.allclose(stage.decision(sp.csr_matrix([[1.0, 1.0], [0.0, 0.0]])), [-0.5, 0.5])
    assert np.allclose(log_sigmoid(np.array([0.0])), [np.log(0.5)])


def test_a_model_file_from_before_the_two_stages_is_refused(
        chat_model: ChatModel, tmp_path: Path) -> None:
    old = dataclasses.replace(chat_model, format=1)
    path = tmp_path / "old.pkl"
    old.save(path)
    with pytest.raises(ValueError, match="format 3"):
        load_model(path)
