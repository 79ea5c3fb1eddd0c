"""The logged-in account of a page request, and the CSRF check of every state-changing one.

Pages depend on :data:`Viewer` (reading) or :data:`Actor` (changing: the form field ``csrf`` or
the ``X-CSRF-Token`` header HTMX sends must match the session's token). The session itself is
checked by :meth:`vigil.AccountService.check` on every request: idle, lifetime and logout rules
live there, not here. A page without a valid session answers with a redirect to the login page
(HTMX requests get ``HX-Redirect``); a failed CSRF check is a 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from vigil import Account, SessionInvalid, Target, Tenant, can, csrf_token
from vigil.web.pages.state import page_state

COOKIE = "vigil_session"
LOGIN_PATH = "/ui/login"


class LoginRequired(Exception):
    """No valid session: the page sends the browser to the login page."""


@dataclass(frozen=True)
class PageUser:
    """A request's account, session and CSRF token, and its tenant's store."""

    account: Account
    session_id: str
    tenant: Tenant

    @property
    def csrf(self) -> str:
        return csrf_token(self.session_id)

    @property
    def name(self) -> str:
        return self.account.username

    def may(self, action: str, target: Target | None = None) -> bool:
        """The one policy's answer (:func:`vigil.can`); the default target is the own tenant."""
        return can(self.account, action, target or Target(self.account.tenant))


def _user(request: Request, csrf: str | None) -> PageUser:
    session_id = request.cookies.get(COOKIE)
    if not session_id:
        raise LoginRequired()
    state = page_state(request)
    try:
        account = state.accounts.check(session_id, csrf=csrf)
    except SessionInvalid as exc:
        if csrf is not None and "CSRF" in str(exc):
            raise HTTPException(403, "the form's security token does not match; reload the "
                                     "page and try again") from None
        raise LoginRequired() from None
    return PageUser(account, session_id, state.tenants.get(account.tenant))


def viewer(request: Request) -> PageUser:
    """The account of a reading request (GET)."""
    return _user(request, None)


async def actor(request: Request) -> PageUser:
    """The account of a changing request, after its CSRF token is checked."""
    token = request.headers.get("x-csrf-token")
    if token is None:
        form = await request.form()
        value = form.get("csrf")
        token = value if isinstance(value, str) else ""
    return _user(request, token)


Viewer = Annotated[PageUser, Depends(viewer)]
Actor = Annotated[PageUser, Depends(actor)]
