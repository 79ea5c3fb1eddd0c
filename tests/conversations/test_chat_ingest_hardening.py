"""``vigil chats scan`` input: deep nesting, bytes that are not UTF-8 and truncated gzip files
quarantine what they spoil and keep every good line (the importers' rules, for the chat reader)."""

import gzip
import json
from pathlib import Path

from vigil.conversations.ingest import read_chat_files

GOOD = json.dumps({"conversation_id": "c1", "author": "a", "time": None, "text": "how old are you"})


def test_deep_nesting_is_one_quarantined_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 1000 + "]" * 1000 + "\n" + GOOD + "\n")
    batch = read_chat_files([path])
    assert len(batch.lines) == 1
    assert [q.line for q in batch.quarantined] == [1]
    assert "nested" in batch.quarantined[0].reason


def test_bytes_not_utf8_spoil_only_their_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(GOOD.encode() + b"\n\xff\xfe{}\n" + GOOD.encode() + b"\n")
    batch = read_chat_files([path])
    assert len(batch.lines) == 2
    assert [(q.line, "UTF-8" in q.reason) for q in batch.quarantined] == [(2, True)]


def test_truncated_gzip_keeps_the_lines_before_and_says_so(tmp_path: Path) -> None:
    whole = gzip.compress(((GOOD + "\n") * 2000).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    batch = read_chat_files([path])
    assert 0 < len(batch.lines) < 2000
    assert len(batch.quarantined) == 1
    assert "not read to the end" in batch.quarantined[0].reason
