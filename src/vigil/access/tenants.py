"""One store per tenant, so that no query can reach another platform's data.

Two platforms sharing one deployment must never see each other's reports. Rather than a tenant
column that every query must remember to filter on, each tenant gets a store of its own
(docs/decisions/0005-one-store-per-tenant.md): SQLite keeps ``tenants/<tenant>.db`` beside the
main store; PostgreSQL keeps a schema per tenant, reached through libpq's ``search_path`` in the
URL; ``memory://`` keeps a memory store per tenant. The main store keeps the API keys. On top of
that, each tenant's intake stamps every record it takes in with the tenant's name
(docs/decisions/0006-tenant-on-records.md).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from vigil.access.keys import TENANT_PATTERN, KeyStore, Scope
from vigil.intake.service import Intake
from vigil.registry import Registry
from vigil.settings import Settings
from vigil.store.interfaces import Store
from vigil.store.open import MEMORY_URL, create_store_engine, open_store
from vigil.store.tenancy import TENANT_FOLDER, TENANT_SCHEMA_PREFIX

log = logging.getLogger(__name__)


class UnknownTenantError(ValueError):
    """A tenant name that cannot name a store."""


def tenant_store_url(main_url: str, tenant: str) -> str:
    """The URL of ``tenant``'s store, derived from the main store's URL."""
    if not TENANT_PATTERN.match(tenant):
        raise UnknownTenantError(f"tenant {tenant!r} is not a valid tenant name")
    if main_url == MEMORY_URL:
        return MEMORY_URL
    url = make_url(main_url)
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return "sqlite://"
        folder = Path(url.database).parent / TENANT_FOLDER
        return url.set(database=str(folder / f"{tenant}.db")).render_as_string(
            hide_password=False)
    options = f"-csearch_path={TENANT_SCHEMA_PREFIX}{tenant}"
    return url.update_query_dict({"options": options}).render_as_string(hide_password=False)


def _create_schema(main_url: str, tenant: str) -> None:
    """PostgreSQL: create the tenant's schema if it is missing (a no-op elsewhere)."""
    if main_url == MEMORY_URL or make_url(main_url).get_backend_name() == "sqlite":
        return
    engine = create_store_engine(main_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{TENANT_SCHEMA_PREFIX}{tenant}"'))
    finally:
        engine.dispose()


@dataclass
class Tenant:
    """One tenant's store and its intake (which holds the tenant's bank index)."""

    name: str
    store: Store
    intake: Intake


class TenantStores:
    """Opens each tenant's store on first use and keeps it (and its intake) until :meth:`close`."""

    def __init__(self, main_url: str, settings: Settings,
                 registry_factory: Callable[[], Registry], *, background: bool = True) -> None:
        self._main_url = main_url
        self._settings = settings
        self._registry_factory = registry_factory
        self._background = background
        self._tenants: dict[str, Tenant] = {}
        self._lock = threading.Lock()

    def get(self, tenant: str) -> Tenant:
        with self._lock:
            found = self._tenants.get(tenant)
            if found is None:
                found = self._open(tenant)
                self._tenants[tenant] = found
            return found

    def open_now(self, tenant: str) -> Tenant | None:
        """``tenant`` if it is open already, else ``None``: one dict read, no lock (an event loop
        may call it; :meth:`get` opens a tenant, off the loop)."""
        return self._tenants.get(tenant)

    def preload(self, keys: KeyStore) -> list[str]:
        """Open the tenant of every live key that matches media (lookup or intake scope) and
        build its bank index, so a worker of ``vigil serve --workers N`` takes no request
        before its index is in memory (uvicorn starts serving after the app's startup); a
        tenant whose store fails is left to open on first use. Returns the tenants loaded."""
        wanted = sorted({key.tenant for key in keys.api_keys() if not key.revoked
                         and key.scopes & {Scope.LOOKUP, Scope.INTAKE}})
        loaded = []
        for name in wanted:
            try:
                self.get(name).intake.lookups.get()
            except Exception:  # the store's own text may name a host or a file: not logged
                log.warning("index of tenant %s not preloaded; it loads on first use", name)
                continue
            loaded.append(name)
        return loaded

    def opened(self) -> list[Tenant]:
        with self._lock:
            return list(self._tenants.values())

    def _open(self, tenant: str) -> Tenant:
        url = tenant_store_url(self._main_url, tenant)
        _create_schema(self._main_url, tenant)
        store = open_store(url)
        intake = Intake(store, self._settings, self._registry_factory(),
                        background=self._background, tenant=tenant)
        return Tenant(tenant, store, intake)

    def close(self) -> None:
        """Finish pending runs, then close every store."""
        with self._lock:
            tenants, self._tenants = list(self._tenants.values()), {}
        for tenant in tenants:
            tenant.intake.close()
            tenant.store.close()


def readiness(tenant: Tenant) -> dict[str, object]:
    """``/readyz`` for one tenant: store reachable, index loaded, and each bank's index age.

    A bank's entries are as old in the index as the index itself: a bank changed after
    ``built_at`` is not matched by its change until the next rebuild (``VIGIL_LOOKUP_REFRESH_S``).
    """
    try:
        banks = tenant.store.banks()
        reachable = True
    except Exception:  # the store's own error text may name a host or a file: not shown
        banks, reachable = [], False
    status = tenant.intake.lookups.status()
    return {
        "tenant": tenant.name,
        "store_reachable": reachable,
        "index_loaded": status.loaded,
        "index_size": status.size,
        "index_built_at": status.built_at.isoformat() if status.built_at else None,
        "banks": [{"name": bank.name, "enabled": bank.enabled,
                   "entries_in_index": status.banks.get(bank.name, 0),
                   "index_age_s": round(status.age_s, 3) if status.age_s is not None else None}
                  for bank in banks],
    }
