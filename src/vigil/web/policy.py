"""Who may do what: the scope each route needs, and the checks on the objects it touches.

One place for every authorisation rule (OWASP API Security Top 10 2023, API1 "Broken Object
Level Authorization" and API5 "Broken Function Level Authorization"): routes ask here, never
decide themselves. Objects are checked by construction: a key's tenant picks the store a
request reads and writes (``vigil.access.tenants``), so an object of another tenant is simply
not there (404, never 403, so ids of other tenants cannot be probed either).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from vigil import ApiKey, Scope, Tenant, verify_key
from vigil.web.limits import retry_after
from vigil.web.state import ServiceState

ROUTE_SCOPES: dict[tuple[str, str], Scope] = {
    ("POST", "/v1/reports"): Scope.INTAKE,
    ("POST", "/v1/messages"): Scope.INTAKE,
    ("POST", "/v1/payments"): Scope.INTAKE,
    ("POST", "/v1/media/observations"): Scope.INTAKE,
    ("POST", "/v1/media/hash"): Scope.LOOKUP,
    ("POST", "/h/hash"): Scope.LOOKUP,
    ("GET", "/m/raw_lookup"): Scope.LOOKUP,
    ("GET", "/m/lookup"): Scope.LOOKUP,
    ("POST", "/m/lookup"): Scope.LOOKUP,
    ("POST", "/m/compare"): Scope.LOOKUP,
    ("GET", "/m/index/status"): Scope.LOOKUP,
    ("GET", "/c/banks"): Scope.LOOKUP,
    ("GET", "/c/bank/{bank_name}"): Scope.LOOKUP,
    ("POST", "/c/banks"): Scope.ADMIN,
    ("PUT", "/c/bank/{bank_name}"): Scope.ADMIN,
    ("POST", "/c/bank/{bank_name}/signal"): Scope.ADMIN,
    ("POST", "/c/bank/{bank_name}/content"): Scope.ADMIN,
    ("DELETE", "/c/bank/{bank_name}"): Scope.ADMIN,
    ("GET", "/c/bank/{bank_name}/content/{content_id}"): Scope.LOOKUP,
    ("PUT", "/c/bank/{bank_name}/content/{content_id}"): Scope.ADMIN,
    ("DELETE", "/c/bank/{bank_name}/content/{content_id}"): Scope.ADMIN,
    ("GET", "/v1/cases"): Scope.CASES_READ,
    ("GET", "/v1/cases/{case_id}"): Scope.CASES_READ,
    ("POST", "/v1/cases/{case_id}/status"): Scope.CASES_WRITE,
    ("POST", "/v1/cases/{case_id}/confirm"): Scope.CASES_WRITE,
    ("POST", "/v1/cases/{case_id}/dismiss"): Scope.CASES_WRITE,
    ("POST", "/v1/cases/{case_id}/export"): Scope.CASES_WRITE,  # outbound: see routes.filing
}
"""Every authenticated route and the one scope it needs (``admin`` does not imply others)."""

PUBLIC_ROUTES = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/openapi.json"),
                 ("GET", "/metrics")}
"""Routes without a key: probes, the API's description, and metrics that name no tenant."""


@dataclass(frozen=True)
class Caller:
    """An authenticated request: its key, and the tenant whose store it may use."""

    key: ApiKey
    tenant: Tenant

    @property
    def actor(self) -> str:
        """Who audited writes name: the key's name (or id) and tenant."""
        return f"api:{self.key.tenant}:{self.key.name or self.key.key_id}"


def state_of(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.vigil
    return state


def token_of(request: Request) -> str | None:
    """The key from ``Authorization: Bearer ...`` or ``X-API-Key`` (HMA clients set neither)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("x-api-key")


async def authenticate(request: Request) -> ApiKey | None:
    """The request's live key: from the key cache on the event loop, else read off it."""
    token = token_of(request)
    if not token:
        return None
    keys = state_of(request).keys
    return verify_key(keys, token, cached_only=True) or \
        await run_in_threadpool(verify_key, keys, token)


def admitted_at_hand(state: ServiceState, token: str | None, scope: Scope) -> Caller | None:
    """The caller when everything :func:`require` checks is at hand and passes, without I/O.

    ``None`` when anything is not at hand or not right (no key or one not cached, a missing
    scope, a tenant not open yet, an empty bucket): the full path (FastAPI and :func:`require`)
    then decides and answers. Nothing is spent before that: the bucket is asked last, and a
    refused take leaves it as it was, so the full path's own check decides the same.
    """
    key = verify_key(state.keys, token, cached_only=True) if token else None
    if key is None or scope not in key.scopes:
        return None
    tenant = state.tenants.open_now(key.tenant)
    if tenant is None or state.limiter.take(key.key_id, key.rate_per_s, key.burst) > 0:
        return None
    return Caller(key, tenant)


def require(scope: Scope) -> Any:
    """A dependency that admits keys holding ``scope``, within their rate, as a :class:`Caller`.

    Async, so that a request whose key is cached and whose tenant is open costs no thread hop;
    a key or tenant not yet at hand is read in the thread pool.
    """

    async def check(request: Request) -> Caller:
        at_hand = admitted_at_hand(state_of(request), token_of(request), scope)
        if at_hand is not None:
            return at_hand
        key = await authenticate(request)
        if key is None:
            raise HTTPException(401, "missing or invalid API key",
                                headers={"WWW-Authenticate": "Bearer"})
        if scope not in key.scopes:
            raise HTTPException(403, f"this key lacks the '{scope.value}' scope")
        state = state_of(request)
        wait = state.limiter.take(key.key_id, key.rate_per_s, key.burst)
        if wait > 0:
            raise HTTPException(429, "rate limit reached for this key",
                                headers={"Retry-After": retry_after(wait)})
        tenant = state.tenants.open_now(key.tenant)
        if tenant is None:
            tenant = await run_in_threadpool(state.tenants.get, key.tenant)
        return Caller(key, tenant)

    return Depends(check)


def scope_for(method: str, path: str) -> Scope:
    return ROUTE_SCOPES[(method, path)]


IntakeCaller = Annotated[Caller, require(Scope.INTAKE)]
LookupCaller = Annotated[Caller, require(Scope.LOOKUP)]
AdminCaller = Annotated[Caller, require(Scope.ADMIN)]
CasesReader = Annotated[Caller, require(Scope.CASES_READ)]
CasesWriter = Annotated[Caller, require(Scope.CASES_WRITE)]
