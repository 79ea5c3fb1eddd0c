"""``vigil export``: chosen cases through any registered exporter, to a file or standard output."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.core.test_export import two_cases
from vigil.cli.main import app
from vigil.confirmation import confirm_case
from vigil.store.open import open_store

runner = CliRunner()


@pytest.fixture()
def case_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("VIGIL_DATABASE_URL", url)
    store = open_store(url)
    cases = two_cases()
    store.replace_cases(cases)
    for case in cases:
        confirm_case(store, store, case.id, actor="C. Lead", role="lead", note="checked")
    store.close()
    return [case.id for case in cases]


def test_export_json_to_stdout_and_html_to_a_file(case_ids: list[str], tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", *case_ids, "--analyst", "A. Analyst"])
    assert result.exit_code == 0
    assert [c["id"] for c in json.loads(result.stdout)] == case_ids
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["export", case_ids[0], "--format", "html", "--out", str(out),
                                 "--analyst", "A. Analyst"])
    assert result.exit_code == 0, result.output
    assert case_ids[0] in out.read_text(encoding="utf-8")
    assert case_ids[1] not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--format", "pdf"], 2, "unknown exporter 'pdf'; known: "),
    (["--analyst", " "], 2, "an export needs the analyst's name"),
    (["case-nope"], 1, "no case 'case-nope'"),
])
def test_bad_exports_say_why_in_one_line(case_ids: list[str], args: list[str], code: int,
                                         message: str) -> None:
    result = runner.invoke(app, ["export", case_ids[0], "--analyst", "A. Analyst", *args])
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output
