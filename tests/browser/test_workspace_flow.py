"""The core flow in a real browser: log in with TOTP, open the queue, claim the top case of the
demo world, open it with a justification, reveal a message, confirm it and export it; axe-core
finds no serious or critical violation on the login, queue and case pages, at 1280x800; the
screenshots are taken on the way (into docs/screenshots under `make screenshots`)."""

from __future__ import annotations

import json
from typing import Any

import pyotp
import pytest

from tests.browser.conftest import SCREENSHOTS, LiveWorkspace, axe_violations
from vigil import open_store, tenant_store_url

pytestmark = pytest.mark.heavy(seconds=45)


def _log_in(page: Any, workspace: LiveWorkspace, username: str) -> None:
    account = next(a for a in workspace.demo.accounts if a.username == username)
    page.goto(f"{workspace.url}/ui/login")
    assert axe_violations(page) == []
    page.get_by_label("Username").fill(account.username)
    page.get_by_label("Password").fill(account.password)
    page.get_by_label("Code from your authenticator app").fill(
        pyotp.TOTP(account.enrolment.secret).now())
    page.get_by_role("button", name="Log on").click()
    page.wait_for_url("**/ui/queue")


def _audited(workspace: LiveWorkspace, case_id: str) -> dict[str, str]:
    """action -> justification of the custody events of ``case_id`` (the last of each)."""
    store = open_store(tenant_store_url(workspace.demo.main_url, workspace.demo.tenant))
    try:
        return {e.action: e.justification for e in store.audit_events()
                if case_id in (e.target, e.case_id) or case_id in e.target.split(",")}
    finally:
        store.close()


def test_claim_confirm_and_export_the_top_case(page: Any, workspace: LiveWorkspace) -> None:
    top = max(workspace.demo.result.cases, key=lambda c: c.priority)
    _log_in(page, workspace, "demo-analyst")
    response = page.reload()
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    rows = page.locator("#queue tr.case-row")
    assert rows.first.get_attribute("data-case") == top.id
    assert axe_violations(page) == []

    page.get_by_label("Why you claim a case").fill("Browser test: taking the top case")
    page.locator("#claim-why").blur()
    page.keyboard.press("j")
    page.keyboard.press("c")  # claim by keyboard, with the justification typed above
    page.locator(f"#claim-{top.id}").get_by_text("demo-analyst (you)").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "queue.png"))

    page.keyboard.press("o")
    page.get_by_label("Justification").fill("Browser test: triage of the top case")
    page.get_by_role("button", name="Open the case").click()
    page.get_by_role("heading", name=f"Case {top.id}", exact=True).wait_for()
    page.locator(f"#network-{top.id}-canvas canvas").first.wait_for()  # Cytoscape drew it
    page.screenshot(path=str(SCREENSHOTS / "case.png"))
    page.locator("#slot-network").screenshot(path=str(SCREENSHOTS / "case-network.png"))
    assert axe_violations(page) == []

    first = page.locator("form.reveal").first
    first.get_by_role("textbox").fill("checking the indicator the detector matched")
    first.get_by_role("button", name="Reveal").click()
    page.get_by_text("Reveal 1 of 50 today.").wait_for()

    page.get_by_label("Justification").first.fill("Indicators and payments agree; reviewed.")
    page.get_by_role("button", name="Confirm case").click()
    page.locator("#case-status").get_by_text("Confirmed.").wait_for()

    with page.expect_download() as download:
        page.get_by_role("button", name="Export").click()
    exported = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert top.id in json.dumps(exported)

    trail = _audited(workspace, top.id)
    assert trail["view_case"] == "Browser test: triage of the top case"
    assert trail["message.reveal"] == "checking the indicator the detector matched"
    assert trail["claim"] == "Browser test: taking the top case"
    assert {"claim", "confirm", "export"} <= set(trail)
    assert page.console_problems == []


def test_an_admin_sees_status_and_outbox_but_cannot_claim(page: Any,
                                                          workspace: LiveWorkspace) -> None:
    _log_in(page, workspace, "demo-admin")
    assert page.locator("button.claim-btn").count() == 0
    page.keyboard.press("?")
    page.get_by_role("heading", name="Keyboard shortcuts").wait_for()
    page.keyboard.press("Escape")
    page.get_by_role("heading", name="Keyboard shortcuts").wait_for(state="hidden")
    page.get_by_role("link", name="Status").click()
    page.get_by_role("heading", name="Hash banks").wait_for()
    assert page.locator("tr.bank-row").count() >= 1
    page.get_by_role("link", name="Outbox").click()
    page.get_by_role("heading", name="Outbox and dead letters").wait_for()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Accounts").click()
    page.get_by_role("heading", name="Accounts of demo").wait_for()
    assert page.locator("#account-demo-analyst").count() == 1
    assert axe_violations(page) == []
    assert page.console_problems == []
