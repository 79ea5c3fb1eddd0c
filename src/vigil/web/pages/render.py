"""Server-rendered pages: one Jinja2 environment over ``vigil/web/templates``, autoescaped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from vigil import __version__
from vigil.web.pages.session import PageUser

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"

_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else "—"


_ENV.filters["when"] = _when


NAV = (("Queue", "/ui/queue", "queue.view"), ("Status", "/ui/status", "bank.view"),
       ("Outbox", "/ui/outbox", "outbox.view"),
       ("Accounts", "/ui/admin/accounts", "admin.accounts"))
"""The workspace's pages in the nav, each shown when the policy allows its action."""


def render(name: str, user: PageUser | None = None, *, status: int = 200,
           headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    """The template ``name`` with ``context``, the user (for the nav) and its CSRF token."""
    nav = [{"label": label, "href": href} for label, href, action in NAV
           if user is not None and user.may(action)]
    html = _ENV.get_template(name).render(user=user, csrf=user.csrf if user else "",
                                          version=__version__, nav_links=nav, **context)
    return HTMLResponse(html, status_code=status, headers=headers)
