"""ConversationModelDetector: author and conversation signals with labels, or nothing without a
model (the lexicon detector then scores alone)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from tests.conversations.synthetic_chats import BENIGN, DECOY, OFFENDER
from vigil.conversations.lexicon import default_lexicon
from vigil.conversations.model import ChatModel
from vigil.detectors.chat_model import NO_MODEL, ConversationModelDetector
from vigil.model import SignalKind
from vigil.plugin import DetectionContext
from vigil.records import ChatMessage
from vigil.settings import Settings
from vigil.store.memory import MemoryStore

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _messages() -> list[ChatMessage]:
    rows = []
    for i in range(24):
        sender, text = (("ann", OFFENDER[i % len(OFFENDER)]) if i % 2 == 0
                        else ("ben", DECOY[i % len(DECOY)]))
        rows.append(("app:c-1", f"app:{sender}", "app:ben" if sender == "ann" else "app:ann", text))
    rows += [("app:c-2", "app:cat", "app:dan", BENIGN[i % len(BENIGN)]) for i in range(12)]
    return [ChatMessage(conversation_id=c, message_id=f"m{i}", sender=s, recipient=r,
                        sent_at=T0 + timedelta(minutes=i), text=t)
            for i, (c, s, r, t) in enumerate(rows)]


def test_without_a_model_it_emits_nothing_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    detector = ConversationModelDetector.from_settings(Settings())
    with caplog.at_level(logging.INFO):
        signals = list(detector.detect(_messages(), DetectionContext(banks=MemoryStore())))
    assert signals == [] and NO_MODEL in caplog.text
    assert "without a model" in detector.description


def test_with_a_model_it_names_the_offender_with_labels_and_evidence(
        chat_model: ChatModel) -> None:
    detector = ConversationModelDetector(chat_model)
    signals = list(detector.detect(_messages(), DetectionContext(banks=MemoryStore())))
    levels = [(s.evidence["level"], sorted(str(r) for r in s.subjects)) for s in signals]
    assert levels == [("conversation", ["account:app:ann", "conversation:app:c-1"]),
                      ("author", ["account:app:ann", "conversation:app:c-1"])]
    conversation, author = signals
    assert conversation.kind is SignalKind.CONVERSATION
    assert "grooming" in conversation.evidence["labels"]  # type: ignore[operator]
    assert author.evidence["flagged_after"] is not None
    assert author.evidence["message_ids"] and author.evidence["phrases"]
    terms = {p.term for c in default_lexicon().categories.values() for p in c.patterns}
    texts = {t for t in set(OFFENDER) | set(DECOY) if len(t) > 5} - terms
    assert not any(text in str(s.evidence) or text in s.explanation for s in signals
                   for text in texts), "signals must not copy chat text"
