"""ConversationLexiconDetector: which chats signal, who is suspect or victim, what is kept."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest

from vigil.conversations.lexicon import Lexicon, default_lexicon
from vigil.detectors.conversations import ConversationLexiconDetector, assess_conversation
from vigil.model import EntityRef, Signal, SignalKind, canonical_json
from vigil.plugin import DetectionContext
from vigil.records import ChatMessage, RecordKind
from vigil.store.memory import MemoryStore

MANILA = timezone(timedelta(hours=8))
T0 = datetime(2026, 3, 1, 20, 0, tzinfo=MANILA)
ADDRESSES = {"bob": ("203.0.113.7", "dev-bob-01"), "alice": ("198.51.100.4", "dev-alice-01")}

BENIGN = [
    ("alice", "hi, is the bike still for sale?"),
    ("bob", "yes it is, the price is on the listing"),
    ("alice", "great, can I see it on saturday?"),
    ("bob", "sure, the shop opens at nine"),
    ("alice", "thanks, see you then"),
]

GROOMING = [
    ("bob", "hey there, how old are you?"),
    ("alice", "hi"),
    ("bob", "are your parents home right now?"),
    ("alice", "no they are at work"),
    ("bob", "add me on telegram, it is better there"),
    ("bob", "this is our little secret ok, don't tell anyone"),
    ("alice", "ok"),
    ("bob", "what grade are you in btw"),
]

LIVE_SHOW = [
    ("alice", "how much for a private show tonight?"),
    ("bob", "it's 40 usd per session, pay first to my gcash 0917 123 4567"),
    ("alice", "ok sending now"),
    ("bob", "what time is the show"),
]


def chat(turns: Sequence[tuple[str, str]], conversation: str = "chatapp:c1") -> list[ChatMessage]:
    messages = []
    for i, (sender, text) in enumerate(turns):
        recipient = "alice" if sender == "bob" else "bob"
        ip, device = ADDRESSES[sender]
        messages.append(ChatMessage(
            conversation_id=conversation, message_id=f"{conversation}-m{i:02d}",
            sender=f"chatapp:{sender}", recipient=f"chatapp:{recipient}",
            sent_at=T0 + timedelta(minutes=i), text=text,
            sender_ip=ip if i != 1 else "192.0.2.99", sender_device=device))
    return messages


def detect(messages: Sequence[ChatMessage], lexicon: Lexicon | None = None) -> list[Signal]:
    detector = ConversationLexiconDetector(lexicon)
    return list(detector.detect(messages, DetectionContext(banks=MemoryStore())))


def ref(text: str) -> EntityRef:
    return EntityRef.parse(text)


def conversation_of(signal: Signal) -> str:
    [conversation] = [str(s) for s in signal.subjects if s.kind.value == "conversation"]
    return conversation


def test_detector_declares_name_kind_and_input() -> None:
    assert ConversationLexiconDetector.name == "conversation.lexicon"
    assert ConversationLexiconDetector.consumes is RecordKind.MESSAGE


def test_benign_chat_mentioning_price_scores_low_and_does_not_signal() -> None:
    assessment = assess_conversation(chat(BENIGN), default_lexicon())
    assert assessment.counts == {"price_payment": 1}
    assert assessment.score < default_lexicon().min_score
    assert detect(chat(BENIGN)) == []


def test_grooming_combination_signals_with_a_high_score() -> None:
    [signal] = detect(chat(GROOMING))
    assert signal.kind is SignalKind.CONVERSATION and signal.source == "conversation.lexicon"
    counts = {"asks_age": 2, "moves_platform": 1, "secrecy": 1, "isolation_check": 1}
    assert signal.evidence["categories"] == counts
    assert signal.score == default_lexicon().score(counts) > 0.75


def test_grooming_roles_suspect_and_target() -> None:
    [signal] = detect(chat(GROOMING))
    assert signal.evidence["roles"] == {"account:chatapp:bob": "suspect",
                                        "account:chatapp:alice": "target"}
    assert signal.evidence["stated_ages"] == {}


def test_a_target_is_a_victim_only_when_they_state_a_minor_age() -> None:
    stated = [(who, "i'm 13" if text == "hi" else text) for who, text in GROOMING]
    [signal] = detect(chat(stated))
    assert signal.evidence["roles"]["account:chatapp:alice"] == "victim"
    assert signal.evidence["stated_ages"] == {"account:chatapp:alice": 13}
    first_contact = [("bob", "hi! what grade are you in now?"), ("alice", "grade 5"),
                     ("bob", "ok, add me on skype for class"),
                     ("bob", "remind your dad to send the payment")]
    [signal] = detect(chat(first_contact))
    assert signal.evidence["stated_ages"] == {"account:chatapp:alice": 10}
    assert signal.evidence["roles"]["account:chatapp:alice"] == "target"
    adult = [(who, "i'm 25" if text == "hi" else text) for who, text in GROOMING]
    [signal] = detect(chat(adult))
    assert signal.evidence["roles"]["account:chatapp:alice"] == "target"


def test_live_show_roles_include_payee_and_extracted_identifiers() -> None:
    [signal] = detect(chat(LIVE_SHOW))
    roles = signal.evidence["roles"]
    assert roles["payment_account:gcash:+639171234567"] == "payee"
    assert roles["account:chatapp:bob"] == roles["account:chatapp:alice"] == "suspect"
    assert ref("phone:+639171234567") in signal.subjects
    assert signal.evidence["extracted"] == ["payment_account:gcash:+639171234567",
                                            "phone:+639171234567"]


def test_subjects_link_conversation_accounts_and_indicator_senders_network() -> None:
    [signal] = detect(chat(GROOMING))
    expected = {"conversation:chatapp:c1", "account:chatapp:bob", "account:chatapp:alice",
                "ip:203.0.113.7", "device:dev-bob-01"}
    assert {str(s) for s in signal.subjects} == expected  # alice sent no indicator


def test_evidence_never_copies_chat_text() -> None:
    messages = chat(GROOMING)
    [signal] = detect(messages)
    stored = canonical_json(signal.evidence) + signal.explanation
    for message in messages:
        assert message.text not in stored


def test_evidence_lists_matched_messages_participants_and_times() -> None:
    [signal] = detect(chat(GROOMING))
    evidence = signal.evidence
    assert [m["message_id"] for m in evidence["matched_messages"]] == [
        "chatapp:c1-m00", "chatapp:c1-m02", "chatapp:c1-m04", "chatapp:c1-m05", "chatapp:c1-m07"]
    assert evidence["matched_messages"][3]["categories"] == {
        "secrecy": ["don't tell anyone", "our secret"]}
    assert evidence["participants"]["account:chatapp:bob"]["indicator_messages"] == 5
    assert evidence["participants"]["account:chatapp:alice"] == {
        "messages": 3, "indicator_messages": 0, "categories": {}}
    assert evidence["message_count"] == 8
    assert evidence["first_at"] == "2026-03-01T12:00:00+00:00"
    assert evidence["last_at"] == "2026-03-01T12:07:00+00:00"


def test_observed_at_is_the_last_message_in_utc() -> None:
    [signal] = detect(chat(GROOMING))
    assert signal.observed_at == datetime(2026, 3, 1, 12, 7, tzinfo=UTC)
    assert signal.observed_at.utcoffset() == timedelta(0)


def test_explanation_names_kinds_counts_and_roles() -> None:
    [signal] = detect(chat(GROOMING))
    assert signal.explanation.startswith(
        "Conversation chatapp:c1 matched 4 indicator kinds: asks age (2), "
        "moves to another app (1), secrecy (1), checks who is around (1).")
    assert "account:chatapp:bob (suspect)" in signal.explanation
    assert "account:chatapp:alice (target)" in signal.explanation


def test_minimum_score_comes_from_the_lexicon() -> None:
    low = Lexicon.model_validate({**default_lexicon().model_dump(), "min_score": 0.1})
    [signal] = detect(chat(BENIGN), low)
    assert signal.score < default_lexicon().min_score
    assert signal.evidence["min_score"] == 0.1
    assert signal.evidence["roles"] == {"account:chatapp:bob": "suspect"}


def test_evidence_message_list_is_capped() -> None:
    capped = Lexicon.model_validate(
        {**default_lexicon().model_dump(), "max_evidence_messages": 2})
    [signal] = detect(chat(GROOMING), capped)
    assert len(signal.evidence["matched_messages"]) == 2
    assert signal.evidence["matched_message_count"] == 5


def test_detection_is_deterministic_under_shuffling_and_duplicates() -> None:
    messages = chat(GROOMING) + chat(LIVE_SHOW, "chatapp:c2") + chat(BENIGN, "chatapp:c3")
    first = detect(messages)
    shuffled = messages + messages[:4]
    random.Random(7).shuffle(shuffled)
    second = detect(shuffled)
    assert [s.id for s in first] == [s.id for s in second]
    assert [conversation_of(s) for s in first] == ["conversation:chatapp:c1",
                                                   "conversation:chatapp:c2"]


def test_records_of_other_conversations_do_not_mix() -> None:
    messages = chat(GROOMING[:1]) + chat(GROOMING[2:], "chatapp:c9")
    signals = detect(messages)
    assert [conversation_of(s) for s in signals] == ["conversation:chatapp:c9"]


def test_empty_conversation_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one message"):
        assess_conversation([], default_lexicon())
