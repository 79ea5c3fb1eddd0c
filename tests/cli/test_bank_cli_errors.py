"""``vigil bank``: bad options and paths end in one clear line and a non-zero exit, never a
traceback; ``bank list`` counts hashes in the store instead of loading them."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.store.sql import SqlStore

runner = CliRunner()
PDQ = "a" * 64


@pytest.fixture()
def bank_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    path = tmp_path / "bank.csv"
    path.write_text(f"hash,signal_type,label,source\n{PDQ},pdq,x,y\n")
    return path


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception,
                                                                       SystemExit), result.output
    return result.exit_code, result.output


@pytest.mark.parametrize(("options", "named"), [
    (["--name", "b", "--threshold", "300"], "--threshold"),
    (["--name", "b", "--threshold", "256"], "--threshold"),
    (["--name", "b", "--threshold", "-1"], "--threshold"),
    (["--name", ""], "--name"),
    (["--name", "   "], "--name"),
    (["--name", " padded "], "--name"),
    (["--name", "x" * 101], "--name"),
    (["--name", "tab\there"], "--name"),
])
def test_import_refuses_bad_options(bank_file: Path, options: list[str], named: str) -> None:
    code, out = invoke("bank", "import", str(bank_file), *options)
    assert code == 2 and named in out and "Traceback" not in out
    assert invoke("bank", "list")[1].count("positive") == 0  # nothing was created


def test_import_accepts_the_limits(bank_file: Path) -> None:
    assert invoke("bank", "import", str(bank_file), "--name", "b", "--threshold", "255")[0] == 0
    assert invoke("bank", "import", str(bank_file), "--name", "z", "--threshold", "0")[0] == 0


def _deny(target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process runs as root in CI containers, where chmod denies nothing: refuse by hand."""
    write_text = Path.write_text

    def refusing(self: Path, *args: object, **kwargs: object) -> int:
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return write_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", refusing)


@pytest.mark.parametrize("case", ["missing folder", "a directory", "no permission"])
def test_export_to_a_bad_path_names_it(bank_file: Path, tmp_path: Path, case: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    assert invoke("bank", "import", str(bank_file), "--name", "b")[0] == 0
    target = {"missing folder": tmp_path / "nope" / "out.csv", "a directory": tmp_path,
              "no permission": tmp_path / "locked.csv"}[case]
    if case == "no permission":
        _deny(target, monkeypatch)
    code, out = invoke("bank", "export", "b", str(target))
    assert code == 1 and "Traceback" not in out
    lines = [line for line in out.splitlines() if line.strip() and not line.startswith("store: ")]
    assert len(lines) == 1 and lines[0].startswith(f"{target}: cannot write the bank file")


def test_export_refuses_an_unknown_format(bank_file: Path, tmp_path: Path) -> None:
    assert invoke("bank", "import", str(bank_file), "--name", "b")[0] == 0
    code, out = invoke("bank", "export", "b", str(tmp_path / "o.csv"), "--format", "nope")
    assert code == 2 and "--format" in out and not (tmp_path / "o.csv").exists()


def test_list_counts_in_the_store(bank_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert invoke("bank", "import", str(bank_file), "--name", "b")[0] == 0
    assert invoke("bank", "pause", "b", "--analyst", "A. Analyst")[0] == 0

    def no_loading(self: SqlStore, bank: str | None = None) -> list[object]:
        raise AssertionError("bank list loaded the entries to count them")

    monkeypatch.setattr(SqlStore, "bank_entries", no_loading)
    code, out = invoke("bank", "list")
    assert code == 0 and "│ 1 " in out
