"""Reading chat files for ``vigil chats scan``: the minimal form, vigil's message form and a
generic platform CSV, with bad rows quarantined, never dropped.

Minimal form (JSON Lines, optionally gzipped), one message per line, in conversation order:
``{"conversation_id": ..., "author": ..., "time": ... or null, "text": ...}``. vigil's message
form (``sender``, ``sent_at``, ``message_id``) is read the same way. A CSV needs a header with
``conversation_id``, ``author`` (or ``sender``/``user``) and ``text`` (or ``message``/``body``);
``time`` (``timestamp``/``sent_at``) and ``message_id`` are optional. Message ids default to
``<file name>:<line>``. Order is the file's order: times, where present, are kept, not re-sorted.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from vigil.conversations.analysis import ChatLine
from vigil.importers import safe_json
from vigil.quarantine import QuarantineEntry
from vigil.records import RecordKind

ALIASES: dict[str, tuple[str, ...]] = {
    "conversation_id": ("conversation_id", "conversation", "thread_id", "chat_id"),
    "author": ("author", "sender", "user", "user_id", "from"),
    "text": ("text", "message", "body", "content"),
    "time": ("time", "timestamp", "sent_at", "date"),
    "message_id": ("message_id", "id", "msg_id"),
}
"""Column or key -> the names a platform export may give it (first found wins)."""


class ChatFileError(ValueError):
    """A file that cannot be read at all (missing, unknown format, a CSV without the columns)."""


@dataclass
class ChatBatch:
    lines: list[ChatLine] = field(default_factory=list)
    quarantined: list[QuarantineEntry] = field(default_factory=list)

    def conversations(self) -> dict[str, list[ChatLine]]:
        grouped: dict[str, list[ChatLine]] = {}
        for line in self.lines:
            grouped.setdefault(line.conversation_id, []).append(line)
        return grouped


def read_chat_files(paths: list[Path]) -> ChatBatch:
    batch = ChatBatch()
    for path in paths:
        read_chat_file(path, batch)
    return batch


def read_chat_file(path: Path, batch: ChatBatch) -> None:
    """Add ``path``'s messages to ``batch``; rows that fail go to ``batch.quarantined``."""
    name = path.name.lower()
    if not path.is_file():
        raise ChatFileError(f"{path}: no such file")
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        reader = _read_jsonl
    elif name.endswith((".csv", ".csv.gz")):
        reader = _read_csv
    else:
        raise ChatFileError(f"{path}: unknown chat format (use .jsonl, .jsonl.gz or .csv)")
    try:
        with _open_text(path) as handle:
            reader(path, handle, batch)
    except (UnicodeDecodeError, EOFError, OSError, csv.Error) as exc:
        # Rows read before the problem are kept; the rest of the file is named, not lost silently.
        batch.quarantined.append(QuarantineEntry.of(
            RecordKind.MESSAGE, str(path), 0, b"", "file not read to the end: "
            f"{type(exc).__name__}: {str(exc)[:200]}"))


def _open_text(path: Path) -> IO[str]:
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8",
                                errors="surrogateescape", newline="")
    # surrogateescape: a line with bytes that are not UTF-8 is quarantined alone (see _not_utf8).
    return path.open("r", encoding="utf-8", errors="surrogateescape", newline="")


def _not_utf8(text: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in text)


def _read_jsonl(path: Path, handle: IO[str], batch: ChatBatch) -> None:
    for number, raw in enumerate(handle, start=1):
        if not raw.strip():
            continue
        try:
            if _not_utf8(raw):
                raise ValueError("line is not UTF-8")
            row = safe_json.loads(raw)
            if not isinstance(row, dict):
                raise ValueError("a line must be a JSON object")
            batch.lines.append(_line(path, number, row))
        except ValueError as exc:
            batch.quarantined.append(_quarantine(path, number, raw.rstrip("\n"), exc))


def _read_csv(path: Path, handle: IO[str], batch: ChatBatch) -> None:
    reader = csv.DictReader(handle)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [key for key in ("conversation_id", "author", "text")
               if not any(alias in header for alias in ALIASES[key])]
    if missing:
        raise ChatFileError(f"{path}: CSV header lacks {', '.join(missing)} "
                            f"(accepted names: {', '.join(ALIASES[missing[0]])})")
    for row in reader:
        number = reader.line_num
        clean = {(k or "").strip().lower(): v for k, v in row.items()}
        try:
            if any(isinstance(v, str) and _not_utf8(v) for v in clean.values()):
                raise ValueError("row is not UTF-8")
            batch.lines.append(_line(path, number, clean))
        except ValueError as exc:
            batch.quarantined.append(_quarantine(path, number, json.dumps(row), exc))


def _field(row: Mapping[str, object], key: str) -> object:
    for alias in ALIASES[key]:
        if alias in row and row[alias] not in (None, ""):
            return row[alias]
    return None


def _line(path: Path, number: int, row: Mapping[str, object]) -> ChatLine:
    values = {key: _field(row, key) for key in ALIASES}
    for key in ("conversation_id", "author"):
        if values[key] is None or not str(values[key]).strip():
            raise ValueError(f"field {key!r} is missing or empty")
    if not isinstance(values["text"], str):
        raise ValueError("field 'text' is missing or not a string")
    time = values["time"]
    return ChatLine(conversation_id=str(values["conversation_id"]).strip(),
                    message_id=str(values["message_id"] or f"{path.name}:{number}"),
                    author=str(values["author"]).strip(), text=values["text"],
                    time=None if time is None else str(time))


def _quarantine(path: Path, number: int, raw: str, exc: Exception) -> QuarantineEntry:
    return QuarantineEntry.of(RecordKind.MESSAGE, str(path), number, raw,
                              str(exc))


def iter_conversations(batch: ChatBatch) -> Iterator[tuple[str, list[ChatLine]]]:
    yield from sorted(batch.conversations().items())
