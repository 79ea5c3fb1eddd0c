"""Errors as JSON with a status and a plain sentence; never a stack trace, SQL or file path.

Validation problems are 422 with the field path of each (``loc``: item index, then field
names), like FastAPI's own validation answers. Anything unexpected is logged with the request id
and answered with 500 and that id only: a traceback or a store error could name a host, a
file or a person's identifier (OWASP API Security Top 10 2023, API8 "Security Misconfiguration").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from vigil import (
    AnonymousActorError,
    BatchTooLarge,
    HmaRequestError,
    IdempotencyConflict,
    IncompleteReportError,
    IntakeRejected,
    OutboundRefusedError,
    StoreError,
    UnknownBankError,
    UnknownCaseError,
    UnknownCasesError,
    UploadTooLarge,
)
from vigil.web.limits import TooLarge

logger = logging.getLogger("vigil.web")


class ErrorBody(BaseModel):
    """Every error answer: what went wrong (a sentence, or field problems) and the request id."""

    detail: Any
    request_id: str | None = None
    message: str | None = None
    """On HMA's paths (``/c/``, ``/m/``, ``/h/``): the sentence again, under the key HMA's
    clients read (its ``flask_utils.api_error_handler`` answers ``{"message": ...}``)."""


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in {
        400: "Bad request (HMA routes: unknown signal type, bad hash)",
        401: "Missing or invalid API key", 403: "The key lacks this route's scope",
        404: "No such object for this tenant",
        409: "Idempotency-Key or record id reused, or the human gate refused an export",
        413: "Body, batch or upload too large", 422: "Validation failed (field paths)",
        429: "Rate limit reached (Retry-After)", 500: "Internal error (request id only)",
        503: "Store unavailable or busy"}.items()}
"""Documented on every authenticated route, so the OpenAPI document says what can come back."""


HMA_PREFIXES = ("/c/", "/m/", "/h/")
"""Paths of the HMA-compatible routes, whose errors also carry HMA's ``message`` key."""


def _answer(request: Request, status: int, detail: Any,
            headers: Mapping[str, str] | None = None) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None)
    sent = {**(headers or {}), **({"X-Request-ID": request_id} if request_id else {})}
    body: dict[str, Any] = {"detail": detail, "request_id": request_id}
    if request.url.path.startswith(HMA_PREFIXES):
        body["message"] = detail if isinstance(detail, str) else "invalid request"
    return JSONResponse(body, status_code=status, headers=sent)


def _http(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own errors (401, 403, 404, 405, 429) in vigil's shape, their headers kept.

    A 405 lists every method of the path: Starlette's names only the methods of the first route
    that matched the path, and vigil declares GET and POST of one path as separate routes.
    """
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and (methods := _methods_of(request)):
        headers["Allow"] = ", ".join(methods)
    return _answer(request, exc.status_code, exc.detail, headers)


def _methods_of(request: Request) -> list[str]:
    """Every method the OpenAPI document lists for the requested path (templates matched)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {method.upper() for method in operations}
    return sorted(methods)


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))}
                for e in exc.errors()]
    return _answer(request, 422, problems)


def _rejected(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IntakeRejected)
    status = 413 if isinstance(exc, BatchTooLarge) else 422
    return _answer(request, status, [p.as_json() for p in exc.problems])


def _hma(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HmaRequestError)
    return _answer(request, exc.status, str(exc))


def _incomplete(request: Request, exc: Exception) -> JSONResponse:
    """A report the completeness check refused: each missing field, by case, and why."""
    assert isinstance(exc, IncompleteReportError)
    return _answer(request, 422, [{"loc": [g.case_id, g.field], "msg": g.why,
                                   "required": g.required} for g in exc.gaps])


def _store_error(request: Request, exc: Exception) -> JSONResponse:
    logger.error("store error: %s", type(exc).__name__,
                 extra={"request_id": getattr(request.state, "request_id", None)})
    return _answer(request, 503, "the store is unavailable or busy; try again")


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error", exc_info=exc,
                     extra={"request_id": getattr(request.state, "request_id", None)})
    return _answer(request, 500, "internal error; quote the request id when reporting it")


def _plain(status: int) -> Any:
    def handler(request: Request, exc: Exception) -> JSONResponse:
        text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        if isinstance(exc, UnknownCaseError | UnknownCasesError | UnknownBankError):
            text = str(exc)
        return _answer(request, status, text)

    return handler


def handler_for(handlers: Mapping[Any, Any], exc: Exception) -> Any:
    """The handler Starlette's exception middleware picks for ``exc`` among the app's
    ``handlers`` (by status for an HTTP error, then by the exception's classes, nearest first);
    ``None`` where only the catch-all 500 handler applies (it answers outside, as for a route)."""
    if isinstance(exc, StarletteHTTPException) and exc.status_code in handlers:
        return handlers[exc.status_code]
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        if cls in handlers:
            return handlers[cls]
    return None


def install(app: FastAPI) -> None:
    """Register every handler on ``app``."""
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(IntakeRejected, _rejected)
    app.add_exception_handler(IdempotencyConflict, _plain(409))
    app.add_exception_handler(HmaRequestError, _hma)
    app.add_exception_handler(AnonymousActorError, _plain(422))
    app.add_exception_handler(UnknownCaseError, _plain(404))
    app.add_exception_handler(UnknownCasesError, _plain(404))
    app.add_exception_handler(OutboundRefusedError, _plain(409))
    app.add_exception_handler(IncompleteReportError, _incomplete)
    app.add_exception_handler(UnknownBankError, _plain(404))
    app.add_exception_handler(TooLarge, _plain(413))
    app.add_exception_handler(UploadTooLarge, _plain(413))
    app.add_exception_handler(StoreError, _store_error)
    app.add_exception_handler(Exception, _unexpected)
