import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conversations.synthetic_chats import minimal_chat
from vigil.cli.main import app

runner = CliRunner()


def test_scan_json_gives_one_object_per_conversation(
        tmp_path: Path, model_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_CHAT_MODEL", str(model_file))
    chat = minimal_chat(tmp_path / "chat.jsonl")
    result = runner.invoke(app, ["chats", "scan", str(chat), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["conversation_id"] for r in rows] == ["chat-1", "chat-2"]
    assert set(rows[0]) == {"conversation_id", "score", "flagged", "labels", "authors"}
    assert rows[0]["flagged"] and rows[0]["authors"]["alice"]["flagged"]
    assert not rows[0]["authors"]["bob"]["flagged"]
    assert not rows[1]["flagged"] and rows[1]["labels"] == ["not_pertinent"]


def test_scan_table_masks_phrases_and_quarantines_bad_rows(
        tmp_path: Path, model_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_CHAT_MODEL", str(model_file))
    chat = minimal_chat(tmp_path / "chat.jsonl")
    with chat.open("a") as handle:
        handle.write("{broken\n")
    result = runner.invoke(app, ["chats", "scan", str(chat)])
    assert result.exit_code == 0, result.output
    assert "chat-1" in result.stdout and "alice" in result.stdout
    assert "quarantined: " in result.stderr and "chat.jsonl:37" in result.stderr
    assert "how old" not in result.stdout


def test_scan_without_a_model_says_it_uses_the_lexicon(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIGIL_CHAT_MODEL", raising=False)
    result = runner.invoke(app, ["chats", "scan", str(minimal_chat(tmp_path / "c.jsonl")),
                                 "--json"])
    assert result.exit_code == 0
    assert "lexicon alone" in result.stderr


def test_scan_with_a_missing_model_file_is_an_error(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_CHAT_MODEL", str(tmp_path / "none.pkl"))
    result = runner.invoke(app, ["chats", "scan", str(minimal_chat(tmp_path / "c.jsonl"))])
    assert result.exit_code == 2 and "make model-chats" in result.stderr


def test_eval_prints_every_figure_and_writes_the_curve(tmp_path: Path,
                                                       labelled_dir: Path) -> None:
    curve = tmp_path / "pr.png"
    result = runner.invoke(app, ["chats", "eval", str(labelled_dir), "--curve", str(curve)])
    assert result.exit_code == 0, result.output
    for needle in ("[model]", "[model+author-context]", "[baseline]", "[lexicon]", "F0.5",
                   "PR-AUC",
                   "decoy windows' FPR", "early detection", "author level", "not PAN 2012"):
        assert needle in result.stdout
    assert curve.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_eval_refuses_a_model_built_on_another_split(tmp_path: Path, model_file: Path) -> None:
    from tests.conversations.synthetic_chats import labelled_rows
    other = tmp_path / "other"
    other.mkdir()
    rows = labelled_rows(seed=11, offenders=30, benign=20)
    (other / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = runner.invoke(app, ["chats", "eval", str(other), "--model", str(model_file),
                                 "--curve", str(tmp_path / "pr.png")])
    assert result.exit_code == 2 and "train split" in result.stderr


def test_train_writes_a_model_file(tmp_path: Path, labelled_dir: Path) -> None:
    out = tmp_path / "m" / "chat-model.pkl"
    result = runner.invoke(app, ["chats", "train", str(labelled_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and "VIGIL_CHAT_MODEL" in result.stdout
