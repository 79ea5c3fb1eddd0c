"""Revealing one masked message: authorised, counted and audited by :func:`vigil.reveal_message`.

The message must be one of the case's own (else 404, before anything is counted); the
justification is required; past the daily cap the answer carries a break prompt as well as the
text (the cap is soft: a case may be urgent). The text goes back in a partial that the page
swaps into the message's row only, never into a cached page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from vigil import NotInCaseError, RevealRefused, message_text, reveal_message
from vigil.web.pages.access import case_for
from vigil.web.pages.render import render
from vigil.web.pages.session import Actor
from vigil.web.pages.state import page_state

router = APIRouter(prefix="/ui/cases/{case_id}", include_in_schema=False)


@router.post("/messages/{message_id}/reveal")
def reveal(request: Request, user: Actor, case_id: str, message_id: str,
           justification: Annotated[str, Form(max_length=500)] = "") -> Response:
    view = case_for(request, user, case_id, "message.reveal")
    state = page_state(request)
    try:
        text = message_text(view.tenant.store, view.case, message_id)
    except NotInCaseError:
        raise HTTPException(404, "not found") from None
    try:
        shown = reveal_message(state.account_store, view.tenant.store, user.account,
                               view.target, message_id, justification,
                               cap=state.settings.reveal_daily_cap, clock=state.clock)
    except RevealRefused as exc:
        return render("partials/reveal.html", user, case=view.case, message_id=message_id,
                      text="", refused=str(exc), shown=None, status=422)
    return render("partials/reveal.html", user, case=view.case, message_id=message_id,
                  text=text, refused="", shown=shown)
