"""Logging on (password and TOTP code) and off, over :class:`vigil.AccountService`.

The login form carries its own CSRF token, a double-submit of a random value also set as a
short-lived ``SameSite=Strict`` cookie, so another site cannot log a browser in to an account of
its choosing (OWASP Cross-Site Request Forgery Prevention Cheat Sheet, "login CSRF"). A refused
logon says the same whatever the cause; the cause is in the custody log only.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from vigil import LoginRefused
from vigil.web.pages.render import render
from vigil.web.pages.session import COOKIE, LOGIN_PATH, Actor
from vigil.web.pages.state import page_state

router = APIRouter(prefix="/ui", include_in_schema=False)
LOGIN_COOKIE = "vigil_login"
REFUSED = "Those details did not log you on. Check the username, password and code."


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _login_form(request: Request, error: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    provider = page_state(request).oidc
    response = render("login.html", login_token=token, error=error, status=status,
                      provider_name=provider.name if provider is not None else "")
    response.set_cookie(LOGIN_COOKIE, token, max_age=900, path=LOGIN_PATH, httponly=True,
                        samesite="strict", secure=_secure(request))
    return response


@router.get("")
def home() -> Response:
    return RedirectResponse("/ui/queue", status_code=303)


@router.get("/login")
def login_page(request: Request) -> Response:
    return _login_form(request)


@router.post("/login")
def login(request: Request, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=1024)],
          code: Annotated[str, Form(max_length=10)],
          login_token: Annotated[str, Form(max_length=100)] = "") -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, login_token):
        return _login_form(request, "The form had expired. Please log on again.", 400)
    try:
        session = page_state(request).accounts.login(username.strip(), password, code.strip())
    except LoginRefused:
        return _login_form(request, REFUSED, 401)
    response = RedirectResponse("/ui/queue", status_code=303)
    response.set_cookie(COOKIE, session.session_id, path="/ui", httponly=True,
                        samesite="strict", secure=_secure(request))
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_PATH)
    return response


@router.post("/logout")
def logout(request: Request, user: Actor) -> Response:
    page_state(request).accounts.logout(user.session_id)
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(COOKIE, path="/ui", httponly=True, samesite="strict")
    return response
