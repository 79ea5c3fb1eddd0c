"""``vigil cases assign``, ``note`` and ``history``: decisions kept in the audit log, by name."""

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.core.factories import T0, signal
from vigil import Case, open_store
from vigil.audit import AuditEvent
from vigil.cli.main import app

runner = CliRunner()


@pytest.fixture()
def one_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("VIGIL_DATABASE_URL", url)
    store = open_store(url)
    store.replace_cases([Case("case-a", (), (signal("account:chat:a"),), 0.5, ())])
    store.close()
    return "case-a"


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def test_assign_note_and_history(one_case: str) -> None:
    assert invoke("cases", "history", one_case) == (0, "no decisions on 'case-a' yet\n")
    code, out = invoke("cases", "assign", one_case, "--to", "Rosa", "--analyst", "Lead")
    assert (code, out) == (0, "case-a: assigned to Rosa (by Lead)\n")
    code, out = invoke("cases", "note", one_case, "asked [the] platform [/x]", "--analyst", "Rosa")
    assert (code, out) == (0, "case-a: note added (by Rosa)\n")
    assert invoke("cases", "status", one_case, "in_review", "--analyst", "Rosa")[0] == 0
    code, out = invoke("cases", "history", one_case)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert lines[0].endswith("Lead: assign (assignee: Rosa)")
    assert lines[1].endswith("Rosa: note (text: asked [the] platform [/x])")
    assert lines[2].endswith("Rosa: set_status (status: in_review)")


@pytest.mark.parametrize(("args", "code"), [
    (("assign", "case-a", "--to", "Rosa", "--analyst", " "), 2),
    (("note", "case-a", "text", "--analyst", ""), 2),
    (("assign", "case-a", "--to", " ", "--analyst", "Lead"), 2),
    (("note", "case-a", " ", "--analyst", "Lead"), 2),
    (("assign", "case-nope", "--to", "Rosa", "--analyst", "Lead"), 1),
    (("note", "case-nope", "text", "--analyst", "Lead"), 1),
])
def test_refused_decisions_exit_non_zero_and_leave_no_trace(one_case: str, args: tuple[str, ...],
                                                            code: int) -> None:
    assert invoke("cases", *args)[0] == code
    assert invoke("cases", "history", one_case)[1] == "no decisions on 'case-a' yet\n"


def test_history_of_a_merged_case_marks_what_came_from_the_absorbed_case(one_case: str) -> None:
    assert invoke("cases", "note", one_case, "first look", "--analyst", "Rosa")[0] == 0
    store = open_store(os.environ["VIGIL_DATABASE_URL"])
    store.append_audit(AuditEvent("vigil:pipeline", "merge_cases", "case-z", T0,
                                  {"survivor": "case-z", "absorbed": ["case-a"]}))
    store.close()
    code, out = invoke("cases", "history", "case-z")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].endswith("Rosa: note (text: first look) [from case case-a]")
    assert "merge_cases" in lines[1] and "[from case" not in lines[1]
