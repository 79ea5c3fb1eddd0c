"""The conversation lexicon detector: indicator categories scored per conversation, and explained.

Why a lexicon before any model: no vendor publishes precision or recall for grooming classifiers
(Project Artemis, Thorn Safer, Hive), and a documented list of published indicators can be audited
line by line; each signal names the categories and neutral terms that fired, which is the
explanation PAN12's line-level task asks for (Inches & Crestani 2012). The signal never copies chat
text: evidence holds message ids, the lexicon's own terms and counts.

Roles follow the two-stage PAN12 systems, which tell predator from victim by who asks age or
location and who discloses it (Villatoro-Tello et al., PAN 2012): a participant who sent indicator
messages is a ``suspect``; one who sent none but received indicators aimed at them (categories
marked ``victim_indicator``) is a ``target``, and a ``victim`` only when they also stated an age
under 18 (:mod:`vigil.conversations.ages`) and received more than first-contact talk: ChatCoder2
separates the personal-information stage (asking age, a channel to talk on) from grooming and
approach (secrecy, isolation, threats, camera, photos, meeting; McGhee et al. 2011). A pupil tells a
tutor their grade and is added on Skype every school day; that makes nobody a victim. Payment
accounts and wallets written in indicator messages are ``payee``. Stated ages are kept in the
evidence as ``stated_ages``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Self

from vigil.conversations.ages import is_minor, stated_age
from vigil.conversations.extract import extract_identifiers
from vigil.conversations.lexicon import Lexicon, default_lexicon, load_lexicon
from vigil.identifiers import EntityKind
from vigil.model import EntityRef, JSONValue, Signal, SignalKind
from vigil.plugin import DetectionContext, Detector
from vigil.record_stream import replayable
from vigil.records import ChatMessage, Record, RecordKind
from vigil.settings import Settings

_PAYEE_KINDS = frozenset({EntityKind.PAYMENT_ACCOUNT, EntityKind.WALLET})
FIRST_CONTACT_CATEGORIES = frozenset({"asks_age", "moves_platform"})
"""Aimed categories of the personal-information stage (ChatCoder2 code 200, McGhee et al.
2011): alone they do not make a minor who answered them a victim."""


@dataclass(frozen=True)
class MessageIndicators:
    """One message that matched the lexicon: the categories and their neutral terms."""

    message: ChatMessage
    categories: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class ConversationAssessment:
    """A conversation's messages in time order, the ones that matched, and the resulting score."""

    conversation: EntityRef
    messages: tuple[ChatMessage, ...]
    matches: tuple[MessageIndicators, ...]
    counts: Mapping[str, int]
    """Category -> number of messages matching it, in lexicon order."""
    score: float

    def participants(self) -> list[EntityRef]:
        accounts = {m.sender for m in self.messages} | {m.recipient for m in self.messages}
        return [EntityRef(EntityKind.ACCOUNT, a) for a in sorted(accounts)]


def assess_conversation(
    messages: Sequence[ChatMessage], lexicon: Lexicon,
) -> ConversationAssessment:
    """Match every message of one conversation and score the categories it reached.

    Messages are put in ``(sent_at, message_id)`` order and a message id seen twice counts once,
    so re-imported or shuffled input gives the same assessment.
    """
    if not messages:
        raise ValueError("a conversation needs at least one message")
    ordered: dict[str, ChatMessage] = {}
    for message in sorted(messages, key=lambda m: (m.sent_at, m.message_id, m.content_hash())):
        ordered.setdefault(message.message_id, message)
    kept = tuple(ordered.values())
    matches = tuple(MessageIndicators(m, found) for m in kept if (found := lexicon.match(m.text)))
    per_category = Counter(name for match in matches for name in match.categories)
    counts = {name: per_category[name] for name in lexicon.categories if per_category[name]}
    return ConversationAssessment(
        conversation=EntityRef(EntityKind.CONVERSATION, kept[0].conversation_id),
        messages=kept, matches=matches, counts=counts, score=lexicon.score(counts))


def stated_ages(assessment: ConversationAssessment) -> dict[str, int]:
    """The youngest age each participant stated about themselves, by account value."""
    ages: dict[str, int] = {}
    for message in assessment.messages:
        age = stated_age(message.text)
        if age is not None:
            ages[message.sender] = min(age, ages.get(message.sender, age))
    return ages


def participant_roles(assessment: ConversationAssessment, lexicon: Lexicon) -> dict[EntityRef, str]:
    """``suspect`` for senders of indicators; ``target`` for silent targets of aimed indicators,
    ``victim`` when such a target stated an age under 18 and received more than first contact."""
    senders = {match.message.sender for match in assessment.matches}
    victim_categories = lexicon.victim_categories()
    aimed: dict[str, set[str]] = {}
    for match in assessment.matches:
        found = victim_categories.intersection(match.categories)
        if found:
            aimed.setdefault(match.message.recipient, set()).update(found)
    ages = stated_ages(assessment)
    roles: dict[EntityRef, str] = {}
    for account in assessment.participants():
        if account.value in senders:
            roles[account] = "suspect"
        elif account.value in aimed:
            groomed = bool(aimed[account.value] - FIRST_CONTACT_CATEGORIES)
            minor = is_minor(ages.get(account.value))
            roles[account] = "victim" if minor and groomed else "target"
    return roles


