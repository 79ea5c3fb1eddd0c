"""Opening the configured store for a command or a request, and saying what went wrong safely.

The CLI (and later the web service) calls these instead of composing store internals itself:
where the store is (:mod:`vigil.store.location`), how long writers wait
(:class:`~vigil.store.retry.RetryPolicy`), a one-line summary of what is in it, and a printable
description of any store failure that never quotes a row's values.
"""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from vigil.custody.heads import HeadSigner
from vigil.settings import Settings
from vigil.store.errors import StoreError, safe_description
from vigil.store.interfaces import Store
from vigil.store.location import StoreLocation
from vigil.store.open import RECORD_COUNT_CAP, open_store, record_count
from vigil.store.retry import RetryPolicy


def open_located_store(location: StoreLocation, settings: Settings) -> Store:
    """The store at ``location``, migrated, with the writers' wait budget from ``settings``;
    its audit appends sign a custody-log head every ``custody_sign_every`` entries."""
    store = open_store(location.url, RetryPolicy(budget_s=settings.store_timeout))
    store.use_head_signer(custody_signer(settings, location), settings.custody_sign_every)
    return store


def custody_signer(settings: Settings, location: StoreLocation) -> HeadSigner:
    """The key that signs this store's custody heads: ``VIGIL_CUSTODY_KEY``, else beside it."""
    return HeadSigner.for_store(settings.custody_key, location.url)


def store_summary(store: Store, location: StoreLocation) -> str:
    """``<url> (<why this store>; <n> records)``, counting at most ``RECORD_COUNT_CAP`` rows."""
    count = record_count(store)
    size = "" if count is None else (
        f"; {count}+ records" if count >= RECORD_COUNT_CAP else f"; {count} records")
    return f"{location.shown} ({location.origin}{size})"


def store_failure_text(error: BaseException, label: str) -> str | None:
    """A safe one-line description of a store failure, or ``None`` if ``error`` is not one.

    ``label`` names the store as the caller shows it; a :class:`StoreError` about another URL
    (say a second store) names that URL in the text.
    """
    if isinstance(error, StoreError):
        named = error.url is None or error.url in label
        return error.problem if named else f"{error.url}: {error.problem}"
    if isinstance(error, SQLAlchemyError):
        return safe_description(error)
    return None


__all__ = ["custody_signer", "open_located_store", "store_failure_text", "store_summary"]
