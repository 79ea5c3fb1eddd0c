"""The public API: every name resolves, ``import vigil`` stays light, the CLI uses nothing else."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import vigil

CLI = Path(__file__).resolve().parents[2] / "src" / "vigil" / "cli"
WEB = CLI.parent / "web"
HEAVY = ("numpy", "PIL", "av", "torch", "sqlalchemy", "pydantic", "igraph", "duckdb")
"""Modules ``import vigil`` must not load: the CLI's ``--help`` and the web API's start pay for
them only when a command needs them."""


@pytest.mark.parametrize("name", vigil.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(vigil, name) is not None
    assert name in dir(vigil)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        vigil.no_such_thing  # noqa: B018


def test_import_vigil_loads_no_heavy_module() -> None:
    code = f"import sys, vigil; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout.strip()
    assert out == "[]"


def internal_imports(path: Path, own: str = "vigil.cli") -> list[str]:
    """``vigil.x`` modules a file imports, other than ``vigil`` itself and ``own`` (its layer)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        elif isinstance(node, ast.ImportFrom):
            names = ["(relative import)"]
        else:
            continue
        found += [name for name in names if name != "vigil" and name.split(".")[0] == "vigil"
                  and not (name == own or name.startswith(own + "."))
                  or name == "(relative import)"]
    return found


def test_the_check_sees_an_internal_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import vigil\nfrom vigil import run\nfrom vigil.cli import common\n"
                      "def f():\n    from vigil.store.open import open_store\n"
                      "import vigil.review\nfrom . import x\n")
    assert sorted(internal_imports(module)) == ["(relative import)", "vigil.review",
                                                "vigil.store.open"]


def test_the_cli_imports_only_the_public_api() -> None:
    modules = sorted(CLI.rglob("*.py"))
    assert modules
    offending = {str(p.relative_to(CLI)): internal_imports(p) for p in modules}
    assert not {k: v for k, v in offending.items() if v}, offending


def test_the_web_layer_imports_only_the_public_api() -> None:
    modules = sorted(WEB.rglob("*.py"))
    assert len(modules) >= 5
    offending = {str(p.relative_to(WEB)): internal_imports(p, "vigil.web") for p in modules}
    assert not {k: v for k, v in offending.items() if v}, offending
