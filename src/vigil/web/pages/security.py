"""Response headers of every page: a strict Content-Security-Policy, no framing, no caching.

The policy allows scripts, styles, images and connections from vigil itself only, with no
inline script or style (OWASP Content Security Policy Cheat Sheet, "strict" policy); pages are
never framed (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``, OWASP Clickjacking
Defense Cheat Sheet); and no page is kept by the browser or a proxy (``Cache-Control:
no-store``, OWASP Session Management Cheat Sheet), since every page but the login names case
data or the account.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_PREFIX = "/ui"
STATIC_PREFIX = "/ui/static"

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'; object-src 'none'")

PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class PageHeaders:
    """Adds :data:`PAGE_HEADERS` (and no caching) to every response under ``/ui`` and ``/``.

    Plain ASGI, not Starlette's ``BaseHTTPMiddleware``: that one wraps every request of the app,
    the API's included, in an extra task and stream (profiled under ``make bench-api``: more
    than a lookup's own match); this one only checks the path of the others.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == "/" or path.startswith(PAGE_PREFIX)):
            await self.app(scope, receive, send)
            return
        no_store = not path.startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(PAGE_HEADERS)
                if no_store:
                    headers["Cache-Control"] = "no-store"
                    headers["Pragma"] = "no-cache"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    """Add the headers to every response under ``/ui`` (and ``/``, which redirects there)."""
    app.add_middleware(PageHeaders)
