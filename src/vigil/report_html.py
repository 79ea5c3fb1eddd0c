"""The static HTML report: ranked cases, each with its reasons, signals and a network picture."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from vigil.model import Case
from vigil.netpicture import ENTITY_COLOUR, KIND_COLOURS, case_svg


def render_report(cases: Sequence[Case], as_of: datetime, summary: str = "",
                  limit: int = 50) -> str:
    """HTML for the top ``limit`` cases (autoescaped: identifiers are untrusted input)."""
    environment = Environment(loader=PackageLoader("vigil", "templates"),
                              autoescape=select_autoescape(["html"]))
    shown = list(cases[:limit])
    return environment.get_template("report.html").render(
        cases=shown, pictures={c.id: case_svg(c) for c in shown}, as_of=as_of.isoformat(),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), summary=summary,
        colours=KIND_COLOURS, entity_colour=ENTITY_COLOUR)


def write_report(path: Path, cases: Sequence[Case], as_of: datetime, summary: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(cases, as_of, summary), encoding="utf-8")
    return path
