"""Liveness and readiness: ``/healthz`` says the process answers; ``/readyz`` says it can work.

``/readyz`` needs no key (an orchestrator's probe has none) and then says only whether the main
store answers; with a key of any scope it adds the caller's tenant: store reachable, index
loaded, and each bank's entries in the index and the index's age.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from vigil import readiness
from vigil.web.policy import authenticate, state_of

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready when the main store (and, with a key, the tenant's store and index) can work."""
    state = state_of(request)
    main_ok = await run_in_threadpool(_reachable, state.main_store)
    body: dict[str, Any] = {"store_reachable": main_ok}
    key = await authenticate(request)
    ready = main_ok
    if key is not None:
        tenant = await run_in_threadpool(state.tenants.get, key.tenant)
        await run_in_threadpool(tenant.intake.lookups.get)  # load the index if not yet
        body["tenant"] = await run_in_threadpool(readiness, tenant)
        ready = ready and bool(body["tenant"]["store_reachable"])
    body["ready"] = ready
    return JSONResponse(body, status_code=200 if ready else 503)


def _reachable(store: Any) -> bool:
    try:
        store.banks()
    except Exception:  # any failure means not ready; its text may name hosts, so not shown
        return False
    return True
