"""The case page's buttons when the library refuses: the refusal comes back as the panel's
message with 409 or 422, and nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.page_world import OTHER, OWN, PageWorld, add_cases, page_world
from vigil import Role


@pytest.fixture
def world(tmp_path: Path) -> PageWorld:
    built = page_world(tmp_path, {"ana": (Role.ANALYST, OWN), "bo": (Role.ANALYST, OWN),
                                  "zed": (Role.ANALYST, OTHER)})
    add_cases(built.tenant_store(OWN), ["case-a"])
    assert built.log_in("ana") == 303
    return built


def _post(world: PageWorld, action: str, htmx: bool = True, **data: str) -> tuple[int, str]:
    headers = {"X-CSRF-Token": world.csrf()} | ({"HX-Request": "true"} if htmx else {})
    answer = world.client.post(f"/ui/cases/case-a/{action}", data=data, headers=headers)
    return answer.status_code, answer.text


def test_refusals_are_messages_not_decisions(world: PageWorld) -> None:
    assert _post(world, "confirm", note=" ")[0] == 422
    assert _post(world, "dismiss", note="")[0] == 422
    assert _post(world, "note", text=" ")[0] == 422
    status, text = _post(world, "assign", assignee="zed", note="x")
    assert status == 422 and "no account named &#39;zed&#39; in this tenant" in text
    status, text = _post(world, "export", htmx=False, format="json")
    assert status == 409 and "Not exported" in text and "<h1>Case case-a</h1>" in text
    assert _post(world, "export", format="no-such-format")[0] == 409
    assert _post(world, "file", destination="nowhere")[0] == 409
    assert _post(world, "file", destination="partner")[0] == 409  # not confirmed: the gate
    store = world.tenant_store(OWN)
    assert store.case("case-a").status.value == "open"  # type: ignore[union-attr]
    assert store.deliveries() == []


def test_confirm_then_file_queues_a_delivery_and_assign_moves_the_claim(
        world: PageWorld) -> None:
    status, text = _post(world, "confirm", note="indicators agree", viewed="yes")
    assert status == 200 and "Confirmed." in text
    status, text = _post(world, "file", destination="partner")
    assert status == 200 and "Queued for partner" in text
    status, text = _post(world, "assign", assignee="bo", note="bo knows this ring")
    assert status == 200 and "Held by: bo" in text
    status, text = _post(world, "note", text="called the platform")
    assert "called the platform" in text
    store = world.tenant_store(OWN)
    assert [d.destination for d in store.deliveries()] == ["partner"]
    assign = next(e for e in store.audit_events() if e.action == "assign")
    assert assign.justification == "bo knows this ring"
    claimed = world.client.post("/ui/cases/case-a/claim", data={"claim_justification": "mine?"},
                                headers={"X-CSRF-Token": world.csrf(), "HX-Request": "true"})
    assert "Already claimed by bo." in claimed.text
    released = world.client.post("/ui/cases/case-a/release", headers={
        "X-CSRF-Token": world.csrf(), "HX-Request": "true"})
    assert "You do not hold this case." in released.text and "bo" in released.text
