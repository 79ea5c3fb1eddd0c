"""Synthetic messages, media observations and panic reports in bulk, for scale tests and benchmarks.

Benign by construction: accounts are ``vidchat:user<n>``, hashes are random hex, chat text is a
few neutral sentences, and one message in ``indicator_every`` carries a neutral indicator phrase
(asking for an age), so the lexicon detector has something to find at any size. Deterministic
for a seed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vigil.records import ChatMessage, MediaObservation, PanicReport, Record, RecordKind

START = datetime(2026, 1, 1, tzinfo=UTC)
_SMALL_TALK = ("hello there", "how was your day", "see you tomorrow", "thanks, that helps",
               "the weather is nice today", "talk later")
_INDICATOR = "how old are you"


def _message(i: int, rng: random.Random, conversations: int, indicator_every: int) -> ChatMessage:
    conversation = i % conversations
    sender, recipient = 2 * conversation, 2 * conversation + 1
    if rng.random() < 0.5:
        sender, recipient = recipient, sender
    text = _INDICATOR if i % indicator_every == 0 else rng.choice(_SMALL_TALK)
    return ChatMessage(conversation_id=f"vidchat:c{conversation}", message_id=f"m{i}",
                       sender=f"vidchat:user{sender}", recipient=f"vidchat:user{recipient}",
                       sent_at=START + timedelta(seconds=i), text=text)


def _observation(i: int, rng: random.Random) -> MediaObservation:
    return MediaObservation(observation_id=f"o{i}", account=f"vidchat:user{rng.randrange(5000)}",
                            observed_at=START + timedelta(seconds=i),
                            pdq=f"{rng.getrandbits(256):064x}", quality=rng.randrange(50, 101))


def _report(i: int, rng: random.Random) -> PanicReport:
    return PanicReport(report_id=f"r{i}", reporter=f"vidchat:user{rng.randrange(5000)}",
                       reported=f"vidchat:user{rng.randrange(5000)}", session_id=f"s{i}",
                       reported_at=START + timedelta(seconds=i), reason="asked my age",
                       frame_pdqs=(f"{rng.getrandbits(256):064x}",))


def synthetic_records(kind: RecordKind, rows: int, seed: int = 0, conversations: int = 1000,
                      indicator_every: int = 50) -> Iterator[Record]:
    """``rows`` records of ``kind`` (messages, media or reports), the same for the same seed."""
    rng = random.Random(seed)
    for i in range(rows):
        if kind is RecordKind.MESSAGE:
            yield _message(i, rng, conversations, indicator_every)
        elif kind is RecordKind.MEDIA:
            yield _observation(i, rng)
        elif kind is RecordKind.REPORT:
            yield _report(i, rng)
        else:
            raise ValueError(f"synthetic_records makes messages, media and reports, not {kind}")


def write_jsonl(path: Path, kind: RecordKind, rows: int, seed: int = 0) -> Path:
    """The records of :func:`synthetic_records` as a JSON Lines file ``vigil import`` reads."""
    with path.open("w", encoding="utf-8") as handle:
        for record in synthetic_records(kind, rows, seed):
            handle.write(json.dumps(record.model_dump(mode="json")) + "\n")
    return path


__all__ = ["synthetic_records", "write_jsonl"]
