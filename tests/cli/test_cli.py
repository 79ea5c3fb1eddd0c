"""The CLI in-process (Typer's runner) over a SQLite store in a temporary folder."""

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.demo.files import write_world
from vigil.demo.world import generate_world

runner = CliRunner()


@pytest.fixture()
def store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    return tmp_path


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def stdout_of(*args: str) -> str:
    """What a command wrote to stdout alone (stderr says which store is in use)."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_plugins_lists_every_builtin(store_env: Path) -> None:
    code, out = invoke("plugins")
    assert code == 0
    builtins = {
        "detector": ("media.hash_match", "conversation.lexicon", "payments.typologies",
                     "payments.typology_score", "reports.panic"),
        "importer": ("jsonl.payment", "csv.payment"),
        "exporter": ("json",),
        "bank format": ("csv", "pytx", "pytx-text", "vics"),
        "index": ("brute", "mih", "gpu", "auto"),
        "engine": ("duckdb",),
        "scorer": ("corroboration", "strongest", "payers", "victims", "recency"),
        "signal type": ("pdq", "md5", "sha256"),
        "payment rule": ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R11", "R12", "R14",
                         "R15", "R16"),
    }
    rows = {tuple(cell.strip() for cell in line.split("│")[1:3])
            for line in out.splitlines() if line.count("│") >= 3}
    for kind, names in builtins.items():
        for name in names:
            assert (kind, name) in rows, f"{kind} {name} missing from vigil plugins"


def test_import_run_list_show_and_review(store_env: Path) -> None:
    files = write_world(generate_world(4, scale=0.5), store_env / "world")
    code, out = invoke("bank", "import", str(files["bank"]), "--name", "known")
    assert code == 0 and "new hashes" in out
    for kind, key in (("media", "media"), ("message", "messages"), ("payment", "payments"),
                      ("report", "reports")):
        code, out = invoke("import", kind, str(files[key]))
        assert code == 0, out
    code, again = invoke("import", "payment", str(files["payments"]))
    assert code == 0 and "duplicates" in again
    code, out = invoke("run", "--limit", "3")
    assert code == 0 and "Top 3 of" in out
    cases = json.loads(stdout_of("cases", "list", "--json", "--limit", "2"))
    assert len(cases) == 2
    assert set(cases[0]) >= {"id", "priority", "entities", "signals", "reasons"}
    top = cases[0]["id"]
    code, out = invoke("cases", "show", top)
    assert code == 0 and "Reasons" in out and "corroboration" in out
    code, out = invoke("cases", "status", top, "confirmed", "--analyst", "A. Analyst")
    assert code == 0 and "A. Analyst" in out
    assert json.loads(stdout_of("cases", "show", top, "--json"))["status"] == "confirmed"
    code, out = invoke("bank", "list")
    assert code == 0 and "known" in out


def test_import_with_bad_rows_quarantines_and_exits_zero(store_env: Path) -> None:
    path = store_env / "reports.jsonl"
    good = {"report_id": "r1", "reporter": "vc:a", "reported": "vc:b", "session_id": "s",
            "reported_at": "2026-01-01T00:00:00Z", "reason": "spam"}
    path.write_text(json.dumps(good) + "\nnot json\n" + json.dumps({**good, "reporter": "x"})
                    + "\n")
    code, out = invoke("import", "report", str(path))
    assert code == 0 and "quarantine" in out
    code, out = invoke("quarantine")
    assert code == 0 and "2 quarantined rows" in out and "reporter" in out


def test_import_exits_non_zero_when_nothing_could_be_read(store_env: Path) -> None:
    path = store_env / "bad.jsonl"
    path.write_text("nope\n{}\n")
    code, _ = invoke("import", "payment", str(path))
    assert code == 1
    code, _ = invoke("import", "media", str(store_env / "bad.jsonl.txt"))
    assert code == 2


def test_unknown_case_and_unnamed_analyst(store_env: Path) -> None:
    assert invoke("cases", "show", "case-nope")[0] == 1
    assert invoke("cases", "status", "case-nope", "confirmed", "--analyst", "X")[0] == 1
    assert invoke("cases", "status", "case-nope", "confirmed", "--analyst", " ")[0] == 2


def test_bank_import_refuses_bad_file_and_exports(store_env: Path) -> None:
    bad = store_env / "bank.csv"
    bad.write_text("hash,signal_type,label,source\nzz,pdq,x,y\n")
    code, out = invoke("bank", "import", str(bad), "--name", "b")
    assert code == 1 and "line 2" in out
    good = store_env / "good.csv"
    good.write_text("hash,signal_type,label,source\n" + "a" * 32 + ",md5,x,y\n")
    assert invoke("bank", "import", str(good), "--name", "b")[0] == 0
    out_path = store_env / "out.csv"
    code, _ = invoke("bank", "export", "b", str(out_path))
    assert code == 0 and "a" * 32 in out_path.read_text()


def test_demo_json_ends_with_the_evaluation_line(store_env: Path) -> None:
    code, out = invoke("demo", "--seed", "1", "--out", str(store_env / "demo"), "--json",
                       "--limit", "2", "--database-url", "memory://")
    assert code == 0
    body, _, last = out.rstrip().rpartition("\n")
    assert last.startswith("demo: planted=")
    assert re.fullmatch(r"demo: planted=\d+ recovered_in_top_P=\d+ precision_at_P=\d\.\d\d "
                        r"kinds_baseline=\d\.\d\d", last)
    cases = json.loads(body)
    assert len(cases) == 2 and cases[0]["priority"] >= cases[1]["priority"]


def test_bank_kinds_formats_pause_and_resume(store_env: Path) -> None:
    good = store_env / "fp.csv"
    good.write_text("hash,signal_type,label,source\n" + "b" * 32 + ",md5,x,y\n")
    code, out = invoke("bank", "import", str(good), "--name", "fps", "--kind", "negative")
    assert code == 0 and "negative" in out
    text_path = store_env / "fps.txt"
    assert invoke("bank", "export", "fps", str(text_path), "--format", "pytx-text")[0] == 0
    assert "b" * 32 in text_path.read_text()
    assert invoke("bank", "export", "nope", str(text_path))[0] == 1
    code, out = invoke("bank", "pause", "fps", "--analyst", "A. Analyst", "--reason", "flood")
    assert code == 0 and "paused" in out
    code, out = invoke("bank", "list")
    assert "paused: flood (A. Analyst)" in out
    assert invoke("bank", "resume", "fps", "--analyst", "A. Analyst")[0] == 0
    assert "enabled" in invoke("bank", "list")[1]
    assert invoke("bank", "pause", "nope", "--analyst", "A")[0] == 1
    assert invoke("bank", "pause", "fps", "--analyst", " ")[0] == 2
