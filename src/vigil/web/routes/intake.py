"""Intake: reports, messages, payments and media observations, one or many per request."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from vigil import RecordKind, intake_body_schema, parse_body
from vigil.web.errors import ERROR_RESPONSES
from vigil.web.limits import limited_body
from vigil.web.policy import Caller, IntakeCaller, state_of

router = APIRouter(prefix="/v1", tags=["intake"], responses={
    **ERROR_RESPONSES, 200: {"description": "A retry (same Idempotency-Key and body): the first "
                                            "answer again, with Idempotent-Replayed: true"}})


def _body_doc(kind: RecordKind) -> dict[str, Any]:
    """The request body in the OpenAPI document: the record's schema, one or many, or NDJSON."""
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": intake_body_schema(kind)},
        "application/x-ndjson": {"schema": {"type": "string"}},
    }}}


IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_MAX_LENGTH = 255
_IDEMPOTENCY = Header(alias=IDEMPOTENCY_HEADER, max_length=IDEMPOTENCY_MAX_LENGTH,
                      description="Any unique string; a retry with the same key gets the first "
                                  "answer and stores nothing twice.")


async def _accept(request: Request, caller: Caller, kind: RecordKind,
                  key: str | None) -> JSONResponse:
    settings = state_of(request).settings
    body = await limited_body(request, settings.api_max_body_bytes)
    items = parse_body(body, request.headers.get("content-type", "application/json"))
    receipt = await caller.tenant.intake.accept_async(kind, items, key)
    return JSONResponse(receipt.body, status_code=200 if receipt.replayed else 201,
                        headers={"Idempotent-Replayed": "true"} if receipt.replayed else None)


@router.post("/reports", status_code=201, openapi_extra=_body_doc(RecordKind.REPORT))
async def post_reports(caller: IntakeCaller, request: Request,
                       key: Annotated[str | None, _IDEMPOTENCY] = None) -> JSONResponse:
    """Panic/flag reports: reporter, reported account, session, time, reason, frame hashes."""
    return await _accept(request, caller, RecordKind.REPORT, key)


@router.post("/messages", status_code=201, openapi_extra=_body_doc(RecordKind.MESSAGE))
async def post_messages(caller: IntakeCaller, request: Request,
                        key: Annotated[str | None, _IDEMPOTENCY] = None) -> JSONResponse:
    """Chat messages between platform accounts."""
    return await _accept(request, caller, RecordKind.MESSAGE, key)


@router.post("/payments", status_code=201, openapi_extra=_body_doc(RecordKind.PAYMENT))
async def post_payments(caller: IntakeCaller, request: Request,
                        key: Annotated[str | None, _IDEMPOTENCY] = None) -> JSONResponse:
    """Payments between payment accounts, with the KYC identifiers the institution holds."""
    return await _accept(request, caller, RecordKind.PAYMENT, key)


@router.post("/media/observations", status_code=201, openapi_extra=_body_doc(RecordKind.MEDIA))
async def post_observations(caller: IntakeCaller, request: Request,
                            key: Annotated[str | None, _IDEMPOTENCY] = None) -> JSONResponse:
    """Hashes seen on an account (PDQ and/or MD5), matched against the banks at once."""
    return await _accept(request, caller, RecordKind.MEDIA, key)
