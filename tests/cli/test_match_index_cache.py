"""``vigil match`` twice: the second call loads the index from the cache, with the same output."""

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.testing.pictures import draw_picture

runner = CliRunner()


def test_second_match_loads_the_cached_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'db' / 'vigil.db'}")
    monkeypatch.setenv("VIGIL_MEDIA_INDEX", "mih")
    picture = tmp_path / "p.png"
    draw_picture(21).convert("RGB").save(picture)
    hashed = runner.invoke(app, ["hash", str(picture)])
    pdq = hashed.stdout.split('"pdq": "')[1][:64]
    bank = tmp_path / "bank.csv"
    bank.write_text(f"hash,signal_type,label,source\n{pdq},pdq,drawn,test\n")
    assert runner.invoke(app, ["bank", "import", str(bank), "--name", "b"]).exit_code == 0
    caplog.set_level(logging.INFO, "vigil.media.banks.index_cache")
    first = runner.invoke(app, ["match", str(picture)])
    second = runner.invoke(app, ["match", str(picture)])
    assert first.exit_code == second.exit_code == 0
    assert '"label": "drawn"' in first.stdout and second.stdout == first.stdout
    said = [r.getMessage().split(" ")[2] for r in caplog.records]
    assert said == ["built", "loaded"]
    assert (tmp_path / "db" / "index-cache" / "pdq-mih.npz").exists()
