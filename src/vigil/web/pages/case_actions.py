"""The case page's buttons: confirm, dismiss, assign, note, export and file.

Each route checks the session and CSRF token (:data:`Actor`), asks the policy for its action
(:func:`case_for`), and hands the decision to the library: :func:`vigil.confirm_case`,
:func:`vigil.dismiss_case`, :func:`vigil.assign_and_hand_over`, :func:`vigil.add_case_note`,
:func:`vigil.export_cases` and :func:`vigil.enqueue_export`, which check and audit it. What the
user wrote is the custody event's justification. A refusal by the library (no justification,
the human gate) comes back as the panel's message, never as a decision made here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from vigil import (
    DestinationError,
    IncompleteReportError,
    OutboundRefusedError,
    UnknownPluginError,
    add_case_note,
    assign_and_hand_over,
    case_history,
    claim_store,
    confirm_case,
    decisions,
    dismiss_case,
    enqueue_export,
    export_cases,
    load_destinations,
)
from vigil.web.pages.access import case_for
from vigil.web.pages.render import render
from vigil.web.pages.session import Actor, PageUser
from vigil.web.pages.state import page_state

router = APIRouter(prefix="/ui/cases/{case_id}", include_in_schema=False)
Text = Annotated[str, Form(max_length=2000)]
REFUSALS = (ValueError, OutboundRefusedError, IncompleteReportError, UnknownPluginError,
            DestinationError)


def _panel(request: Request, user: PageUser, case_id: str, message: str,
           status: int = 200) -> Response:
    """The case's status panel after an action: status, holder, decisions, history."""
    view = case_for(request, user, case_id, "case.view")
    store = view.tenant.store
    if "hx-request" not in request.headers:  # a plain form (the export download)
        return render("notice.html", user, case=view.case, message=message, status=status)
    return render("partials/case_status.html", user, view=view, case=view.case,
                  history=case_history(store, case_id), decisions=decisions(store, case_id),
                  message=message, status=status)


@router.post("/confirm")
def confirm(request: Request, user: Actor, case_id: str, note: Text = "",
            viewed: Annotated[str, Form(max_length=10)] = "") -> Response:
    view = case_for(request, user, case_id, "case.confirm")
    seen = {"yes": True, "no": False}.get(viewed)
    try:
        confirm_case(view.tenant.store, view.tenant.store, case_id, actor=user.name,
                     role=user.account.role.value, note=note, viewed_by_provider=seen)
    except REFUSALS as exc:
        return _panel(request, user, case_id, f"Not confirmed: {exc}", 422)
    return _panel(request, user, case_id, "Confirmed.")


@router.post("/dismiss")
def dismiss(request: Request, user: Actor, case_id: str, note: Text = "") -> Response:
    view = case_for(request, user, case_id, "case.dismiss")
    try:
        dismiss_case(view.tenant.store, view.tenant.store, case_id, actor=user.name,
                     note=note, role=user.account.role.value)
    except REFUSALS as exc:
        return _panel(request, user, case_id, f"Not dismissed: {exc}", 422)
    return _panel(request, user, case_id, "Dismissed.")


@router.post("/assign")
def assign(request: Request, user: Actor, case_id: str,
           assignee: Annotated[str, Form(max_length=64)] = "", note: Text = "") -> Response:
    view = case_for(request, user, case_id, "case.assign")
    store = view.tenant.store
    try:
        found = page_state(request).account_store.account(assignee.strip())
        if found is None or found.tenant != view.tenant.name:
            raise ValueError(f"no account named {assignee.strip()!r} in this tenant")
        assign_and_hand_over(claim_store(store), store, store, case_id, assignee,
                             actor=user.name, reason=note)
    except REFUSALS as exc:
        return _panel(request, user, case_id, f"Not assigned: {exc}", 422)
    return _panel(request, user, case_id, f"Assigned to {assignee.strip()}.")


@router.post("/note")
def note(request: Request, user: Actor, case_id: str, text: Text = "") -> Response:
    view = case_for(request, user, case_id, "case.note")
    try:
        add_case_note(view.tenant.store, view.tenant.store, case_id, text, actor=user.name)
    except REFUSALS as exc:
        return _panel(request, user, case_id, f"Not noted: {exc}", 422)
    return _panel(request, user, case_id, "Note added.")


@router.post("/export")
def export(request: Request, user: Actor, case_id: str,
           format_name: Annotated[str, Form(alias="format", max_length=40)] = "json") -> Response:
    view = case_for(request, user, case_id, "case.export")
    state = page_state(request)
    try:
        exported = export_cases(view.tenant.store, view.tenant.store, [case_id],
                                state.registry.exporter(format_name), user.name,
                                f"workspace download by {user.name}",
                                reporter_email=state.settings.reporter_email)
    except REFUSALS as exc:
        return _panel(request, user, case_id, f"Not exported: {exc}", 409)
    name = f"{case_id}.{format_name}"
    return Response(exported.data(), media_type=exported.media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Vigil-Export-SHA256": exported.sha256})


@router.post("/file")
def file(request: Request, user: Actor, case_id: str,
         destination: Annotated[str, Form(max_length=100)] = "") -> Response:
    view = case_for(request, user, case_id, "case.file")
    state = page_state(request)
    try:
        target = load_destinations(state.settings.outbox_destinations).get(destination)
        if target is None:
            raise ValueError(f"no destination named {destination!r}")
        exported = export_cases(view.tenant.store, view.tenant.store, [case_id],
                                state.registry.exporter(target.format), user.name, target.name,
                                reporter_email=state.settings.reporter_email)
        delivery = enqueue_export(view.tenant.store, exported, target, user.name,
                                  format_name=target.format)
    except REFUSALS as exc:
        return _panel(request, user, case_id, f"Not filed: {exc}", 409)
    return _panel(request, user, case_id,
                  f"Queued for {target.name} (delivery {delivery.id[:12]}).")