class ConversationLexiconDetector(Detector):
    """One signal per conversation whose lexicon score reaches the lexicon's ``min_score``."""

    name = "conversation.lexicon"
    version = "1"
    description = "Published grooming, live-show, sextortion and payment indicators in chat text."
    consumes = RecordKind.MESSAGE
    emits = SignalKind.CONVERSATION

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon if lexicon is not None else default_lexicon()

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(load_lexicon(settings.lexicon) if settings.lexicon else None)

    def detect(self, records: Iterable[Record], context: DetectionContext) -> Iterator[Signal]:
        """Two passes: the first matches every message and keeps only the ids of conversations
        with a match (a conversation without one gives no signal), the second keeps those
        conversations' messages. Memory follows the flagged conversations, not the messages."""
        records = replayable(records)
        flagged = {r.conversation_id for r in records
                   if isinstance(r, ChatMessage) and self.lexicon.match(r.text)}
        by_conversation: dict[str, list[ChatMessage]] = {}
        for record in records:
            if isinstance(record, ChatMessage) and record.conversation_id in flagged:
                by_conversation.setdefault(record.conversation_id, []).append(record)
        for conversation_id in sorted(by_conversation):
            assessment = assess_conversation(by_conversation[conversation_id], self.lexicon)
            if assessment.matches and assessment.score >= self.lexicon.min_score:
                yield self.signal_for(assessment)

    def signal_for(self, assessment: ConversationAssessment) -> Signal:
        """The signal for an assessed conversation, whatever its score (the caller thresholds)."""
        roles = participant_roles(assessment, self.lexicon)
        extracted = sorted({ref for match in assessment.matches
                            for ref in extract_identifiers(match.message.text)})
        roles.update({ref: "payee" for ref in extracted if ref.kind in _PAYEE_KINDS})
        subjects = [assessment.conversation, *assessment.participants(), *extracted,
                    *_network_refs(assessment)]
        return Signal(
            source=self.name, kind=SignalKind.CONVERSATION, subjects=tuple(subjects),
            score=assessment.score,
            observed_at=assessment.messages[-1].sent_at.astimezone(UTC),
            evidence=self._evidence(assessment, roles, extracted),
            explanation=self._explanation(assessment, roles),
            detector_version=f"{self.version}+lexicon.{self.lexicon.version}")

    def _evidence(self, assessment: ConversationAssessment, roles: Mapping[EntityRef, str],
                  extracted: Sequence[EntityRef]) -> dict[str, JSONValue]:
        listed = assessment.matches[:self.lexicon.max_evidence_messages]
        return {
            "rule": self.name,
            "lexicon_version": self.lexicon.version,
            "roles": {str(ref): role for ref, role in sorted(roles.items())},
            "categories": dict(assessment.counts),
            "matched_messages": [
                {"message_id": m.message.message_id,
                 "sender": str(EntityRef(EntityKind.ACCOUNT, m.message.sender)),
                 "sent_at": m.message.sent_at.astimezone(UTC).isoformat(),
                 "categories": {name: list(terms) for name, terms in m.categories.items()}}
                for m in listed],
            "matched_message_count": len(assessment.matches),
            "participants": _participant_counts(assessment),
            "extracted": [str(ref) for ref in extracted],
            "stated_ages": {str(EntityRef(EntityKind.ACCOUNT, account)): age
                            for account, age in sorted(stated_ages(assessment).items())},
            "message_count": len(assessment.messages),
            "first_at": assessment.messages[0].sent_at.astimezone(UTC).isoformat(),
            "last_at": assessment.messages[-1].sent_at.astimezone(UTC).isoformat(),
            "min_score": self.lexicon.min_score,
        }

    def _explanation(self, assessment: ConversationAssessment,
                     roles: Mapping[EntityRef, str]) -> str:
        kinds = ", ".join(f"{self.lexicon.label(name)} ({count})"
                          for name, count in assessment.counts.items())
        first = (f"Conversation {assessment.conversation.value} matched {len(assessment.counts)} "
                 f"indicator kinds: {kinds}.")
        people = [f"{ref} ({role})" for ref, role in sorted(roles.items())
                  if ref.kind is EntityKind.ACCOUNT]
        if not people:
            return first
        return f"{first} Indicators sent by and to: {', '.join(people)}."


def _participant_counts(assessment: ConversationAssessment) -> dict[str, JSONValue]:
    """Per account: messages sent, indicator messages sent, and per-category counts."""
    sent = Counter(m.sender for m in assessment.messages)
    flagged = Counter(match.message.sender for match in assessment.matches)
    categories: dict[str, Counter[str]] = {}
    for match in assessment.matches:
        categories.setdefault(match.message.sender, Counter()).update(match.categories.keys())
    return {
        str(account): {"messages": sent[account.value],
                       "indicator_messages": flagged[account.value],
                       "categories": dict(sorted(categories.get(account.value, Counter()).items()))}
        for account in assessment.participants()
    }


def _network_refs(assessment: ConversationAssessment) -> list[EntityRef]:
    """Addresses and devices that sent indicator messages: they link to other platforms' data."""
    refs: set[EntityRef] = set()
    for match in assessment.matches:
        if match.message.sender_ip is not None:
            refs.add(EntityRef(EntityKind.IP, match.message.sender_ip))
        if match.message.sender_device is not None:
            refs.add(EntityRef(EntityKind.DEVICE, match.message.sender_device))
    return sorted(refs)
