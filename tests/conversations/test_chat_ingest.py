import gzip
import json
from pathlib import Path

import pytest

from vigil.conversations.ingest import ChatBatch, ChatFileError, read_chat_file


def test_the_minimal_form_is_read_as_is_including_null_times(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    path.write_text(
        json.dumps({"conversation_id": "c1", "author": "a", "time": None, "text": "how old r u"})
        + "\n" + json.dumps({"conversation_id": "c1", "author": "b", "time": "10:02", "text": "13"})
        + "\n")
    batch = ChatBatch()
    read_chat_file(path, batch)
    assert [(m.author, m.time, m.message_id) for m in batch.lines] == [
        ("a", None, "chat.jsonl:1"), ("b", "10:02", "chat.jsonl:2")]
    assert not batch.quarantined


def test_gzipped_minimal_form_and_vigil_message_keys(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl.gz"
    row = {"conversation_id": "c1", "message_id": "m1", "sender": "a",
           "sent_at": "2026-01-01T00:00:00Z", "recipient": "b", "text": "add me on kik"}
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")
    batch = ChatBatch()
    read_chat_file(path, batch)
    assert batch.lines[0].message_id == "m1" and batch.lines[0].author == "a"


def test_bad_rows_are_quarantined_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    path.write_text('{"conversation_id": "c1", "author": "a", "text": "ok"}\n'
                    '{"conversation_id": "c1", "text": "no author"}\n'
                    "[1, 2]\n{broken\n")
    batch = ChatBatch()
    read_chat_file(path, batch)
    assert len(batch.lines) == 1
    reasons = [q.reason for q in batch.quarantined]
    assert [q.line for q in batch.quarantined] == [2, 3, 4]
    assert batch.quarantined[0].source == str(path) and "'author'" in reasons[0]
    assert batch.quarantined[2].excerpt == "{broken"


def test_a_platform_csv_with_aliased_columns(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Thread_ID,User,Message,Timestamp\nt1,u1,where do you live,2026-01-01\n"
                    "t1,,missing user,2026-01-01\n")
    batch = ChatBatch()
    read_chat_file(path, batch)
    assert [(m.conversation_id, m.author, m.time) for m in batch.lines] == [
        ("t1", "u1", "2026-01-01")]
    assert batch.quarantined[0].line == 3


def test_a_csv_without_the_needed_columns_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ChatFileError, match="conversation_id"):
        read_chat_file(path, ChatBatch())


def test_unknown_formats_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("hello")
    with pytest.raises(ChatFileError, match="unknown chat format"):
        read_chat_file(path, ChatBatch())
