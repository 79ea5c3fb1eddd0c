"""The objects a page acts on, found and checked against the one policy (:func:`vigil.can`).

A tenant the account may not reach, or a case that is not in the tenant's store, is a 404 (so
ids cannot be probed across tenants); a case the account may see exists but may not act on in
that way is a 403. No route decides access itself: each names the action and asks here.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException, Request

from vigil import Case, Target, Tenant, claim_store
from vigil.web.pages.session import PageUser
from vigil.web.pages.state import page_state


@dataclass(frozen=True)
class CaseInView:
    """A case as a page sees it: its tenant, the case, its holder and the policy's target."""

    tenant: Tenant
    case: Case
    holder: str

    @property
    def target(self) -> Target:
        return Target(self.tenant.name, self.case.id, self.holder)


def tenant_for(request: Request, user: PageUser, action: str, tenant: str = "") -> Tenant:
    """The store of ``tenant`` (default the account's own) if the policy allows ``action`` on
    it; else 403 for the own tenant and 404 for another, without opening anything."""
    name = tenant or user.account.tenant
    if not user.may(action, Target(name)):
        if name == user.account.tenant:
            raise HTTPException(403, f"your role may not do '{action}'")
        raise HTTPException(404, "not found")
    return user.tenant if name == user.account.tenant else page_state(request).tenants.get(name)


def case_for(request: Request, user: PageUser, case_id: str, action: str,
             tenant: str = "") -> CaseInView:
    """The case ``case_id`` if the policy allows ``action`` on it: 404 when it is not there
    (or its tenant is out of reach), 403 when the account may not take that action."""
    name = tenant or user.account.tenant
    if not user.may("queue.view", Target(name)):
        raise HTTPException(404, "not found")
    found = tenant_for(request, user, "queue.view", name)
    case = found.store.case(case_id)
    if case is None:
        raise HTTPException(404, "not found")
    holder = claim_store(found.store).holders().get(case_id, "")
    view = CaseInView(found, case, holder)
    if not user.may(action, view.target):
        raise HTTPException(403, f"your role may not do '{action}' on this case")
    return view
