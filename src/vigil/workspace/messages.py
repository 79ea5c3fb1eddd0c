"""The messages of a case, masked: who sent what when, and how long it is, never its text.

The case page shows each message of the conversations a case's signals matched as a masked line;
its text comes only through :func:`message_text`, which the page calls after
:func:`vigil.reveal_message` has authorised, counted and audited the reveal. A message id that
is not one of the case's messages is refused, so a reveal cannot read another case's chat.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from vigil.model import Case, SignalKind
from vigil.records import ChatMessage, RecordKind
from vigil.store.interfaces import RecordStore


class NotInCaseError(KeyError):
    """The message is not one of the case's messages."""


@dataclass(frozen=True)
class MaskedMessage:
    """A message as the page lists it before any reveal: no text, only its shape."""

    message_id: str
    conversation_id: str
    sender: str
    sent_at: datetime
    length: int
    indicators: tuple[str, ...]


def _matched(case: Case) -> dict[str, tuple[str, ...]]:
    """message id -> indicator categories, from the case's conversation signals."""
    found: dict[str, tuple[str, ...]] = {}
    for signal in case.signals:
        if signal.kind is not SignalKind.CONVERSATION:
            continue
        matched = signal.evidence.get("matched_messages")
        for item in matched if isinstance(matched, list) else []:
            if isinstance(item, dict) and isinstance(item.get("message_id"), str):
                categories = item.get("categories")
                names = tuple(sorted(categories)) if isinstance(categories, dict) else ()
                found[str(item["message_id"])] = names
    return found


def _case_records(store: RecordStore, case: Case) -> Iterator[tuple[ChatMessage, tuple[str, ...]]]:
    matched = _matched(case)
    if not matched:
        return
    messages = [r for r in store.records(RecordKind.MESSAGE) if isinstance(r, ChatMessage)]
    conversations = {m.conversation_id for m in messages if m.message_id in matched}
    for message in messages:
        if message.conversation_id in conversations:
            yield message, matched.get(message.message_id, ())


def case_messages(store: RecordStore, case: Case) -> list[MaskedMessage]:
    """The masked messages of every conversation the case's signals matched, in time order."""
    masked = [MaskedMessage(m.message_id, m.conversation_id, m.sender, m.sent_at, len(m.text),
                            indicators) for m, indicators in _case_records(store, case)]
    return sorted(masked, key=lambda m: (m.conversation_id, m.sent_at, m.message_id))


def message_text(store: RecordStore, case: Case, message_id: str) -> str:
    """The text of one of the case's messages; call only after an audited reveal."""
    for message, _indicators in _case_records(store, case):
        if message.message_id == message_id:
            return message.text
    raise NotInCaseError(message_id)
