"""Author context: stage 2's decision averaged over the same author's preceding full windows,
never reaching before the author's first message, and the same in window and stream scoring."""

import dataclasses

import numpy as np
import pytest

from tests.conversations.synthetic_chats import DECOY, OFFENDER
from vigil.conversations.context import context_windows, pooling
from vigil.conversations.lexicon import default_lexicon
from vigil.conversations.model import ChatModel
from vigil.conversations.training import CONTEXT_WINDOWS
from vigil.conversations.windows import CONTEXT_MESSAGES


def test_a_stream_finds_its_context_among_its_own_windows() -> None:
    ends = np.arange(1, 36, dtype=np.int64)
    starts = np.maximum(ends - 10, 0)
    all_s, all_e, columns = context_windows(starts, ends, np.zeros_like(ends), 10, 2)
    assert len(all_s) == len(starts)
    last = len(ends) - 1
    assert (all_s[columns[0][last]], all_e[columns[0][last]]) == (15, 25)
    assert (all_s[columns[1][last]], all_e[columns[1][last]]) == (5, 15)
    assert columns[1][24] == -1 and columns[0][24] == 14 and columns[0][18] == -1
    pool = pooling(columns, len(ends), len(all_s), 2)
    assert np.allclose(pool.sum(axis=1), 1.0)
    assert pool[last].nnz == 3 and pool[0].nnz == 1


def test_context_stops_at_the_floor_and_adds_missing_windows() -> None:
    starts, ends = np.array([30, 12], dtype=np.int64), np.array([40, 22], dtype=np.int64)
    floors = np.array([15, 0], dtype=np.int64)
    all_s, all_e, columns = context_windows(starts, ends, floors, 10, 3)
    first = [(int(all_s[c[0]]), int(all_e[c[0]])) for c in columns if c[0] >= 0]
    assert first == [(20, 30)]
    assert columns[0][1] == 2 and columns[1][0] == -1 and columns[1][1] == -1
    assert (all_s[columns[0][1]], all_e[columns[0][1]]) == (2, 12)


def test_window_and_stream_scores_agree_with_context(chat_model: ChatModel) -> None:
    model = dataclasses.replace(chat_model, context=2)
    plain = dataclasses.replace(chat_model, context=0)
    lexicon = default_lexicon()
    texts = (DECOY * 2)[:25] + OFFENDER[:10]
    stream = model.stream_scores(model.message_counts(texts, lexicon))
    window = model.score_windows([texts[25:35]], lexicon, [texts[:25]])[0]
    alone = plain.score_windows([texts[25:35]], lexicon, [texts[:25]])[0]
    assert stream[-1] == pytest.approx(window)
    assert window < alone
    assert alone == pytest.approx(plain.score_windows([texts[25:35]], lexicon)[0])


def test_context_changes_only_stage_two(chat_model: ChatModel) -> None:
    model = dataclasses.replace(chat_model, context=1)
    plain = dataclasses.replace(chat_model, context=0)
    lexicon = default_lexicon()
    counts = model.message_counts(OFFENDER[:10] + DECOY[:10], lexicon)
    starts, ends = np.array([10], dtype=np.int64), np.array([20], dtype=np.int64)
    features, pool = model.context_features(counts, starts, ends, np.zeros(1, dtype=np.int64))
    assert pool is not None and features.shape[0] == 2
    own = plain.combined(features[:1])
    assert model.combined(features, pool)[0] != pytest.approx(own[0])


def test_the_shipped_model_reads_author_context(chat_model: ChatModel) -> None:
    assert chat_model.context == CONTEXT_WINDOWS > 0
    assert CONTEXT_WINDOWS * chat_model.window <= CONTEXT_MESSAGES


def test_the_window_alone_model_ignores_context_and_has_its_own_threshold(
        chat_model: ChatModel) -> None:
    alone = chat_model.window_alone()
    lexicon = default_lexicon()
    window, before = OFFENDER[:10], (DECOY * 3)[:40]
    assert alone.context == 0 and chat_model.context > 0
    assert (alone.calibration, alone.threshold) == chat_model.alone
    assert alone.score_windows([window], lexicon, [before])[0] == pytest.approx(
        alone.score_windows([window], lexicon)[0])
