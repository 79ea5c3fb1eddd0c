"""The admins' account page: list the tenant's accounts, create one (its one-time password and
TOTP secret shown once), change a role, disable or enable, unlock, reset the second factor.

Every route asks the policy for ``admin.accounts`` on the own tenant (403 for other roles) and
hands the change to :class:`vigil.AccountAdmin`, which checks the target account's tenant (an
account of another tenant is a 404, as if it did not exist), requires the justification and
audits the change. Forms carry the session's CSRF token.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from vigil import (
    AccountAdmin,
    AccountChangeRefused,
    AccountError,
    Role,
    UnknownAccountError,
)
from vigil.web.pages.access import tenant_for
from vigil.web.pages.render import render
from vigil.web.pages.session import Actor, PageUser, Viewer
from vigil.web.pages.state import page_state

router = APIRouter(prefix="/ui/admin/accounts", include_in_schema=False)
Why = Annotated[str, Form(max_length=500)]
ACTIONS = ("disable", "enable", "unlock", "totp")


def _admin(request: Request, user: PageUser) -> AccountAdmin:
    tenant_for(request, user, "admin.accounts")
    state = page_state(request)
    return AccountAdmin(state.accounts, state.account_store)


def _page(request: Request, user: PageUser, admin: AccountAdmin, *, message: str = "",
          status: int = 200, **shown: object) -> Response:
    return render("admin_accounts.html", user, accounts=admin.accounts(user.account),
                  roles=[r.value for r in Role], message=message, status=status,
                  created=shown.get("created"), enrolment=shown.get("enrolment"),
                  enrolled=shown.get("enrolled", ""))


@router.get("")
def accounts_page(request: Request, user: Viewer) -> Response:
    return _page(request, user, _admin(request, user))


@router.post("")
def create(request: Request, user: Actor, justification: Why,
           username: Annotated[str, Form(max_length=64)] = "",
           role: Annotated[str, Form(max_length=20)] = "analyst") -> Response:
    admin = _admin(request, user)
    try:
        made = admin.create(user.account, username.strip(), Role(role), justification)
    except (AccountError, ValueError) as exc:
        return _page(request, user, admin, message=f"Not created: {exc}", status=422)
    return _page(request, user, admin, created=made,
                 message=f"Created {made.username}. Its password and TOTP secret are shown "
                         "below once: hand them over now.")


@router.post("/{username}/role")
def change_role(request: Request, user: Actor, username: str, justification: Why,
                role: Annotated[str, Form(max_length=20)] = "") -> Response:
    admin = _admin(request, user)
    try:
        admin.set_role(user.account, username, Role(role), justification)
    except UnknownAccountError:
        raise HTTPException(404, "not found") from None
    except (AccountChangeRefused, ValueError) as exc:
        return _page(request, user, admin, message=f"Not changed: {exc}", status=422)
    return _page(request, user, admin, message=f"{username} is now {role}.")


@router.post("/{username}/{action}")
def change(request: Request, user: Actor, username: str, action: str,
           justification: Why) -> Response:
    if action not in ACTIONS:
        raise HTTPException(404, "not found")
    admin = _admin(request, user)
    enrolment = None
    try:
        if action == "totp":
            enrolment = admin.reset_totp(user.account, username, justification)
        elif action == "unlock":
            admin.unlock(user.account, username, justification)
        else:
            admin.set_disabled(user.account, username, action == "disable", justification)
    except UnknownAccountError:
        raise HTTPException(404, "not found") from None
    except (AccountChangeRefused, ValueError) as exc:
        return _page(request, user, admin, message=f"Not changed: {exc}", status=422)
    done = {"disable": "disabled", "enable": "enabled", "unlock": "unlocked",
            "totp": "given a new TOTP secret (shown below once)"}[action]
    return _page(request, user, admin, message=f"{username} {done}.", enrolment=enrolment,
                 enrolled=username)
