"""Unknown plug-in names in settings end ``vigil run`` and ``vigil demo`` with one line, exit 2."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigil.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize(("variable", "value", "kind"), [
    ("VIGIL_DETECTORS", "media.hash,no-such-detector", "detector"),
    ("VIGIL_ENGINE", "no-such-engine", "engine"),
])
@pytest.mark.parametrize("command", [["run"], ["demo", "--out"]])
def test_unknown_plugin_name_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         variable: str, value: str, kind: str,
                                         command: list[str]) -> None:
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'v.db'}")
    monkeypatch.setenv(variable, value)
    args = [*command, str(tmp_path / "out")] if command[-1] == "--out" else command
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"unknown {kind}" in result.stderr
    assert "Traceback" not in result.output


def test_run_engine_option_overrides_the_setting(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """`vigil run --engine NAME` is checked like VIGIL_ENGINE (and beats it)."""
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'v.db'}")
    monkeypatch.setenv("VIGIL_ENGINE", "duckdb")
    result = runner.invoke(app, ["run", "--engine", "no-such-engine"])
    assert result.exit_code == 2
    assert "unknown engine 'no-such-engine'; known: duckdb, spark" in result.stderr
