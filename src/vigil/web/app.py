"""The FastAPI app: settings in, routes over the library out.

``create_app(settings)`` opens the main store (which keeps the API keys) where
:func:`vigil.locate_store` finds it, and opens each tenant's store on first use. Shutdown
finishes pending background runs and closes every store; uvicorn lets in-flight requests (and
so their commits) finish first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from vigil import (
    Registry,
    Settings,
    Store,
    TenantStores,
    __version__,
    key_store_for,
    load_registry,
    locate_store,
    open_store,
)
from vigil.web import errors, observe
from vigil.web.routes import cases, filing, health, hma, intake, media
from vigil.web.state import KEY_CACHE_S, ServiceState


def create_app(settings: Settings, *, main_store: Store | None = None,
               registry_factory: Callable[[], Registry] = load_registry,
               background: bool = True) -> FastAPI:
    """The service over the store ``settings`` names (or ``main_store``, for tests)."""
    location = locate_store(settings.database_url, settings.home)
    store = main_store if main_store is not None else open_store(location.url)
    tenants = TenantStores(location.url, settings, registry_factory, background=background)
    state = ServiceState(settings, store, key_store_for(store, cache_s=KEY_CACHE_S),
                         tenants, registry_factory())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        state.open_tenants.clear()  # a later start (tests restart the app) opens them afresh
        tenants.close()
        store.close()

    app = FastAPI(title="vigil", version=__version__, lifespan=lifespan,
                  description="Panic-button intake, HMA-compatible hash lookups and cases.")
    app.state.vigil = state
    errors.install(app)
    for module in (intake, media, hma, cases, filing, health):
        app.include_router(module.router)
    observe.install(app, state)
    return app


def app_from_environment() -> FastAPI:
    """The app with settings from ``VIGIL_*`` variables: uvicorn's factory for ``vigil serve``."""
    return create_app(Settings())
