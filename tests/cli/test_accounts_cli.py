"""``vigil accounts``: create prints a working TOTP secret once; list shows state; unlock is
audited; bad input exits 1 naming the problem."""

from __future__ import annotations

import re
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from vigil.cli.main import app

runner = CliRunner()
PASSWORD = "correct horse battery"


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.delenv("VIGIL_CUSTODY_KEY", raising=False)
    return path


def _create(username: str, role: str = "analyst", *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["accounts", "create", "--username", username, "--role", role,
                                 "--tenant", "ngo-1", *extra],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    return result.exit_code, result.output


def test_create_prints_the_one_time_secret_and_list_shows_the_account(db: Path) -> None:
    code, out = _create("ana", "reviewer", "--admin", "admin-1")
    assert code == 0, out
    secret = re.search(r"TOTP secret: (\w+)", out)
    assert secret is not None and "otpauth://totp/vigil:ana" in out
    assert len(pyotp.TOTP(secret.group(1)).now()) == 6
    assert PASSWORD not in out
    listed = runner.invoke(app, ["accounts", "list"])
    assert listed.exit_code == 0 and "ana" in listed.output and "reviewer" in listed.output
    assert "open" in listed.output and secret.group(1) not in listed.output


def test_create_refuses_bad_input_naming_it(db: Path) -> None:
    assert _create("ana")[0] == 0
    code, out = _create("ana")
    assert code == 1 and "exists already" in out
    code, out = _create("has space")
    assert code == 1 and "username" in out
    code, out = _create("bo", "superuser")
    assert code == 2 and "superuser" in out


def test_unlock_is_audited_and_needs_a_reason(db: Path) -> None:
    assert _create("ana")[0] == 0
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE accounts SET locked_at = '2026-11-30T09:00:00+00:00'"))
    assert "locked since" in runner.invoke(app, ["accounts", "list"]).output
    result = runner.invoke(app, ["accounts", "unlock", "ana", "--admin", "admin-1",
                                 "--reason", " "])
    assert result.exit_code == 1 and "reason" in result.output
    result = runner.invoke(app, ["accounts", "unlock", "ana", "--admin", "admin-1",
                                 "--reason", "help desk ticket 42"])
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        row = conn.execute(text("SELECT actor, action, target, justification FROM audit_events "
                                "ORDER BY seq DESC LIMIT 1")).one()
        locked = conn.execute(text("SELECT locked_at FROM accounts")).scalar_one()
    engine.dispose()
    assert tuple(row) == ("admin-1", "account.unlock", "ana", "help desk ticket 42")
    assert locked is None
    result = runner.invoke(app, ["accounts", "unlock", "nobody", "--admin", "a", "--reason", "r"])
    assert result.exit_code == 1 and "no account named 'nobody'" in result.output
