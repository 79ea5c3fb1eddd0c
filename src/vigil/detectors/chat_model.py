"""The trained chat-model detector: per-author, early scores with labels and evidence.

Why beside the lexicon detector, not instead of it: the model is optional - it is built from
research data by ``make model-chats`` and named by ``VIGIL_CHAT_MODEL`` - and a deployment without
it must behave as before. Without a model this detector emits nothing and logs that
conversations are scored by ``conversation.lexicon`` alone; with one it emits a conversation
signal (labels, every author's score and point of detection) and an author signal for each author
the model flags, which is the "which side is the offender" answer PAN 2012 asked for (Inches &
Crestani 2012). Evidence holds message ids, lexicon terms and masked model phrases; never chat
text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC
from typing import TYPE_CHECKING, Self

from vigil.conversations.lexicon import Lexicon, default_lexicon, load_lexicon
from vigil.identifiers import EntityKind
from vigil.model import EntityRef, JSONValue, Signal, SignalKind
from vigil.plugin import DetectionContext, Detector
from vigil.records import ChatMessage, Record, RecordKind
from vigil.settings import Settings

if TYPE_CHECKING:
    from vigil.conversations.analysis import AuthorResult
    from vigil.conversations.model import ChatModel

LOG = logging.getLogger(__name__)
NO_MODEL = ("no chat model (VIGIL_CHAT_MODEL unset): conversations are scored by "
            "conversation.lexicon alone")


class ConversationModelDetector(Detector):
    """Conversation and author signals from the trained chat model, when one is configured."""

    name = "conversation.model"
    version = "1"
    description = ("Trained chat model (VIGIL_CHAT_MODEL, built by `make model-chats`): which "
                   "author is the likely offender, after how many messages, with labels; "
                   "without a model it emits nothing and conversation.lexicon scores alone.")
    consumes = RecordKind.MESSAGE

    def __init__(self, model: ChatModel | None = None, lexicon: Lexicon | None = None) -> None:
        # Imported here, not with the module: the model's scikit-learn takes about 1 CPU-s to
        # import, which every command that loads the registry (an import too) paid for a
        # detector it does not run (docs/benchmarks.md, CSV lane, sixth round).
        from vigil.conversations.analysis import ConversationScorer

        self.model = model
        self.scorer = ConversationScorer(lexicon or default_lexicon(), model)

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        from vigil.conversations.service import settings_chat_model

        lexicon = load_lexicon(settings.lexicon) if settings.lexicon else None
        return cls(settings_chat_model(settings), lexicon)

    def detect(self, records: Iterable[Record], context: DetectionContext) -> Iterator[Signal]:
        """Every conversation is held while it is scored (one pass): the model can flag a
        conversation the lexicon does not, so there is no first pass to narrow it down."""
        if self.model is None:
            LOG.info(NO_MODEL)
            return
        grouped: dict[str, list[ChatMessage]] = {}
        for record in records:
            if isinstance(record, ChatMessage):
                grouped.setdefault(record.conversation_id, []).append(record)
        for conversation_id in sorted(grouped):
            messages = sorted(grouped[conversation_id], key=lambda m: (m.sent_at, m.message_id))
            yield from self._signals(messages)

    def _signals(self, messages: Sequence[ChatMessage]) -> Iterator[Signal]:
        from vigil.conversations.analysis import ChatLine

        lines = [ChatLine(m.conversation_id, m.message_id, m.sender, m.text) for m in messages]
        result = self.scorer.assess(lines)
        if not result.flagged:
            return
        conversation = EntityRef(EntityKind.CONVERSATION, result.conversation_id)
        observed = messages[-1].sent_at.astimezone(UTC)
        authors: dict[str, JSONValue] = {
            str(EntityRef(EntityKind.ACCOUNT, name)): _author_evidence(a)
            for name, a in sorted(result.authors.items())}
        flagged = [a for a in result.authors.values() if a.flagged]
        accounts = [EntityRef(EntityKind.ACCOUNT, a.author) for a in flagged]
        yield Signal(
            source=self.name, kind=SignalKind.CONVERSATION,
            subjects=(conversation, *sorted(accounts)), score=result.score,
            observed_at=observed, detector_version=self._version(),
            evidence={"rule": self.name, "level": "conversation", "labels": list(result.labels),
                      "threshold": self.scorer.threshold, "authors": authors},
            explanation=(f"Conversation {result.conversation_id}: {', '.join(result.labels)}; "
                         f"likely offender {result.likely_offender()} (model score "
                         f"{result.score:.2f})."))
        for author, account in zip(flagged, accounts, strict=True):
            yield Signal(
                source=self.name, kind=SignalKind.CONVERSATION, subjects=(account, conversation),
                score=author.score, observed_at=observed, detector_version=self._version(),
                evidence={"rule": self.name, "level": "author", "labels": list(result.labels),
                          **_author_evidence(author)},
                explanation=(f"Author {author.author} scored {author.score:.2f} by the "
                             f"{author.scored_by} after {author.flagged_after} of their "
                             f"{author.messages} messages in {result.conversation_id}."))

    def _version(self) -> str:
        model_version = self.model.lexicon_version if self.model is not None else "none"
        return f"{self.version}+model.{model_version}"


def _author_evidence(author: AuthorResult) -> dict[str, JSONValue]:
    return {"score": round(author.score, 6), "flagged": author.flagged,
            "flagged_after": author.flagged_after, "messages": author.messages,
            "language": author.language, "scored_by": author.scored_by,
            "message_ids": list(author.evidence_ids),
            "indicators": {k: list(v) for k, v in author.categories.items()},
            "phrases": list(author.phrases)}
