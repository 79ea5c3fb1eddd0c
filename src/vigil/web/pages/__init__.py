"""The analyst workspace's pages, served by the same FastAPI app as the JSON API.

Server-rendered Jinja2 templates with HTMX (vendored, served from ``/ui/static``: no CDN), a
session cookie from :class:`vigil.AccountService`, and the one authorisation policy
(:func:`vigil.can`). :func:`install` mounts everything on an app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from vigil.web.pages import (
    admin,
    case,
    case_actions,
    login,
    oidc,
    queue,
    reveal,
    security,
    views,
)
from vigil.web.pages.render import STATIC, render
from vigil.web.pages.session import LOGIN_PATH, LoginRequired
from vigil.web.pages.state import PageState

Handler = Callable[[Request, Any], Awaitable[Response] | Response]
ROUTERS = (login.router, oidc.router, queue.router, case.router, case_actions.router,
           reveal.router, views.router, admin.router)
"""Every router of the pages (the authorisation matrix test walks them)."""


def _login_required(request: Request, _exc: Exception) -> Response:
    if "hx-request" in request.headers:
        return Response(status_code=401, headers={"HX-Redirect": LOGIN_PATH})
    return RedirectResponse(LOGIN_PATH, status_code=303)


def _for_pages(api_handler: Handler, status_of: Callable[[Any], int]) -> Handler:
    """Errors under ``/ui`` as a small HTML page; elsewhere the API's own JSON answer."""

    async def handle(request: Request, exc: Any) -> Response:
        if not request.url.path.startswith(security.PAGE_PREFIX):
            answer = api_handler(request, exc)
            return await answer if isinstance(answer, Awaitable) else answer
        status = status_of(exc)
        detail = getattr(exc, "detail", "") if status != 422 else "The form was not valid."
        return render("error.html", status=status, detail=str(detail), code=status)

    return handle


def install(app: FastAPI, state: PageState) -> None:
    """Mount the pages, their static files, headers and error pages on ``app``."""
    app.state.pages = state
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="static")
    security.install(app)
    app.add_exception_handler(LoginRequired, _login_required)
    http = app.exception_handlers[StarletteHTTPException]
    app.add_exception_handler(StarletteHTTPException,
                              _for_pages(http, lambda exc: int(exc.status_code)))
    invalid = app.exception_handlers[RequestValidationError]
    app.add_exception_handler(RequestValidationError, _for_pages(invalid, lambda _exc: 422))
