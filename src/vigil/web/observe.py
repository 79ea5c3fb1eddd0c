"""Request ids, one JSON log line per request, and Prometheus metrics at ``/metrics``.

Log lines carry the request id, method, route template (``/v1/cases/{case_id}``, never the
id itself), status, duration and the key's id: identifiers of the deployment, nothing of a
report's content or a person's account. Metrics are the RED set per route (requests, errors by
status, latency histogram) plus the intake lag (how long the oldest accepted record has waited
for a run) and the size of the loaded bank indexes, summed over tenants so that ``/metrics``
names no tenant.

The middleware is plain ASGI (it wraps ``send`` to read the status and add the request id), not
Starlette's ``BaseHTTPMiddleware``, whose extra task and stream per request cost more than the
intake and lookup routes themselves (profiled under ``make bench-api``).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from fastapi import FastAPI, Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vigil.web.state import ServiceState

REQUEST_ID = "X-Request-ID"
access_log = logging.getLogger("vigil.web.access")
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Seconds; dense below 50 ms, where the intake and lookup targets sit."""


class ServiceCollector(Collector):
    """Gauges read from the service at scrape time."""

    def __init__(self, state: ServiceState) -> None:
        self._state = state

    def collect(self) -> Iterator[GaugeMetricFamily]:
        tenants = self._state.tenants.opened()
        lag = max((t.intake.rerun.waiting_s for t in tenants if t.intake.rerun is not None),
                  default=0.0)
        size = sum(t.intake.lookups.status().size for t in tenants)
        yield GaugeMetricFamily("vigil_intake_lag_seconds", "How long the oldest accepted record "
                                "has waited for the run that turns it into cases.", value=lag)
        yield GaugeMetricFamily("vigil_index_hashes", "Bank hashes in the loaded indexes, all "
                                "tenants together.", value=size)
        yield GaugeMetricFamily("vigil_tenants_open", "Tenant stores open in this process.",
                                value=len(tenants))


class Observer:
    """The middleware and the ``/metrics`` answer of one app (its own metric registry)."""

    def __init__(self, state: ServiceState) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("vigil_http_requests", "HTTP requests by route and status.",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("vigil_http_request_seconds", "HTTP request latency.",
                                 ["method", "route"], buckets=LATENCY_BUCKETS,
                                 registry=self.registry)
        self.registry.register(ServiceCollector(state))

    def observe(self, scope: Scope, status: int, elapsed: float, request_id: str,
                headers: Headers) -> None:
        """Count, time and log one finished request."""
        method = scope["method"]
        route = getattr(scope.get("route"), "path", "unmatched")
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(elapsed)
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(json.dumps({
                "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "request_id": request_id, "method": method, "route": route,
                "status": status, "ms": round(elapsed * 1000, 2), "key": _key_id(headers)}))

    def metrics(self) -> Response:
        return Response(generate_latest(self.registry),
                        media_type="text/plain; version=0.0.4; charset=utf-8")


def _request_id(given: str) -> str:
    """The client's id if it is short and plain (it is echoed and logged), else a new one."""
    return given if given.isascii() and given.isalnum() and len(given) <= 64 \
        else uuid.uuid4().hex


class ObserveMiddleware:
    """Gives each HTTP request its id (``request.state.request_id``, echoed in ``X-Request-ID``),
    then counts, times and logs it through :class:`Observer`."""

    def __init__(self, app: ASGIApp, observer: Observer) -> None:
        self.app = app
        self.observer = observer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = _request_id(headers.get(REQUEST_ID, ""))
        scope.setdefault("state", {})["request_id"] = request_id
        status = [500]  # what an exception that escapes the app becomes
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                kept = [(k, v) for k, v in message.get("headers", ())
                        if k.lower() != b"x-request-id"]
                message["headers"] = [*kept, (b"x-request-id", request_id.encode("ascii"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self.observer.observe(scope, status[0], time.perf_counter() - started, request_id,
                                  headers)


def _key_id(headers: Headers) -> str | None:
    """The key id part of the presented token (never its secret), for the log line."""
    header = headers.get("authorization", "") or headers.get("x-api-key", "")
    token = header.split()[-1] if header else ""
    parts = token.split("_", 2)
    return parts[1] if len(parts) == 3 and parts[0] == "vgl" else None


def install(app: FastAPI, state: ServiceState) -> None:
    observer = Observer(state)
    app.add_middleware(ObserveMiddleware, observer=observer)
    app.get("/metrics", include_in_schema=False)(observer.metrics)
