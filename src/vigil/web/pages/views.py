"""The workspace's other pages, over the case views of :mod:`vigil.casework`: bank and detector
status, the outbox with its dead letters, and the custody trail of a case.

Each is a read of tenant data and asks the policy for its own action: ``bank.view``,
``outbox.view`` and ``audit.view`` (the custody trail is the audit log of one case).
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vigil import bank_status, case_trail, detector_status, outbox_view
from vigil.web.pages.access import case_for, tenant_for
from vigil.web.pages.render import render
from vigil.web.pages.session import Viewer
from vigil.web.pages.state import page_state

router = APIRouter(prefix="/ui", include_in_schema=False)


@router.get("/status")
def status_page(request: Request, user: Viewer) -> Response:
    tenant = tenant_for(request, user, "bank.view")
    state = page_state(request)
    index = tenant.intake.lookups.status()
    banks = bank_status(tenant.store, tenant.store, now=state.clock(),
                        stale_after=timedelta(seconds=state.settings.lookup_refresh_s),
                        index_sizes=index.banks if index.loaded else None,
                        index_built_at=index.built_at)
    detectors = detector_status(state.registry.detectors, tenant.store, tenant.store)
    return render("status.html", user, banks=banks, detectors=detectors)


@router.get("/outbox")
def outbox_page(request: Request, user: Viewer) -> Response:
    tenant = tenant_for(request, user, "outbox.view")
    return render("outbox.html", user, outbox=outbox_view(tenant.store))


@router.get("/cases/{case_id}/trail")
def trail_page(request: Request, user: Viewer, case_id: str) -> Response:
    view = case_for(request, user, case_id, "audit.view")
    return render("trail.html", user, case=view.case, trail=case_trail(view.tenant.store,
                                                                        case_id))
