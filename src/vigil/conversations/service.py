"""The chat functions the CLI and other callers use: evaluate, build the model, scan files.

Why a facade: the CLI imports only vigil's public API; these four functions are that API for
conversations, and keep the CLI free of the modules behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vigil.conversations.analysis import ConversationResult, ConversationScorer
from vigil.conversations.evaluate import (
    EvalReport,
    Protocol,
    build_protocol,
    plot_pr,
    run_eval,
    train_on,
)
from vigil.conversations.ingest import ChatBatch, read_chat_files
from vigil.conversations.lexicon import Lexicon, load_lexicon
from vigil.conversations.model import ChatModel, load_model
from vigil.conversations.windows import SPLIT_SEED, WINDOW_SIZE
from vigil.settings import Settings


@dataclass(frozen=True)
class ChatEvalResult:
    report: EvalReport
    protocol: Protocol
    curve: Path
    trained_here: bool


def settings_lexicon(settings: Settings) -> Lexicon:
    return load_lexicon(settings.lexicon)


def settings_chat_model(settings: Settings) -> ChatModel | None:
    """The model named by ``VIGIL_CHAT_MODEL``, or None when unset; a set but unreadable path
    is an error (a silent fall-back to the lexicon would hide a broken deployment)."""
    if settings.chat_model is None:
        return None
    if not settings.chat_model.is_file():
        raise ValueError(f"VIGIL_CHAT_MODEL={settings.chat_model}: no such file "
                         "(build it with `make model-chats`)")
    return load_model(settings.chat_model)


def run_chat_eval(data_dir: Path, curve: Path, settings: Settings,
                  model_path: Path | None = None, window: int = WINDOW_SIZE,
                  seed: int = SPLIT_SEED) -> ChatEvalResult:
    """The author-window protocol on ``data_dir``; the model is trained in the run unless
    ``model_path`` names one built on the same split."""
    lexicon = settings_lexicon(settings)
    model = load_model(model_path) if model_path is not None else None
    report, protocol = run_eval(data_dir, lexicon, model, window, seed)
    return ChatEvalResult(report, protocol, plot_pr(report, protocol, curve), model is None)


def build_chat_model(data_dir: Path, out: Path, settings: Settings,
                     window: int = WINDOW_SIZE, seed: int = SPLIT_SEED) -> ChatModel:
    """Fit on the train side of ``data_dir``'s split (train and validation groups, calibrated
    out of fold) and save."""
    protocol = build_protocol(data_dir, window, seed)
    model = train_on(protocol, settings_lexicon(settings), window)
    model.save(out)
    return model


@dataclass(frozen=True)
class ChatScan:
    results: list[ConversationResult]
    batch: ChatBatch
    model_used: bool


def scan_chat_files(paths: list[Path], settings: Settings, reveal: bool = False) -> ChatScan:
    """Every conversation in ``paths`` scored per author; unreadable rows are quarantined."""
    batch = read_chat_files(paths)
    scorer = ConversationScorer(settings_lexicon(settings), settings_chat_model(settings))
    results = [scorer.assess(lines, reveal) for _, lines in sorted(batch.conversations().items())]
    return ChatScan(results, batch, scorer.model is not None)
