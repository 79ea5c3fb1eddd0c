"""Signing on through the organisation's identity provider (OpenID Connect), when configured.

``/ui/oidc/start`` sets a random pre-login cookie and sends the browser to the provider;
``/ui/oidc/callback`` takes the provider's answer, finishes the logon started by that cookie
(:class:`vigil.PendingLogons`: one-time state, nonce and PKCE verifier), has the provider's
ID token checked (:class:`vigil.OidcProvider`) and maps it to a local account
(:func:`vigil.account_for_claims`). If the provider did MFA the session starts at once; else
``/ui/oidc/code`` asks for vigil's own TOTP code, as a local logon does. Every refusal is a page
naming the reason, is audited and, where a checked token names an open account, counts towards
its lockout (:meth:`vigil.AccountService.identity_refused`). The cookie is ``SameSite=Lax``
because the callback is a top-level navigation from the provider's site, which a ``Strict``
cookie would not reach.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from vigil import (
    IdentityProvider,
    LoginRefused,
    NewSession,
    OidcError,
    UnmappedIdentity,
    account_for_claims,
    csrf_token,
)
from vigil.web.pages.render import render
from vigil.web.pages.session import COOKIE, LOGIN_PATH
from vigil.web.pages.state import PageState, page_state

router = APIRouter(prefix="/ui/oidc", include_in_schema=False)
OIDC_COOKIE = "vigil_oidc"
OIDC_PATH = "/ui/oidc"


def _provider(state: PageState) -> IdentityProvider:
    if state.oidc is None:
        raise HTTPException(404, "no identity provider is configured")
    return state.oidc


def _refused(request: Request, reason: str, username: str = "", status: int = 401) -> Response:
    state = page_state(request)
    state.accounts.identity_refused(username, reason, _provider(state).issuer)
    state.pending.forget(request.cookies.get(OIDC_COOKIE, ""))
    response = render("oidc_refused.html", reason=reason, status=status)
    response.delete_cookie(OIDC_COOKIE, path=OIDC_PATH)
    return response


def _signed_in(request: Request, session: NewSession) -> Response:
    response = RedirectResponse("/ui/queue", status_code=303)
    response.set_cookie(COOKIE, session.session_id, path="/ui", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    response.delete_cookie(OIDC_COOKIE, path=OIDC_PATH)
    return response


@router.get("/start")
def start(request: Request) -> Response:
    state = page_state(request)
    try:
        begun = _provider(state).begin()
    except OidcError as exc:
        return _refused(request, exc.reason, status=502)
    cookie = secrets.token_urlsafe(32)
    state.pending.start(cookie, begun)
    response = RedirectResponse(begun.url, status_code=303)
    response.set_cookie(OIDC_COOKIE, cookie, max_age=600, path=OIDC_PATH, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
    return response


@router.get("/callback")
def callback(request: Request, code: str = "", state: str = "", error: str = "") -> Response:
    pages = page_state(request)
    provider = _provider(pages)
    cookie = request.cookies.get(OIDC_COOKIE, "")
    try:
        begun = pages.pending.finish(cookie, state[:200])
    except OidcError as exc:
        return _refused(request, exc.reason, status=400)
    try:
        if error:
            raise OidcError(f"the identity provider refused the logon ({error[:100]})")
        logon = account_for_claims(pages.account_store, provider.issuer,
                                   provider.claims(code[:2000], begun))
    except OidcError as exc:
        return _refused(request, exc.reason, exc.username)
    except UnmappedIdentity as exc:
        return _refused(request, str(exc), exc.username)
    name = logon.account.username
    if logon.needs_totp:
        pages.pending.await_code(cookie, name)
        return RedirectResponse(f"{OIDC_PATH}/code", status_code=303)
    try:
        return _signed_in(request, pages.accounts.identity_logon(name, provider.issuer))
    except LoginRefused as exc:
        return _refused(request, exc.reason)


@router.get("/code")
def code_form(request: Request) -> Response:
    cookie = request.cookies.get(OIDC_COOKIE, "")
    if not page_state(request).pending.awaiting(cookie):
        return RedirectResponse(LOGIN_PATH, status_code=303)
    return render("oidc_code.html", token=csrf_token(cookie), error="")


@router.post("/code")
def code_submit(request: Request, code: Annotated[str, Form(max_length=10)],
                token: Annotated[str, Form(max_length=100)] = "") -> Response:
    pages = page_state(request)
    cookie = request.cookies.get(OIDC_COOKIE, "")
    username = pages.pending.awaiting(cookie)
    if not username or not hmac.compare_digest(csrf_token(cookie), token):
        return RedirectResponse(LOGIN_PATH, status_code=303)
    try:
        session = pages.accounts.second_factor(username, code.strip(),
                                               _provider(pages).issuer)
    except LoginRefused:
        if pages.pending.awaiting(cookie) and not _locked(pages, username):
            return render("oidc_code.html", token=token, status=401,
                          error="That code did not log you on. Check it and try again.")
        pages.pending.forget(cookie)
        return render("oidc_refused.html", status=401,
                      reason="the account is locked or disabled after failed logons")
    pages.pending.forget(cookie)
    return _signed_in(request, session)


def _locked(pages: PageState, username: str) -> bool:
    account = pages.account_store.account(username)
    return account is None or account.locked or account.disabled
