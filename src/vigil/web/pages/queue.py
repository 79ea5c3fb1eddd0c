"""The queue: cases by priority (or recency) with filters, exclusive claims and bulk dismissal."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import Response

from vigil import (
    CaseClaimedError,
    CaseStatus,
    QueueFilter,
    QueueRow,
    SignalKind,
    Target,
    claim_case,
    claim_store,
    dismiss_cases,
    queue_jurisdictions,
    queue_rows,
    release_case,
)
from vigil.web.pages.access import case_for, tenant_for
from vigil.web.pages.render import render
from vigil.web.pages.session import Actor, PageUser, Viewer
from vigil.web.pages.state import page_state

router = APIRouter(prefix="/ui", include_in_schema=False)
Short = Annotated[str, Query(max_length=40)]
CLAIM_PURPOSES = ("Triage of a queued case", "Working the case to a decision",
                  "Preparing or checking a report")
"""Suggested justifications for a claim; the field takes free text."""


def _rows(user: PageUser, tenant_name: str, wanted: QueueFilter,
          request: Request) -> list[QueueRow]:
    tenant = tenant_for(request, user, "queue.view", tenant_name)
    rows = queue_rows(tenant.store.cases(), claim_store(tenant.store).holders(), wanted)
    return [row for row in rows
            if user.may("case.view", Target(tenant.name, row.case.id, row.holder))]


def _links(wanted: QueueFilter, tenant: str, page: int, pages: int) -> dict[str, str]:
    """The previous and next pages' URLs, keeping the filters and sort ("" at either end)."""
    query = {key: value for key, value in (
        ("status", wanted.status), ("kind", wanted.kind), ("jurisdiction", wanted.jurisdiction),
        ("sort", wanted.sort), ("tenant", tenant)) if value}
    return {"previous": f"/ui/queue?{urlencode({**query, 'page': page - 1})}" if page > 1
            else "",
            "next": f"/ui/queue?{urlencode({**query, 'page': page + 1})}" if page < pages
            else ""}


def _page(request: Request, user: PageUser, wanted: QueueFilter, tenant: str,
          message: str = "", page: int = 1) -> Response:
    rows = _rows(user, tenant, wanted, request)
    size = page_state(request).settings.queue_page_size
    pages = max(1, -(-len(rows) // size))
    page = min(page, pages)
    return render("queue.html", user, rows=rows[(page - 1) * size:page * size], wanted=wanted,
                  tenant=tenant, total=len(rows), page=page, pages=pages,
                  links=_links(wanted, tenant, page, pages), purposes=CLAIM_PURPOSES,
                  statuses=[s.value for s in CaseStatus], kinds=[k.value for k in SignalKind],
                  jurisdictions=queue_jurisdictions(rows), message=message,
                  may_claim=user.may("case.claim"), may_dismiss=user.may("case.dismiss"),
                  tenants=_tenant_choices(request, user))


def _tenant_choices(request: Request, user: PageUser) -> list[str]:
    """The tenant filter's choices, for those who manage a tenant (``admin.accounts``): every
    opened tenant whose queue the policy lets them see."""
    if not user.may("admin.accounts"):
        return []
    names = {t.name for t in page_state(request).tenants.opened()} | {user.account.tenant}
    return sorted(name for name in names if user.may("queue.view", Target(name)))


@router.get("/queue")
def queue_page(request: Request, user: Viewer, status: Short = "", kind: Short = "",
               jurisdiction: Short = "", sort: Short = "priority", tenant: Short = "",
               page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> Response:
    try:
        wanted = QueueFilter(status, kind, jurisdiction, sort)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return _page(request, user, wanted, tenant, page=page)


@router.post("/cases/{case_id}/claim")
def claim(request: Request, user: Actor, case_id: str,
          justification: Annotated[str, Form(alias="claim_justification", max_length=500)] = "",
          ) -> Response:
    view = case_for(request, user, case_id, "case.claim")
    message, status, holder = "Claimed: the case is yours.", 200, view.holder
    if not justification.strip():
        message, status = "Say why you claim it (the field above the queue), then claim.", 422
    else:
        try:
            claim_case(claim_store(view.tenant.store), view.tenant.store, view.tenant.store,
                       case_id, actor=user.name, role=user.account.role.value,
                       justification=justification)
            holder = user.name
        except CaseClaimedError as exc:
            holder, message = exc.holder, f"Already claimed by {exc.holder}."
    row = QueueRow(view.case, holder, (), None)
    return render("partials/claim.html", user, row=row, claim_message=message,
                  may_claim=user.may("case.claim"), status=status)


@router.post("/cases/{case_id}/release")
def release(request: Request, user: Actor, case_id: str) -> Response:
    view = case_for(request, user, case_id, "case.claim")
    released = release_case(claim_store(view.tenant.store), view.tenant.store, case_id,
                            actor=user.name, role=user.account.role.value)
    row = QueueRow(view.case, "" if released else view.holder, (), None)
    return render("partials/claim.html", user, row=row,
                  claim_message="Released." if released else "You do not hold this case.",
                  may_claim=user.may("case.claim"))


@router.post("/queue/dismiss")
def bulk_dismiss(request: Request, user: Actor,
                 justification: Annotated[str, Form(max_length=2000)] = "",
                 case_ids: Annotated[list[str], Form(alias="case_id")] = []) -> Response:  # noqa: B006
    tenant = tenant_for(request, user, "queue.view")
    allowed = [case_for(request, user, case_id, "case.dismiss").case.id
               for case_id in case_ids[:500]]
    if not allowed or not justification.strip():
        return _page(request, user, QueueFilter(), "",
                     "Choose cases and give a justification to dismiss them.")
    outcome = dismiss_cases(tenant.store, tenant.store, allowed, actor=user.name,
                            role=user.account.role.value, justification=justification)
    return _page(request, user, QueueFilter(), "",
                 f"Dismissed {len(outcome.dismissed)} case(s)."
                 + (f" Not dismissed: {len(outcome.refused)}." if outcome.refused else ""))
