"""HMA-compatible matching and curation: ``/m/...`` and ``/c/...`` as HMA's blueprints serve them.

Paths, query parameters and JSON shapes follow hasher-matcher-actioner's OpenMediaMatch
``matching`` and ``curation`` blueprints, so a client written for HMA works unchanged; what
differs is said in :mod:`vigil.hma`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from starlette.concurrency import run_in_threadpool

from vigil import (
    MediaLookup,
    find_bank,
    hma_add_signals,
    hma_bank,
    hma_bank_content,
    hma_compare,
    hma_create_bank,
    hma_delete_bank,
    hma_delete_bank_content,
    hma_index_status,
    hma_lookup,
    hma_raw_lookup,
    hma_update_bank,
    hma_update_bank_content,
)
from vigil.web.errors import ERROR_RESPONSES
from vigil.web.policy import AdminCaller, Caller, LookupCaller

router = APIRouter(tags=["hma"], responses=ERROR_RESPONSES)
JsonObject = Annotated[dict[str, Any], Body()]

# What the routes accept, for the OpenAPI document only: the library checks the bodies itself
# and answers 400 as HMA does (a pydantic body would answer 422).
_PDQ, _MD5 = "^[0-9a-fA-F]{64}$", "^[0-9a-fA-F]{32}$"
_SIGNAL_TYPES = {"enum": ["pdq", "video_md5", "md5"]}
_SIGNAL = {"pattern": "^([0-9a-fA-F]{32}|[0-9a-fA-F]{64})$",
           "description": "64 hex digits for pdq, 32 for video_md5/md5"}


def _pair(pattern: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string", "pattern": pattern},
            "minItems": 2, "maxItems": 2}


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"content": {"application/json": {"schema": schema}}}}


_COMPARE_BODY = _json_body({"type": "object", "additionalProperties": False, "properties": {
    "pdq": _pair(_PDQ), "video_md5": _pair(_MD5), "md5": _pair(_MD5)}})
_SWITCHES = {"enabled": {"type": ["boolean", "null"]},
             "enabled_ratio": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
             "description": {"type": "string"}, "reason": {"type": "string"}}
_CREATE_BODY = _json_body({"type": "object", "required": ["name"], "properties": {
    "name": {"type": "string", "pattern": "^[A-Za-z0-9_]{1,100}$"}, **_SWITCHES}})
_CONTENT_BODY = _json_body({"type": "object", "properties": {
    "disable_until_ts": {"type": "integer", "minimum": 0,
                         "description": "0 pauses the entry, 1 (or a time past) resumes it"},
    "reason": {"type": "string"}}})
_UPDATE_BODY = _json_body({"type": "object", "properties": _SWITCHES,
                           "description": "`name`, if given, must be the bank's own"})


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
async def raw_lookup(caller: LookupCaller,
                     signal: Annotated[str, Query(json_schema_extra=_SIGNAL)],
                     signal_type: Annotated[str, Query(json_schema_extra=_SIGNAL_TYPES)],
                     include_distance: str = "false", banks: str | None = None) -> dict[str, Any]:
    """Content ids of the bank entries ``signal`` matches (with distances when asked)."""
    return hma_raw_lookup(await _index(caller), signal_type, signal, _truthy(include_distance),
                          banks)


@router.get("/m/lookup")
async def lookup(caller: LookupCaller, signal: Annotated[str, Query(json_schema_extra=_SIGNAL)],
                 signal_type: Annotated[str, Query(json_schema_extra=_SIGNAL_TYPES)],
                 banks: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Per bank with an enabled entry that ``signal`` matches: ``bank_content_id``, ``distance``.

    HMA's ``url`` parameter is not served (vigil fetches no media: upload it to ``POST``).
    """
    return hma_lookup(await _index(caller), signal_type, signal, banks)


@router.post("/m/compare", openapi_extra=_COMPARE_BODY)
def compare(caller: LookupCaller, pairs: Annotated[Any, Body()]) -> dict[str, Any]:
    """``{signal_type: [left, right]}`` to ``[match, {"distance": n}]`` per signal type."""
    return hma_compare(pairs)


@router.get("/m/index/status")
def index_status(caller: LookupCaller, signal_type: Annotated[str | None, Query(
        json_schema_extra={"enum": ["pdq", "video_md5"]})] = None) -> dict[str, Any]:
    """Whether the index is loaded, when it was built and how many hashes it holds."""
    status = caller.tenant.intake.lookups.status()
    return hma_index_status(status.size, status.built_at, signal_type)


@router.get("/c/banks")
def banks(caller: LookupCaller) -> list[dict[str, Any]]:
    """Every bank of the caller's tenant."""
    return [hma_bank(bank) for bank in caller.tenant.store.banks()]


@router.get("/c/bank/{bank_name}")
def bank(caller: LookupCaller, bank_name: str) -> dict[str, Any]:
    """One bank by name (404 when the tenant has none of that name)."""
    return hma_bank(find_bank(caller.tenant.store, bank_name))


@router.post("/c/banks", status_code=201, openapi_extra=_CREATE_BODY)
def create_bank(caller: AdminCaller, body: JsonObject) -> dict[str, Any]:
    """Create a bank: ``{"name": ..., "enabled": true}`` (403 if it exists, as HMA answers)."""
    store = caller.tenant.store
    answer = hma_create_bank(store, store, body, actor=caller.actor)
    caller.tenant.intake.lookups.invalidate()
    return answer


@router.put("/c/bank/{bank_name}", openapi_extra=_UPDATE_BODY)
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


@router.delete("/c/bank/{bank_name}")
def delete_bank(caller: AdminCaller, bank_name: str) -> dict[str, Any]:
    """Delete a bank and its hashes, audited (``{"message": "Done"}``, as HMA answers)."""
    store = caller.tenant.store
    answer = hma_delete_bank(store, store, bank_name, actor=caller.actor)
    caller.tenant.intake.lookups.invalidate()
    return answer


@router.get("/c/bank/{bank_name}/content/{content_id}")
def bank_content(caller: LookupCaller, bank_name: str, content_id: int,
                 signal_type: str | None = None,
                 include_signals: str = "false") -> dict[str, Any]:
    """One entry by content id: ``id``, ``bank``, ``enabled``; ``signals`` when asked for."""
    return hma_bank_content(caller.tenant.store, bank_name, content_id,
                            signal_type=signal_type, include_signals=_truthy(include_signals))


@router.put("/c/bank/{bank_name}/content/{content_id}", openapi_extra=_CONTENT_BODY)
def update_bank_content(caller: AdminCaller, bank_name: str, content_id: int,
                        body: JsonObject) -> dict[str, Any]:
    """Pause (``disable_until_ts: 0``) or resume (``1``) one entry, audited."""
    store = caller.tenant.store
    answer = hma_update_bank_content(store, store, bank_name, content_id, body,
                                     actor=caller.actor)
    caller.tenant.intake.lookups.invalidate()
    return answer


@router.delete("/c/bank/{bank_name}/content/{content_id}")
def delete_bank_content(caller: AdminCaller, bank_name: str,
                        content_id: int) -> dict[str, Any]:
    """Delete one entry for good, audited: ``{"deleted": n}``."""
    store = caller.tenant.store
    answer = hma_delete_bank_content(store, store, bank_name, content_id, actor=caller.actor)
    caller.tenant.intake.lookups.invalidate()
    return answer
