"""HMA-compatible matching and curation: ``/m/...`` and ``/c/...`` as HMA's blueprints serve them.

Paths, query parameters and JSON shapes follow hasher-matcher-actioner's OpenMediaMatch
``matching`` and ``curation`` blueprints, so a client written for HMA works unchanged; what
differs is said in :mod:`vigil.hma`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from starlette.concurrency import run_in_threadpool

from vigil import (
    MediaLookup,
    find_bank,
    hma_add_signals,
    hma_bank,
    hma_compare,
    hma_create_bank,
    hma_index_status,
    hma_lookup,
    hma_raw_lookup,
    hma_update_bank,
)
from vigil.web.errors import ERROR_RESPONSES
from vigil.web.policy import AdminCaller, Caller, LookupCaller

router = APIRouter(tags=["hma"], responses=ERROR_RESPONSES)
JsonObject = Annotated[dict[str, Any], Body()]


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


async def _index(caller: Caller) -> MediaLookup:
    """The tenant's loaded index; waits off the event loop only while it is (re)built."""
    cache = caller.tenant.intake.lookups
    lookup = cache.current()  # (an empty index is falsy: compare with None)
    return lookup if lookup is not None else await run_in_threadpool(cache.get)


# The lookups are async: one lookup is a short CPU step (an in-memory index), which costs less
# on the event loop than the thread hop a sync route makes (profiled under make bench-api).
@router.get("/m/raw_lookup")
async def raw_lookup(caller: LookupCaller, signal: str, signal_type: str,
                     include_distance: str = "false") -> dict[str, Any]:
    """Content ids of the bank entries ``signal`` matches (with distances when asked)."""
    return hma_raw_lookup(await _index(caller), signal_type, signal, _truthy(include_distance))


@router.get("/m/lookup")
async def lookup(caller: LookupCaller, signal: str, signal_type: str) -> list[str]:
    """The banks with an enabled entry that ``signal`` matches."""
    return hma_lookup(await _index(caller), signal_type, signal)


@router.post("/m/compare")
def compare(caller: LookupCaller, pairs: JsonObject) -> dict[str, Any]:
    """``{signal_type: [left, right]}`` to the distance and whether it is a match."""
    return hma_compare(pairs)


@router.get("/m/index/status")
def index_status(caller: LookupCaller) -> dict[str, Any]:
    """Whether the index is loaded, when it was built and how many hashes it holds."""
    status = caller.tenant.intake.lookups.status()
    return hma_index_status(status.size, status.built_at)


@router.get("/c/banks")
def banks(caller: LookupCaller) -> list[dict[str, Any]]:
    """Every bank of the caller's tenant."""
    return [hma_bank(bank) for bank in caller.tenant.store.banks()]


@router.get("/c/bank/{bank_name}")
def bank(caller: LookupCaller, bank_name: str) -> dict[str, Any]:
    """One bank by name (404 when the tenant has none of that name)."""
    return hma_bank(find_bank(caller.tenant.store, bank_name))


@router.post("/c/banks", status_code=201)
def create_bank(caller: AdminCaller, body: JsonObject) -> dict[str, Any]:
    """Create a bank: ``{"name": ..., "enabled": true}`` (403 if it exists, as HMA answers)."""
    store = caller.tenant.store
    answer = hma_create_bank(store, store, body, actor=caller.actor)
    caller.tenant.intake.lookups.invalidate()
    return answer


@router.put("/c/bank/{bank_name}")
def update_bank(caller: AdminCaller, bank_name: str, body: JsonObject) -> dict[str, Any]:
    """Pause (``enabled: false``) or resume a bank, audited with the key as the actor."""
    store = caller.tenant.store
    answer = hma_update_bank(store, store, bank_name, body, actor=caller.actor)
    caller.tenant.intake.lookups.invalidate()
    return answer


@router.post("/c/bank/{bank_name}/signal")
async def add_signal(caller: AdminCaller, bank_name: str, body: JsonObject) -> dict[str, Any]:
    """Add ``{signal_type: hash}`` to a bank; answers the content id and the signals."""
    store = caller.tenant.store
    found = await run_in_threadpool(find_bank, store, bank_name)
    answer = await run_in_threadpool(hma_add_signals, store, found, body)
    caller.tenant.intake.lookups.invalidate()
    return answer
