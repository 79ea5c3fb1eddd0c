"""Response headers of every page: a strict Content-Security-Policy, no framing, no caching.

The policy allows scripts, styles, images and connections from vigil itself only, with no
inline script or style (OWASP Content Security Policy Cheat Sheet, "strict" policy); pages are
never framed (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``, OWASP Clickjacking
Defense Cheat Sheet); and no page is kept by the browser or a proxy (``Cache-Control:
no-store``, OWASP Session Management Cheat Sheet), since every page but the login names case
data or the account.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

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


def install(app: FastAPI) -> None:
    """Add the headers to every response under ``/ui`` (and ``/``, which redirects there)."""

    @app.middleware("http")
    async def page_headers(request: Request,
                           call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        path = request.url.path
        if path == "/" or path.startswith(PAGE_PREFIX):
            response.headers.update(PAGE_HEADERS)
            if not path.startswith(STATIC_PREFIX):
                response.headers["Cache-Control"] = "no-store"
                response.headers["Pragma"] = "no-cache"
        return response
