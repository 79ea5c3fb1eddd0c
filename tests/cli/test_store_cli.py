"""Every command says which store it uses; store and settings problems end in one clear line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from vigil.cli.main import app
from vigil.store.location import find_store_folder

runner = CliRunner()
PHONE, EMAIL = "+639171234567", "maria.santos@example.org"
PAYMENT = {"txn_id": "t1", "sender": "wise:1", "beneficiary": f"gcash:{PHONE}", "amount": 10,
           "currency": "USD", "amount_usd": 10, "sender_country": "US",
           "beneficiary_country": "PH", "sent_at": "2026-01-01T00:00:00Z",
           "sender_phone": PHONE, "sender_email": EMAIL}


@pytest.fixture(autouse=True)
def no_store_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("VIGIL_DATABASE_URL", "VIGIL_HOME", "VIGIL_STORE_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)


def one_line_failure(result: Result) -> str:
    """The single line a failed command printed, checked to come without a traceback."""
    assert result.exit_code not in (0, None), result.output
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def test_a_command_names_its_store_and_record_count(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'v.db'}"
    monkeypatch.setenv("VIGIL_DATABASE_URL", url)
    payments = tmp_path / "p.jsonl"
    payments.write_text(json.dumps(PAYMENT) + "\n")
    assert runner.invoke(app, ["import", "payment", str(payments)]).exit_code == 0
    result = runner.invoke(app, ["cases", "list"])
    assert result.exit_code == 0
    assert result.stderr == f"store: {url} (VIGIL_DATABASE_URL; 1 records)\n"
    assert "store:" not in result.stdout


def test_a_sub_folder_finds_the_store_of_its_parent(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    if find_store_folder(tmp_path) is not None:
        pytest.skip("a .vigil/ store exists above the test folder")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["cases", "list"])
    assert result.stderr.startswith(
        f"store: sqlite:///{tmp_path / '.vigil' / 'vigil.db'} (new, in this folder")
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "sub" / "deeper")
    result = runner.invoke(app, ["quarantine"])
    assert result.exit_code == 0
    assert result.stderr.startswith(
        f"store: sqlite:///{tmp_path / '.vigil' / 'vigil.db'} (found in a parent folder")
    assert not (tmp_path / "sub" / "deeper" / ".vigil").exists()


def test_vigil_home_names_the_store_folder(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_HOME", str(tmp_path / "home"))
    result = runner.invoke(app, ["cases", "list"])
    assert result.exit_code == 0
    assert result.stderr.startswith(f"store: sqlite:///{tmp_path / 'home' / 'vigil.db'} "
                                    "(VIGIL_HOME")


@pytest.mark.parametrize(("url", "expected"), [
    ("", "VIGIL_DATABASE_URL is set but empty"),
    ("   ", "VIGIL_DATABASE_URL is set but empty"),
    ("mysql://analyst:s3cret@db.example/vigil", "unsupported database URL scheme 'mysql'"),
    ("not a url", "unsupported database URL (not a URL)"),
    ("postgresql://analyst:s3cret@127.0.0.1:1/vigil?connect_timeout=2",
     "cannot open it: OperationalError"),
])
def test_a_bad_database_url_ends_in_one_line(url: str, expected: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_DATABASE_URL", url)
    line = one_line_failure(runner.invoke(app, ["cases", "list"]))
    assert "VIGIL_DATABASE_URL" in line and expected in line and "s3cret" not in line
    if url.strip():
        assert url.replace("s3cret", "***") in line


def test_a_sqlite_folder_that_cannot_be_made_ends_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    url = f"sqlite:///{tmp_path / 'a-file' / 'sub' / 'v.db'}"
    monkeypatch.setenv("VIGIL_DATABASE_URL", url)
    line = one_line_failure(runner.invoke(app, ["quarantine"]))
    assert url in line and "VIGIL_DATABASE_URL" in line and "cannot create the folder" in line


@pytest.mark.parametrize("value", ["abc", "0", "-1"])
def test_a_bad_store_timeout_names_the_setting(value: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_STORE_TIMEOUT", value)
    line = one_line_failure(runner.invoke(app, ["cases", "list"]))
    assert line.startswith(f"vigil: setting VIGIL_STORE_TIMEOUT='{value}'")


def test_a_failing_write_prints_neither_traceback_nor_row_values(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "v.db"
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{path}")
    assert runner.invoke(app, ["quarantine"]).exit_code == 0  # creates the store
    with sqlite3.connect(path) as conn:  # as a full disk would, every insert fails
        conn.execute("CREATE TRIGGER full BEFORE INSERT ON records "
                     "BEGIN SELECT RAISE(ABORT, 'no room left'); END")
    payments = tmp_path / "p.jsonl"
    payments.write_text(json.dumps(PAYMENT) + "\n")
    result = runner.invoke(app, ["import", "payment", str(payments)])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 3
    assert PHONE not in result.output and EMAIL not in result.output
    assert "Traceback" not in result.output
    assert f"vigil: store sqlite:///{path} (VIGIL_DATABASE_URL): IntegrityError" in result.stderr


def test_the_demo_reports_a_bad_store_in_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo"), "--database-url",
                                 "postgresql://analyst:s3cret@127.0.0.1:1/vigil?connect_timeout=2"])
    line = one_line_failure(result)
    assert line.startswith("vigil: demo store: postgresql://analyst:***@127.0.0.1:1/vigil")
    assert "OperationalError" in line and "s3cret" not in line
