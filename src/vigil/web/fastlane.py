"""The fast lane: the hot routes' common case answered without FastAPI's routing and dependencies.

A plain ASGI middleware in front of FastAPI's router. For ``GET /m/lookup``,
``GET /m/raw_lookup`` and the intake ``POST``\\ s (``/v1/reports`` and the other record kinds) it
answers a request whose caller :func:`vigil.web.policy.admitted_at_hand` admits (a cached key
with the route's scope, an open tenant, a token in the key's bucket) and whose parameters are
all there, by calling the route's own endpoint function with what FastAPI would have passed it.
Anything else (no key, a missing parameter, an over-long ``Idempotency-Key``, another route) goes
to FastAPI unchanged, before anything is spent, so FastAPI decides and answers as it always did.

So there is no logic here: validation, limits, matching, commits and answers are the endpoints'
and the library's. What the lane does itself is what FastAPI would otherwise do for these
routes: read the query and headers, put the route in the scope (the metrics and the log line
name it), write the endpoint's answer as JSON, and answer an exception through the app's own
exception handlers (an unexpected one goes on to the app's 500 handler, as from a route).
Profiled under ``make bench-api``: FastAPI's routing, dependency solving and exception layers
were about a fifth of a lookup's server CPU.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from vigil import Scope as KeyScope
from vigil.web.errors import handler_for
from vigil.web.policy import ROUTE_SCOPES, Caller, admitted_at_hand, state_of, token_of
from vigil.web.routes import hma, intake

Call = Callable[[Caller], Awaitable[Any]]
Endpoint = Callable[[Request], Call | None]
"""A route's endpoint with the request's parameters, waiting for the caller; ``None`` when a
parameter is missing or FastAPI would refuse it (FastAPI then answers)."""


def _lookup(request: Request) -> Call | None:
    query = request.query_params
    signal, signal_type = query.get("signal"), query.get("signal_type")
    if signal is None or signal_type is None:
        return None
    return lambda caller: hma.lookup(caller, signal, signal_type, query.get("banks"))


def _raw_lookup(request: Request) -> Call | None:
    query = request.query_params
    signal, signal_type = query.get("signal"), query.get("signal_type")
    if signal is None or signal_type is None:
        return None
    include = query.get("include_distance", "false")
    return lambda caller: hma.raw_lookup(caller, signal, signal_type, include, query.get("banks"))


def _intake(post: Callable[[Caller, Request, str | None], Awaitable[Response]]) -> Endpoint:
    def call(request: Request) -> Call | None:
        key = request.headers.get(intake.IDEMPOTENCY_HEADER)
        if key is not None and len(key) > intake.IDEMPOTENCY_MAX_LENGTH:
            return None  # FastAPI's 422 for the header
        return lambda caller: post(caller, request, key)

    return call


ENDPOINTS: dict[tuple[str, str], Endpoint] = {
    ("GET", "/m/lookup"): _lookup,
    ("GET", "/m/raw_lookup"): _raw_lookup,
    ("POST", "/v1/reports"): _intake(intake.post_reports),
    ("POST", "/v1/messages"): _intake(intake.post_messages),
    ("POST", "/v1/payments"): _intake(intake.post_payments),
    ("POST", "/v1/media/observations"): _intake(intake.post_observations),
}
"""The routes the lane serves, each with how it calls the route's endpoint."""


@dataclass(frozen=True)
class Lane:
    """One route in the lane: its FastAPI route (for the scope), scope needed and endpoint."""

    route: APIRoute
    scope: KeyScope
    endpoint: Endpoint


class FastLane:
    """The ASGI middleware: answers :data:`ENDPOINTS`' common case, hands on everything else."""

    def __init__(self, app: ASGIApp, lanes: Mapping[tuple[str, str], Lane]) -> None:
        self.app = app
        self.lanes = lanes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lane = self.lanes.get((scope.get("method", ""), scope.get("path", ""))) \
            if scope["type"] == "http" and not scope.get("root_path") else None
        if lane is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        call = lane.endpoint(request)  # parameters first: nothing is spent before admission
        caller = None if call is None else \
            admitted_at_hand(state_of(request), token_of(request), lane.scope)
        if call is None or caller is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = lane.route
        try:
            answer = await call(caller)
        except Exception as exc:  # answered by the app's handler for it, as from the route
            handler = handler_for(request.app.exception_handlers, exc)
            if handler is None:
                raise
            answer = handler(request, exc)
            answer = await answer if inspect.isawaitable(answer) else answer
        response = answer if isinstance(answer, Response) else JSONResponse(answer)
        await response(scope, receive, send)


def install(app: FastAPI) -> None:
    """Put the lane in front of ``app``'s router. The scope gets the route FastAPI itself puts
    there (the router's own :class:`APIRoute`), which the metrics and the log line name."""
    routes = {(method, route.path): route for router in (hma.router, intake.router)
              for route in router.routes if isinstance(route, APIRoute)
              for method in route.methods or ()}
    lanes = {key: Lane(routes[key], ROUTE_SCOPES[key], endpoint)
             for key, endpoint in ENDPOINTS.items()}
    app.add_middleware(FastLane, lanes=lanes)
