"""The FastAPI app: settings in, routes over the library out.

``create_app(settings)`` opens the main store (which keeps the API keys) where
:func:`vigil.locate_store` finds it, and opens each tenant's store on first use. Shutdown
finishes pending background runs and closes every store; uvicorn lets in-flight requests (and
so their commits) finish first.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

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
from vigil.web import errors
from vigil.web.routes import cases, health, hma, intake, media
from vigil.web.state import ServiceState

logger = logging.getLogger("vigil.web")
REQUEST_ID = "X-Request-ID"


def create_app(settings: Settings, *, main_store: Store | None = None,
               registry_factory: Callable[[], Registry] = load_registry,
               background: bool = True) -> FastAPI:
    """The service over the store ``settings`` names (or ``main_store``, for tests)."""
    location = locate_store(settings.database_url, settings.home)
    store = main_store if main_store is not None else open_store(location.url)
    tenants = TenantStores(location.url, settings, registry_factory, background=background)
    state = ServiceState(settings, store, key_store_for(store), tenants)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        tenants.close()
        store.close()

    app = FastAPI(title="vigil", version=__version__, lifespan=lifespan,
                  description="Panic-button intake, HMA-compatible hash lookups and cases.")
    app.state.vigil = state
    errors.install(app)
    for module in (intake, media, hma, cases, health):
        app.include_router(module.router)
    app.middleware("http")(_request_id)
    return app


async def _request_id(request: Request,
                      call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Give every request an id (the client's ``X-Request-ID`` if it is short and plain)."""
    given = request.headers.get(REQUEST_ID, "")
    request_id = given if given.isascii() and given.isalnum() and len(given) <= 64 \
        else uuid.uuid4().hex
    request.state.request_id = request_id
    response = await call_next(request)
    response.headers[REQUEST_ID] = request_id
    return response


def app_from_environment() -> FastAPI:
    """The app with settings from ``VIGIL_*`` variables: uvicorn's factory for ``vigil serve``."""
    return create_app(Settings())
