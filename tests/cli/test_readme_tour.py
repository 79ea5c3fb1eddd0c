"""The README's tour runs as written on what ``make demo`` leaves in ``demo-out/``.

Each line of the tour's code block is run in-process (Typer's runner for ``vigil``, ``exec`` for
the ``python -c`` lines) in a fresh folder where ``vigil demo --out demo-out`` (what ``make demo``
runs) has just been run.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.store.location import find_store_folder

pytestmark = pytest.mark.heavy(seconds=55)

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
CAPTURE = re.compile(r"^(\w+)=\$\((vigil .*) \| python -c '(.*)'\)$")
PYTHON = re.compile(r"^python -c '(.*)'$")


def tour_lines() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("## A tour of the CLI", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_the_readme_says_where_vigil_is_and_how_to_activate_it() -> None:
    text = (ROOT / "README.md").read_text()
    assert ".venv/bin/vigil" in text and "source .venv/bin/activate" in text


def _vigil(line: str, variables: dict[str, str]) -> str:
    args = [variables.get(arg[1:], arg) if arg.startswith("$") else arg
            for arg in shlex.split(line, comments=True)]
    assert args[0] == "vigil", line
    result = runner.invoke(app, args[1:])
    assert result.exit_code == 0, f"{line}\n{result.output}"
    return result.stdout


def _python(code: str, stdin: str = "") -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        saved, sys.stdin = sys.stdin, io.StringIO(stdin)
        try:
            exec(code, {})
        finally:
            sys.stdin = saved
    return out.getvalue()


def _run(line: str, variables: dict[str, str]) -> None:
    if captured := CAPTURE.match(line):
        name, command, code = captured.groups()
        variables[name] = _python(code, _vigil(command, variables)).strip()
    elif code := PYTHON.match(line):
        _python(code.group(1))
    else:
        _vigil(line, variables)


@pytest.mark.slow
def test_every_tour_line_runs_on_what_make_demo_leaves(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if find_store_folder(tmp_path) is not None:
        pytest.skip("a .vigil/ store above the test folder would be found instead")
    for name in ("VIGIL_DATABASE_URL", "VIGIL_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["demo", "--out", "demo-out"]).exit_code == 0  # make demo
    variables: dict[str, str] = {}
    lines = tour_lines()
    assert len(lines) > 15
    for line in lines:
        if line.startswith("vigil demo "):
            continue  # a second demo world: tests/cli/test_cli.py runs `vigil demo --json`
        _run(line, variables)
    assert variables["CASE"].startswith("case-")
    assert (tmp_path / ".vigil" / "vigil.db").is_file()
