"""The case page: why it ranks where it does, what ties it together, and its masked messages.

Opening a case asks for a justification first (the page shows no case data until one is given);
the read is then audited through :func:`vigil.open_case` with that justification. The chosen
design is a justification per opening, not per session: the custody trail of a case then says
why each person looked at it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from vigil import (
    Case,
    case_history,
    case_messages,
    case_network,
    case_payments,
    decisions,
    load_destinations,
    open_case,
    payment_timeline,
    signal_timeline,
)
from vigil.web.pages.access import CaseInView, case_for
from vigil.web.pages.render import render
from vigil.web.pages.session import PageUser, Viewer
from vigil.web.pages.state import page_state

router = APIRouter(prefix="/ui", include_in_schema=False)

PURPOSES = ("Triage of a queued case", "Preparing or checking a report",
            "Quality review of a decision", "Follow-up from a partner or agency")
"""Suggested justifications for opening a case; the form also takes free text."""

CASE_ACTIONS = ("case.claim", "case.confirm", "case.dismiss", "case.assign", "case.note",
                "case.export", "case.file", "message.reveal")


def reason_rows(case: Case) -> list[dict[str, Any]]:
    """Each priority reason with its share of the score, largest first."""
    total = sum(r.contribution for r in case.reasons) or 1.0
    return [{"reason": r, "share": round(100 * r.contribution / total)}
            for r in sorted(case.reasons, key=lambda r: -r.contribution)]


def entity_groups(case: Case) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for entity in case.entities:
        groups[entity.kind.value].append(entity.value)
    return dict(sorted(groups.items()))


def allowed(user: PageUser, view: CaseInView) -> dict[str, bool]:
    """What the buttons may offer, straight from the policy (the routes ask again)."""
    return {action.replace(".", "_"): user.may(action, view.target) for action in CASE_ACTIONS}


def case_context(request: Request, user: PageUser, view: CaseInView) -> dict[str, Any]:
    """Everything the case page shows, beyond the case itself."""
    state = page_state(request)
    store = view.tenant.store
    return {
        "view": view, "case": view.case, "reasons": reason_rows(view.case),
        "entities": entity_groups(view.case),
        "signals": sorted(view.case.signals, key=lambda s: s.observed_at),
        "messages": case_messages(store, view.case), "history": case_history(store, view.case.id),
        "decisions": decisions(store, view.case.id), "can": allowed(user, view),
        "formats": sorted(state.registry.exporters),
        "destinations": sorted(load_destinations(state.settings.outbox_destinations)),
        "cap": state.settings.reveal_daily_cap,
        "may_trail": user.may("audit.view", view.target),
        "network": case_network(view.case), "timeline": signal_timeline(view.case),
        "payments": payment_timeline(view.case, case_payments(view.case, store)),
    }


@router.get("/cases/{case_id}")
def case_page(request: Request, user: Viewer, case_id: str,
              why: Annotated[str, Query(max_length=500)] = "",
              tenant: Annotated[str, Query(max_length=40)] = "") -> Response:
    view = case_for(request, user, case_id, "case.view", tenant)
    if not why.strip():
        return render("case_open.html", user, case_id=case_id, purposes=PURPOSES,
                      tenant=tenant)
    open_case(view.tenant.store, view.tenant.store, case_id, actor=user.name, reason=why)
    return render("case.html", user, why=why.strip(), **case_context(request, user, view))
