"""``vigil serve --demo``: the demo workspace is built, its one-time logons printed, and the
server pointed at its store (the demo world and uvicorn are replaced here; the browser tests
build and serve the real ones)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from vigil import DemoWorkspace, Enrolment, Role
from vigil.cli import serve
from vigil.cli.main import app
from vigil.workspace.demo import DemoAccount


@dataclass
class FakeResult:
    cases: list[object] = field(default_factory=lambda: [object()] * 3)


def test_serve_demo_prints_the_logons_and_serves_the_demo_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built: dict[str, Any] = {}

    def fake_demo(folder: Path, *_args: Any, **_kwargs: Any) -> DemoWorkspace:
        built["folder"] = folder
        return DemoWorkspace(f"sqlite:///{folder / 'vigil.db'}", "demo", (
            DemoAccount("demo-admin", Role.ADMIN, "pw-admin",
                        Enrolment("SECRETADMIN", "otpauth://totp/vigil:demo-admin")),
            DemoAccount("demo-analyst", Role.ANALYST, "pw-analyst",
                        Enrolment("SECRETANALYST", "otpauth://totp/vigil:demo-analyst"))),
            FakeResult())  # type: ignore[arg-type]

    served: dict[str, Any] = {}
    monkeypatch.setattr(serve, "demo_workspace", fake_demo)
    monkeypatch.setattr("uvicorn.run", lambda *_a, **kw: served.update(kw))
    monkeypatch.delenv("VIGIL_DATABASE_URL", raising=False)  # restored (unset) afterwards
    result = CliRunner().invoke(app, ["serve", "--demo", "--demo-dir", str(tmp_path / "w"),
                                      "--port", "8799"])
    assert result.exit_code == 0, result.output
    for text in ("demo-admin (admin): password pw-admin  TOTP secret SECRETADMIN",
                 "demo-analyst (analyst): password pw-analyst  TOTP secret SECRETANALYST",
                 "3 cases in tenant 'demo'", "http://127.0.0.1:8799/ui/login"):
        assert text in result.output
    assert built["folder"] == tmp_path / "w" and served["port"] == 8799
    assert os.environ["VIGIL_DATABASE_URL"] == f"sqlite:///{tmp_path / 'w' / 'vigil.db'}"
