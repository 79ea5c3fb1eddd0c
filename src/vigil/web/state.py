"""What every request handler reaches through ``request.app.state``: settings, keys, tenants."""

from __future__ import annotations

from dataclasses import dataclass, field

from vigil import KeyStore, Registry, Settings, Store, TenantStores
from vigil.web.limits import RateLimiter

KEY_CACHE_S = 2.0
"""How long the service keeps a verified key's row: ``vigil keys revoke`` run in another process
takes effect within this; a revocation through the service's own key store, at once."""


@dataclass
class ServiceState:
    """The service's long-lived parts, built once by :func:`vigil.web.app.create_app`.

    ``keys`` caches a key's row for :data:`KEY_CACHE_S` seconds. ``registry`` names the
    exporters the export route may use (``vigil plugins`` lists them).
    """

    settings: Settings
    main_store: Store
    keys: KeyStore
    tenants: TenantStores
    registry: Registry
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter())
