"""From case to filed report over HTTP: a named person confirms or dismisses, then exports.

The routes only translate: :func:`vigil.confirm_case`, :func:`vigil.dismiss_case` and
:func:`vigil.export_cases` hold every decision, including the human gate
(:func:`vigil.outbound_allowed`) and the audited SHA-256 of what leaves. The analyst's name comes
in the body, checked by :func:`vigil.require_actor` as the model validates it, so a blank or
machine name is a 422 naming ``body.analyst``. The key that made the request is the export's
audited destination.

Exporting needs ``cases:write``, not ``cases:read``: an export is the outbound action the human
gate guards, and it writes an audit event, so a read-only key (a dashboard) must not be able to
let a case out of the system.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field, StringConstraints, field_validator

from vigil import (
    Confirmation,
    UnknownPluginError,
    confirm_case,
    dismiss_case,
    export_cases,
    require_actor,
)
from vigil.web.errors import ERROR_RESPONSES
from vigil.web.policy import CasesWriter, state_of

router = APIRouter(prefix="/v1/cases", tags=["cases"], responses=ERROR_RESPONSES)

EXPORT_SHA256_HEADER = "X-Vigil-Export-SHA256"
"""The SHA-256 of the answer's body, as the export's audit event records it."""

_NOT_BLANK = Field(json_schema_extra={"pattern": r"\S"})
"""Told to the OpenAPI document: white space is stripped, then one character must be left."""
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
                 _NOT_BLANK]
Role = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                 _NOT_BLANK]
_PERSON = (r"^\s*([^\sv]|v$|v[^i]|vi$|vi[^g]|vig$|vig[^i]|vigi$|vigi[^l]|vigil$|vigil[^:])")
"""A name that is not blank and does not start with ``vigil:`` (what :func:`require_actor` asks),
as a pattern without look-ahead."""
Name = Annotated[str, StringConstraints(max_length=200),
                 Field(json_schema_extra={"pattern": _PERSON})]


class Named(BaseModel):
    """A body that names the person deciding; refused (422, ``body.analyst``) when anonymous."""

    analyst: Name

    @field_validator("analyst")
    @classmethod
    def _named(cls, value: str) -> str:
        return require_actor(value)


class ConfirmBody(Named):
    """A confirmation: who (name and role), why, and their answer to "viewed by provider"."""

    role: Role
    note: Text
    viewed_by_provider: bool | None = None


class DismissBody(Named):
    """A dismissal (a false alarm): who and why."""

    note: Text
    role: Role = "analyst"


def _decision(record: Confirmation) -> dict[str, Any]:
    return {"case_id": record.case_id, "decision": record.decision, "actor": record.actor,
            "role": record.role, "at": record.at.isoformat(),
            "viewed_by_provider": record.viewed_by_provider,
            "signal_ids": list(record.signal_ids)}


@router.post("/{case_id}/confirm")
def confirm(caller: CasesWriter, case_id: str, body: ConfirmBody) -> dict[str, Any]:
    """Record that the named analyst confirmed the case; the human gate reads this record."""
    store = caller.tenant.store
    return _decision(confirm_case(store, store, case_id, actor=body.analyst, role=body.role,
                                  note=body.note, viewed_by_provider=body.viewed_by_provider))


@router.post("/{case_id}/dismiss")
def dismiss(caller: CasesWriter, case_id: str, body: DismissBody) -> dict[str, Any]:
    """Record that the named analyst dismissed the case (it can no longer be exported)."""
    store = caller.tenant.store
    return _decision(dismiss_case(store, store, case_id, actor=body.analyst, note=body.note,
                                  role=body.role))


EXPORT_ANSWER: dict[int | str, dict[str, Any]] = {200: {
    "description": "The exported document, in the exporter's media type; "
                   f"``{EXPORT_SHA256_HEADER}`` is its SHA-256, as audited",
    "content": {"*/*": {}},
    "headers": {EXPORT_SHA256_HEADER: {"schema": {"type": "string"}}}}}


@router.post("/{case_id}/export", response_class=Response, responses=EXPORT_ANSWER)
def export(caller: CasesWriter, request: Request, case_id: str, body: Named,
           format_name: Annotated[str, Query(alias="format", max_length=100)] = "json",
           ) -> Response:
    """Export one case in a registered format, if the human gate lets it out (else 409)."""
    state = state_of(request)
    try:
        exporter = state.registry.exporter(format_name)
    except UnknownPluginError as exc:
        raise HTTPException(404, str(exc)) from None
    store = caller.tenant.store
    exported = export_cases(store, store, [case_id], exporter, body.analyst, caller.actor,
                            reporter_email=state.settings.reporter_email)
    return Response(exported.data(), media_type=exported.media_type,
                    headers={EXPORT_SHA256_HEADER: exported.sha256})
