"""The author-window evaluation protocol: labelled chats cut into windows a model cannot cheat on.

Why windows: in the PJ-vs-benign benchmark the label can be read from things that are not text -
source fields, id prefixes, whether ``time`` is null, the number of authors, the length and the
turn structure (the benchmark's own SOURCE notes). The unit of evaluation is therefore an *author
window*: ``k`` consecutive messages of one author (k = 10), given an opaque id and no times;
authors with fewer than ``k`` messages are left out. Positives are offender windows; negatives are
the decoys' windows (adults posing as children: the hard negatives) and the benign authors'
windows. Fixed-size windows judge a PJ log by a slice, not the whole relationship, as the eSPD work
(Vogt, Leser & Akbik, ACL 2021) judges early detection by message prefixes.

Why the split is by offender: one PJ conversation is one offender (and the decoys who talked to
them), so every window of that conversation goes to one side; benign windows are grouped by author
(an IRC nick recurs across threads). A group goes to the test side when the SHA-256 of
``"<seed>:<group>"`` falls in the first ``test_share`` of the hash space; the same seed always
gives the same split, and no offender's text is on both sides.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

WINDOW_SIZE = 10
"""k: messages per author window (the protocol's default)."""
SPLIT_SEED = 1729
"""Seed of the train/test and train/validation splits (vigil's choice, documented in docs)."""
TEST_SHARE = 0.3
CONTEXT_MESSAGES = 40
"""Earlier messages of the same author kept with each window: room for up to four context
windows of ten (the model's ``context`` depth is chosen out of fold, docs/benchmarks.md)."""
VALIDATION_SHARE = 0.2
"""Share of the *train* groups held back for tuning thresholds; test figures are reported once."""


class WindowRole(StrEnum):
    OFFENDER = "offender"
    DECOY = "decoy"
    BENIGN = "benign"


@dataclass(frozen=True)
class AuthorWindow:
    """``k`` consecutive texts of one author; the opaque id carries nothing about the label."""

    window_id: str
    texts: tuple[str, ...]
    role: WindowRole
    group: str
    """Split key: harness-only, never shown to a detector."""
    context: tuple[str, ...] = ()
    """The same author's messages just before the window (at most ``CONTEXT_MESSAGES``), for
    the model's author context (``context`` module); empty at the start of a stream."""

    @property
    def positive(self) -> bool:
        return self.role is WindowRole.OFFENDER


@dataclass(frozen=True)
class LabelledConversation:
    conversation_id: str
    authors: tuple[str, ...]
    texts: tuple[str, ...]
    offenders: frozenset[str]


def labelled_files(data_dir: Path) -> list[Path]:
    """The ``.jsonl`` and ``.jsonl.gz`` files directly in ``data_dir``, sorted."""
    if not data_dir.is_dir():
        raise ValueError(f"{data_dir}: not a directory")
    files = sorted(p for p in data_dir.iterdir()
                   if p.name.endswith((".jsonl", ".jsonl.gz")) and p.is_file())
    if not files:
        raise ValueError(f"{data_dir}: no .jsonl or .jsonl.gz files")
    return files


def read_labelled(path: Path) -> Iterator[LabelledConversation]:
    """Conversations of a labelled file (one JSON object per line, ``messages`` and
    ``predator_authors``); a bad line raises ``ValueError`` naming the file and line."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                messages = row["messages"]
                yield LabelledConversation(
                    conversation_id=str(row["conversation_id"]),
                    authors=tuple(str(m["author"]).strip() for m in messages),
                    texts=tuple(str(m["text"]) for m in messages),
                    offenders=frozenset(str(a).strip() for a in row["predator_authors"]))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not a labelled conversation ({exc!r})") from exc


def author_windows(conversation: LabelledConversation, size: int = WINDOW_SIZE,
                   per_author: int | None = None, seed: int = SPLIT_SEED,
                   stride: int | None = None) -> list[AuthorWindow]:
    """Windows of ``size`` consecutive messages of each author, one every ``stride`` messages
    (default ``size``: non-overlapping, the protocol's unit; a shorter stride gives overlapping
    windows, only ever used to augment training data).

    ``per_author`` caps the windows kept per author (a seeded draw), so a 27,000-message log
    does not outweigh everything else; ``None`` keeps them all.
    """
    by_author: dict[str, list[str]] = {}
    for author, text in zip(conversation.authors, conversation.texts, strict=True):
        by_author.setdefault(author, []).append(text)
    windows: list[AuthorWindow] = []
    for author in sorted(by_author):
        texts = by_author[author]
        starts = list(range(0, len(texts) - size + 1, stride or size))
        if per_author is not None and len(starts) > per_author:
            starts = sorted(random.Random(f"{seed}:{conversation.conversation_id}:{author}")
                            .sample(starts, per_author))
        role = _role(conversation, author)
        group = (conversation.conversation_id if conversation.offenders else author)
        for start in starts:
            key = f"{conversation.conversation_id}\x00{author}\x00{start}"
            windows.append(AuthorWindow(
                window_id="w" + hashlib.sha256(key.encode()).hexdigest()[:16],
                texts=tuple(texts[start:start + size]), role=role, group=group,
                context=tuple(texts[max(0, start - CONTEXT_MESSAGES):start])))
    return windows


def _role(conversation: LabelledConversation, author: str) -> WindowRole:
    if author in conversation.offenders:
        return WindowRole.OFFENDER
    return WindowRole.DECOY if conversation.offenders else WindowRole.BENIGN


def in_share(group: str, share: float, seed: int, salt: str) -> bool:
    """Whether ``group`` falls in the first ``share`` of the seeded hash space."""
    digest = hashlib.sha256(f"{seed}:{salt}:{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def fold_of(group: str, folds: int, seed: int) -> int:
    """The cross-fitting fold (``0 .. folds-1``) of ``group``: a seeded hash, like ``in_share``."""
    digest = hashlib.sha256(f"{seed}:fold:{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % folds


@dataclass(frozen=True)
class Split:
    train: tuple[AuthorWindow, ...]
    validation: tuple[AuthorWindow, ...]
    test: tuple[AuthorWindow, ...]


def split_windows(windows: Sequence[AuthorWindow], seed: int = SPLIT_SEED) -> Split:
    """Test groups first (``TEST_SHARE``), then validation groups out of the rest."""
    train: list[AuthorWindow] = []
    validation: list[AuthorWindow] = []
    test: list[AuthorWindow] = []
    for window in windows:
        if in_share(window.group, TEST_SHARE, seed, "test"):
            test.append(window)
        elif in_share(window.group, VALIDATION_SHARE, seed, "validation"):
            validation.append(window)
        else:
            train.append(window)
    return Split(tuple(train), tuple(validation), tuple(test))


def load_windows(data_dir: Path, per_author: int | None, size: int = WINDOW_SIZE,
                 seed: int = SPLIT_SEED) -> list[AuthorWindow]:
    """Every author window of every labelled file in ``data_dir``."""
    windows: list[AuthorWindow] = []
    for path in labelled_files(data_dir):
        for conversation in read_labelled(path):
            windows.extend(author_windows(conversation, size, per_author, seed))
    return windows
