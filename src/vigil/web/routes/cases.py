"""Cases of the caller's tenant, and review decisions through :mod:`vigil.review`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from vigil import (
    CaseStatus,
    add_case_note,
    case_history,
    case_to_json,
    set_case_status,
)
from vigil.web.errors import ERROR_RESPONSES
from vigil.web.policy import CasesReader, CasesWriter

router = APIRouter(prefix="/v1/cases", tags=["cases"], responses=ERROR_RESPONSES)


class StatusChange(BaseModel):
    """A review decision: the new status, and why (kept in the audit log)."""

    status: CaseStatus
    note: str = Field(default="", max_length=2000)


@router.get("")
def list_cases(caller: CasesReader, limit: Annotated[int, Query(ge=1, le=500)] = 50,
               offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
    """Cases, highest priority first, a page at a time."""
    cases = caller.tenant.store.cases()
    page = cases[offset:offset + limit]
    return {"total": len(cases), "offset": offset,
            "cases": [case_to_json(case) for case in page]}


@router.get("/{case_id}")
def get_case(caller: CasesReader, case_id: str) -> dict[str, Any]:
    """One case with its signals, reasons and review history."""
    case = caller.tenant.store.case(case_id)
    if case is None:
        raise HTTPException(404, f"no case {case_id!r}")
    answer = case_to_json(case)
    answer["history"] = [{"actor": e.actor, "action": e.action, "at": e.at.isoformat(),
                          "details": e.details} for e in case_history(caller.tenant.store,
                                                                       case_id)]
    return answer


@router.post("/{case_id}/status")
def change_status(caller: CasesWriter, case_id: str, change: StatusChange) -> dict[str, Any]:
    """Set a case's review status, audited with the key as the actor."""
    store = caller.tenant.store
    event = set_case_status(store, store, case_id, change.status, actor=caller.actor)
    if change.note.strip():
        add_case_note(store, store, case_id, change.note, actor=caller.actor)
    return {"case_id": case_id, "status": change.status.value, "actor": event.actor,
            "at": event.at.isoformat()}
