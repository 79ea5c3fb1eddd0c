"""Where a tenant's store lives, and which tenant a store URL belongs to.

The naming of :mod:`vigil.access.tenants` (``tenants/<tenant>.db`` beside a SQLite main store, a
``vigil_tenant_<tenant>`` schema reached through libpq's ``search_path`` on PostgreSQL), kept
here, below every module that opens stores, so that what sits beside a store (its Parquet record
parts, :mod:`vigil.columnar.split`) can be kept per tenant too.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

TENANT_FOLDER = "tenants"
TENANT_SCHEMA_PREFIX = "vigil_tenant_"


def tenant_of_store_url(database_url: str) -> str | None:
    """The tenant whose store ``database_url`` names; ``None`` for the main store."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        path = Path(url.database)
        return path.stem if path.parent.name == TENANT_FOLDER else None
    options = url.query.get("options", "")
    option = options if isinstance(options, str) else " ".join(options)
    marker = f"-csearch_path={TENANT_SCHEMA_PREFIX}"
    return option.split(marker, 1)[1].split()[0] if marker in option else None


__all__ = ["TENANT_FOLDER", "TENANT_SCHEMA_PREFIX", "tenant_of_store_url"]
