"""The FastAPI app: settings in, routes over the library out.

``create_app(settings)`` opens the main store (which keeps the API keys) where
:func:`vigil.locate_store` finds it, and opens each tenant's store on first use. Shutdown
finishes pending background runs and closes every store; uvicorn lets in-flight requests (and
so their commits) finish first.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI

from vigil import (
    AccountService,
    IdentityProvider,
    PendingLogons,
    Registry,
    SessionRules,
    Settings,
    Store,
    TenantStores,
    __version__,
    account_store,
    key_store_for,
    load_registry,
    locate_store,
    open_store,
    provider_from_settings,
)
from vigil.web import errors, fastlane, observe, pages
from vigil.web.pages.clock import PageClock
from vigil.web.pages.state import PageState
from vigil.web.routes import cases, filing, health, hma, intake, media
from vigil.web.state import KEY_CACHE_S, ServiceState


def create_app(settings: Settings, *, main_store: Store | None = None,
               registry_factory: Callable[[], Registry] = load_registry,
               background: bool = True, accounts: AccountService | None = None,
               clock: PageClock | None = None,
               identity_provider: IdentityProvider | None = None) -> FastAPI:
    """The service over the store ``settings`` names (or ``main_store``, for tests).

    The workspace pages log on through ``accounts`` (default: the main store's accounts under
    the settings' session rules) and read time from ``clock``; tests pass fake ones. The login
    page offers ``identity_provider`` (default: the one ``VIGIL_OIDC_*`` configure, if any)."""
    location = locate_store(settings.database_url, settings.home)
    store = main_store if main_store is not None else open_store(location.url)
    tenants = TenantStores(location.url, settings, registry_factory, background=background)
    state = ServiceState(settings, store, key_store_for(store, cache_s=KEY_CACHE_S),
                         tenants, registry_factory())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(tenants.preload, state.keys)  # indexes in before serving
        yield
        tenants.close()
        store.close()

    app = FastAPI(title="vigil", version=__version__, lifespan=lifespan,
                  description="Panic-button intake, HMA-compatible hash lookups and cases.")
    app.state.vigil = state
    errors.install(app)
    for module in (intake, media, hma, cases, filing, health):
        app.include_router(module.router)
    if settings.api_fast_lane:
        fastlane.install(app)  # innermost: between the request log and FastAPI's router
    observe.install(app, state)
    people = account_store(store)
    now = clock or _utc_now
    service = accounts or AccountService(people, store, SessionRules.from_settings(settings),
                                         clock=now)
    oidc = identity_provider or provider_from_settings(settings, clock=now)
    pages.install(app, PageState(settings, service, people, tenants, state.registry, now,
                                 oidc, PendingLogons(now)))
    return app


def _utc_now() -> datetime:
    return datetime.now(UTC)


def app_from_environment() -> FastAPI:
    """The app with settings from ``VIGIL_*`` variables: uvicorn's factory for ``vigil serve``."""
    return create_app(Settings())
