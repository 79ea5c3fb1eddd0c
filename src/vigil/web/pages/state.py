"""What the pages reach through ``request.app.state.pages``: accounts, tenants, clock, settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request

from vigil import (
    AccountService,
    AccountStore,
    IdentityProvider,
    PendingLogons,
    Registry,
    Settings,
    TenantStores,
)
from vigil.web.pages.clock import PageClock


@dataclass
class PageState:
    """The pages' long-lived parts, built once by :func:`vigil.web.pages.install`."""

    settings: Settings
    accounts: AccountService
    account_store: AccountStore
    tenants: TenantStores
    registry: Registry
    clock: PageClock
    oidc: IdentityProvider | None = None
    pending: PendingLogons = field(default_factory=PendingLogons)


def page_state(request: Request) -> PageState:
    state: PageState = request.app.state.pages
    return state
