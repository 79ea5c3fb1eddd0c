"""``vigil chats eval``: the author-window protocol, end to end, with the baseline beside.

Steps: read the labelled files, cut author windows, split by offender (seeded), fit the model on
the train side (train and validation groups, calibrated on out-of-fold scores; or load a built
model whose split matches), fit the TF-IDF baseline on the same train-side windows, then score
the test windows once with the model, the baseline and the lexicon. Figures: precision, recall,
F1, F0.5, PR-AUC, the decoy windows' FPR, early-detection latency, and a PR curve PNG.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from vigil.conversations.lexicon import Lexicon
from vigil.conversations.metrics import (
    STREAM_LIMIT,
    Latency,
    WindowFigures,
    early_latency,
    offender_ranked_first,
    running_peaks,
    window_figures,
)
from vigil.conversations.model import ChatModel
from vigil.conversations.scorers import BaselineScorer, LexiconScorer, ModelScorer, WindowScorer
from vigil.conversations.training import fit_baseline, fit_cross_fitted
from vigil.conversations.windows import (
    SPLIT_SEED,
    TEST_SHARE,
    VALIDATION_SHARE,
    WINDOW_SIZE,
    AuthorWindow,
    LabelledConversation,
    author_windows,
    in_share,
    labelled_files,
    read_labelled,
)

TRAIN_WINDOWS_PER_AUTHOR = 20
"""Training and validation windows kept per author (a seeded draw; tried 20 and 60)."""
OFFENDER_WINDOWS_PER_AUTHOR = 60
"""Windows per offender and decoy of the train part that stage 2 (offender against decoy) is
fitted on: more of each log than stage 1 needs (20, 60 and all tried on validation)."""
CONTEXT_SCORER = "model+author-context"
"""The model reading each window with the same author's preceding messages: reported beside the
headline, which scores every window on its own text (the protocol's unit)."""
TEST_WINDOWS_PER_AUTHOR = 5
"""Test windows per author, so long logs do not outweigh short ones in the figures."""


@dataclass
class Protocol:
    """The windows of each side of the split and the test offenders' message streams."""

    train: list[AuthorWindow] = field(default_factory=list)
    validation: list[AuthorWindow] = field(default_factory=list)
    offender_train: list[AuthorWindow] = field(default_factory=list)
    """Offender and decoy windows of the train side (train and validation groups) for stage 2
    (a superset of theirs in ``train`` and ``validation``, drawn with the same seed)."""
    test: list[AuthorWindow] = field(default_factory=list)
    streams: list[tuple[tuple[str, ...], bool]] = field(default_factory=list)
    """Each test-side author's first messages, and whether the author is an offender."""
    stream_conversations: list[str] = field(default_factory=list)
    """The conversation of each stream (harness-only: to ask which author is the offender)."""
    train_groups: set[str] = field(default_factory=set)

    def split_digest(self) -> str:
        """Fingerprint of the train-side groups: a built model must match it to be evaluated."""
        joined = "\n".join(sorted(self.train_groups)).encode()
        return hashlib.sha256(joined).hexdigest()[:16]


def build_protocol(data_dir: Path, size: int = WINDOW_SIZE, seed: int = SPLIT_SEED) -> Protocol:
    protocol = Protocol()
    for path in labelled_files(data_dir):
        for conversation in read_labelled(path):
            _add(protocol, conversation, size, seed)
    if not any(w.positive for w in protocol.test):
        raise ValueError(f"{data_dir}: no offender windows on the test side")
    return protocol


def _add(protocol: Protocol, conversation: LabelledConversation, size: int, seed: int) -> None:
    for window in author_windows(conversation, size, TRAIN_WINDOWS_PER_AUTHOR, seed):
        if in_share(window.group, TEST_SHARE, seed, "test"):
            continue
        protocol.train_groups.add(window.group)
        validation = in_share(window.group, VALIDATION_SHARE, seed, "validation")
        (protocol.validation if validation else protocol.train).append(window)
    if conversation.offenders:
        protocol.offender_train.extend(
            w for w in author_windows(conversation, size, OFFENDER_WINDOWS_PER_AUTHOR, seed)
            if not in_share(w.group, TEST_SHARE, seed, "test"))
    tested = author_windows(conversation, size, TEST_WINDOWS_PER_AUTHOR, seed)
    protocol.test.extend(w for w in tested if in_share(w.group, TEST_SHARE, seed, "test"))
    seen: set[str] = set()
    for author in conversation.authors:
        group = conversation.conversation_id if conversation.offenders else author
        if author in seen or not in_share(group, TEST_SHARE, seed, "test"):
            continue
        seen.add(author)
        stream = tuple(t for a, t in zip(conversation.authors, conversation.texts, strict=True)
                       if a == author)[:STREAM_LIMIT]
        if len(stream) >= size:
            protocol.streams.append((stream, author in conversation.offenders))
            protocol.stream_conversations.append(conversation.conversation_id)


def train_on(protocol: Protocol, lexicon: Lexicon, size: int = WINDOW_SIZE) -> ChatModel:
    """The model for this protocol's train side (train and validation groups, cross-fitted),
    stamped with the split it was fitted on."""
    model = fit_cross_fitted([*protocol.train, *protocol.validation], protocol.offender_train,
                             lexicon, size)
    model.split_digest = protocol.split_digest()
    return model


@dataclass(frozen=True)
class ScorerResult:
    figures: WindowFigures
    latency: Latency
    scores: np.ndarray
    ranked_first: tuple[int, int]
    """Conversations where the offender outscored every other author, of those judged."""


@dataclass(frozen=True)
class EvalReport:
    results: dict[str, ScorerResult]
    counts: dict[str, int]
    window: int
    seed: int


def evaluate(protocol: Protocol, scorers: Sequence[WindowScorer], size: int,
             seed: int) -> EvalReport:
    """Each scorer on the test windows, once."""
    texts = [w.texts for w in protocol.test]
    contexts = [w.context for w in protocol.test]
    results: dict[str, ScorerResult] = {}
    truth = np.array([positive for _, positive in protocol.streams], dtype=bool)
    for scorer in scorers:
        scores = scorer.score_windows(texts, contexts)
        running = running_peaks(protocol.streams, scorer.stream_scores)
        results[scorer.name] = ScorerResult(
            figures=window_figures(scorer.name, protocol.test, scores, scorer.threshold),
            latency=early_latency(running, truth), scores=scores,
            ranked_first=offender_ranked_first(running, truth, protocol.stream_conversations))
    counts: dict[str, int] = {}
    for window in protocol.test:
        counts[window.role.value] = counts.get(window.role.value, 0) + 1
    return EvalReport(results=results, counts=dict(sorted(counts.items())), window=size,
                      seed=seed)


def run_eval(data_dir: Path, lexicon: Lexicon, model: ChatModel | None = None,
             size: int = WINDOW_SIZE, seed: int = SPLIT_SEED) -> tuple[EvalReport, Protocol]:
    """The whole protocol; ``model`` is trained here when not given, and refused when it was
    fitted on another split (its test windows could be training windows)."""
    protocol = build_protocol(data_dir, size, seed)
    if model is None:
        model = train_on(protocol, lexicon, size)
    elif model.split_digest != protocol.split_digest():
        raise ValueError("the chat model was not built on this data's train split "
                         "(rebuild it with `make model-chats` or leave --model out)")
    baseline = fit_baseline([*protocol.train, *protocol.validation])
    counts: dict[tuple[str, ...], sp.csr_matrix] = {}
    scorers: list[WindowScorer] = [ModelScorer(model.window_alone(), lexicon, counts=counts),
                                   BaselineScorer(baseline, size), LexiconScorer(lexicon, size)]
    if model.context > 0:
        scorers.append(ModelScorer(model, lexicon, CONTEXT_SCORER, counts))
    return evaluate(protocol, scorers, size, seed), protocol


def plot_pr(report: EvalReport, protocol: Protocol, path: Path) -> Path:
    """Precision-recall curves of every scorer on the test windows, with operating points."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    truth = np.array([w.positive for w in protocol.test], dtype=bool)
    figure, axes = plt.subplots(figsize=(6, 5))
    for name, result in report.results.items():
        precision, recall, _ = precision_recall_curve(truth, result.scores)
        axes.plot(recall, precision, label=f"{name} (PR-AUC {result.figures.pr_auc:.3f})")
        axes.scatter([result.figures.recall], [result.figures.precision], marker="o")
    axes.set_xlabel("recall (offender windows)")
    axes.set_ylabel("precision")
    axes.set_title(f"Author windows, k={report.window} (not PAN 2012)")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.legend(loc="lower left")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(figure)
    return path
