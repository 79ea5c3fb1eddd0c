"""``vigil audit``: audited CLI decisions land on the custody log, which verifies, prints its
signed head, lists its entries, and fails naming the first problem once a row is tampered with."""

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from vigil.cli.main import app

runner = CliRunner()


@pytest.fixture()
def store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("VIGIL_CUSTODY_KEY", raising=False)
    return tmp_path


def invoke(*args: str) -> tuple[int, str]:
    """Exit code and everything printed (stderr too: problems and the store line go there)."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def head_json(*args: str) -> tuple[int, str]:
    """``vigil audit head``: exit code and the JSON it prints on stdout."""
    result = runner.invoke(app, ["audit", "head", *args])
    return result.exit_code, result.stdout


def _pause_and_resume(tmp_path: Path) -> None:
    bank = tmp_path / "fps.csv"
    bank.write_text("hash,signal_type,label,source\n" + "b" * 32 + ",md5,x,y\n")
    assert invoke("bank", "import", str(bank), "--name", "fps")[0] == 0
    assert invoke("bank", "pause", "fps", "--analyst", "A. Analyst", "--reason", "flood")[0] == 0
    assert invoke("bank", "resume", "fps", "--analyst", "B. Analyst")[0] == 0


def _sql(tmp_path: Path, statement: str) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


def test_bank_decisions_are_on_the_custody_log_and_verify(store_env: Path) -> None:
    _pause_and_resume(store_env)
    code, out = invoke("audit", "list", "--limit", "5")
    assert code == 0 and "pause_bank" in out and "resume_bank" in out and "flood" in out
    code, out = head_json()
    head = json.loads(out)
    assert code == 0 and head["size"] == 2 and len(head["signature"]) == 128
    key = store_env / "custody-ed25519.key"  # beside the SQLite store
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    code, out = invoke("audit", "verify")
    assert code == 0 and f"verified 2 entries, root {head['root']}" in out


def test_verify_fails_naming_the_altered_entry(store_env: Path) -> None:
    _pause_and_resume(store_env)
    _sql(store_env, "UPDATE audit_events SET justification = 'flooe' WHERE seq = 1")
    code, out = invoke("audit", "verify")
    assert code == 1 and "entry 1 was altered" in out


def test_a_witnessed_head_catches_truncation_after_the_heads_are_deleted(store_env: Path) -> None:
    _pause_and_resume(store_env)
    witnessed = store_env / "head.json"
    witnessed.write_text(head_json()[1])
    _sql(store_env, "DELETE FROM audit_events WHERE seq = 2")
    _sql(store_env, "DELETE FROM custody_heads")
    assert invoke("audit", "verify")[0] == 0
    code, out = invoke("audit", "verify", "--head", str(witnessed))
    assert code == 1 and "truncated" in out
    other = json.loads(witnessed.read_text()) | {"size": 1}
    witnessed.write_text(json.dumps(other))
    code, out = invoke("audit", "verify", "--head", str(witnessed))
    assert code == 1 and "signature" in out
    witnessed.write_text("{}")
    assert invoke("audit", "verify", "--head", str(witnessed))[0] == 2


def test_a_case_decision_records_role_case_and_reason(store_env: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from vigil.custody.heads import HeadSigner
    from vigil.model import Case
    from vigil.store.open import open_store

    monkeypatch.setenv("VIGIL_CUSTODY_KEY", str(store_env / "elsewhere" / "k.pem"))
    store = open_store(os.environ["VIGIL_DATABASE_URL"])
    store.replace_cases([Case("case-1", (), (), 0.5, ())])
    store.close()
    code, _ = invoke("cases", "status", "case-1", "confirmed", "--analyst", "A. Analyst",
                     "--reason", "two banks agree")
    assert code == 0
    code, out = head_json()
    assert code == 0 and (store_env / "elsewhere" / "k.pem").is_file()
    public = HeadSigner(store_env / "elsewhere" / "k.pem").public_key()
    assert json.loads(out)["public_key"] == public
    store = open_store(os.environ["VIGIL_DATABASE_URL"])
    (entry,) = store.custody_entries()
    store.close()
    assert (entry.actor, entry.role, entry.case_id, entry.justification) == (
        "A. Analyst", "analyst", "case-1", "two banks agree")
    assert invoke("audit", "verify", "--public-key", "00" * 32)[0] == 1


def test_opening_a_case_is_a_logged_read(store_env: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from vigil.model import Case
    from vigil.store.open import open_store

    store = open_store(os.environ["VIGIL_DATABASE_URL"])
    store.replace_cases([Case("case-1", (), (), 0.5, ())])
    store.close()
    opened = invoke("cases", "show", "case-1", "--analyst", "A. Analyst", "--reason", "triage")
    assert opened[0] == 0
    monkeypatch.setattr("getpass.getuser", lambda: "ops")
    assert invoke("cases", "show", "case-1", "--json")[0] == 0
    assert invoke("cases", "show", "case-nope", "--analyst", "A. Analyst")[0] == 1
    assert invoke("cases", "show", "case-1", "--analyst", " ")[0] == 2
    store = open_store(os.environ["VIGIL_DATABASE_URL"])
    reads = [(e.actor, e.action, e.case_id, e.justification) for e in store.custody_entries()]
    store.close()
    assert reads == [("A. Analyst", "view_case", "case-1", "triage"),
                     ("login:ops", "view_case", "case-1", "")]
