import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from tests.conversations.synthetic_chats import write_labelled
from vigil.conversations.metrics import (
    early_latency,
    f_beta,
    offender_ranked_first,
    running_peaks,
    window_figures,
)
from vigil.conversations.windows import (
    AuthorWindow,
    LabelledConversation,
    WindowRole,
    author_windows,
    load_windows,
    read_labelled,
    split_windows,
)


def _conversation() -> LabelledConversation:
    authors = ("p",) * 25 + ("d",) * 12 + ("x",) * 4
    return LabelledConversation("conv-1", authors, tuple(f"t{i}" for i in range(41)),
                                frozenset({"p"}))


def test_windows_are_consecutive_messages_of_one_author_with_opaque_ids() -> None:
    windows = author_windows(_conversation(), size=10)
    roles = [w.role for w in windows]
    assert roles == [WindowRole.DECOY, WindowRole.OFFENDER, WindowRole.OFFENDER]
    assert windows[1].texts == tuple(f"t{i}" for i in range(10))
    for window in windows:
        assert re.fullmatch(r"w[0-9a-f]{16}", window.window_id)
        assert len(window.texts) == 10


def test_a_shorter_stride_gives_overlapping_windows_of_the_same_group() -> None:
    windows = author_windows(_conversation(), size=10, stride=5)
    offender = [w for w in windows if w.role is WindowRole.OFFENDER]
    assert [w.texts[0] for w in offender] == ["t0", "t5", "t10", "t15"]
    assert len({w.window_id for w in windows}) == len(windows)
    assert {w.group for w in windows} == {"conv-1"}
    assert [w.texts for w in author_windows(_conversation(), size=10, stride=10)] == [
        w.texts for w in author_windows(_conversation(), size=10)]


def test_authors_with_fewer_than_k_messages_are_left_out() -> None:
    assert {w.texts[0] for w in author_windows(_conversation(), size=10)} == {"t0", "t10", "t25"}


def test_offender_and_decoys_share_one_split_group() -> None:
    windows = author_windows(_conversation(), size=5)
    assert {w.group for w in windows} == {"conv-1"}


def test_split_is_seeded_and_keeps_every_group_on_one_side(tmp_path: Path) -> None:
    folder = write_labelled(tmp_path / "data")
    first = split_windows(load_windows(folder, per_author=3))
    again = split_windows(load_windows(folder, per_author=3))
    assert first == again
    sides = [{w.group for w in side} for side in (first.train, first.validation, first.test)]
    assert not (sides[0] & sides[1]) and not (sides[0] & sides[2]) and not (sides[1] & sides[2])
    assert any(w.positive for w in first.test)


def test_a_bad_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"conversation_id": "a", "messages": [], "predator_authors": []}\n{oops\n')
    with pytest.raises(ValueError, match=r"bad\.jsonl:2"):
        list(read_labelled(path))


def _window(role: WindowRole) -> AuthorWindow:
    return AuthorWindow("w", ("a",), role, "g")


def test_figures_count_decoy_false_positives_on_their_own() -> None:
    windows = [_window(WindowRole.OFFENDER), _window(WindowRole.OFFENDER),
               _window(WindowRole.DECOY), _window(WindowRole.DECOY), _window(WindowRole.BENIGN)]
    scores = np.array([0.9, 0.2, 0.8, 0.1, 0.1])
    figures = window_figures("m", windows, scores, 0.5)
    assert (figures.precision, figures.recall) == (0.5, 0.5)
    assert figures.decoy_fpr == 0.5 and figures.benign_fpr == 0.0
    assert figures.f05 == pytest.approx(f_beta(0.5, 0.5, 0.5)) == pytest.approx(0.5)


def test_latency_counts_messages_until_the_first_flag_at_stream_precision() -> None:
    streams = [(("late", "late", "hit"), True), (("quiet",) * 4, False), (("noisy",) * 2, False)]
    by_text = {"late": 0.1, "hit": 0.95, "quiet": 0.0, "noisy": 0.5}

    def stream_scores(texts: Sequence[str]) -> np.ndarray:
        return np.array([by_text[t] for t in texts])

    running = running_peaks(streams, stream_scores)
    truth = np.array([positive for _, positive in streams])
    latency = early_latency(running, truth, precision=0.9)
    assert latency.threshold == 0.95
    assert latency.flagged == 1 and latency.median == 3.0 and latency.offenders == 1
    assert latency.false_alarms == 0 and latency.within[10] == 1.0
    everyone = early_latency(running, truth, precision=0.5)
    assert everyone.threshold == 0.5 and everyone.false_alarms == 1


def test_author_level_counts_conversations_where_the_offender_scores_highest() -> None:
    running = [np.array([0.2, 0.9]), np.array([0.5]), np.array([0.1, 0.3]), np.array([0.6]),
               np.array([0.4])]
    truth = np.array([True, False, True, False, False])
    conversations = ["a", "a", "b", "b", "c"]
    assert offender_ranked_first(running, truth, conversations) == (1, 2)
