"""The queue page: order, filters, bulk dismissal, and what a reviewer sees."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from tests.web.page_world import OWN, PageWorld, hold, make_case, page_world
from vigil import EntityRef, QueueFilter, Role, case_jurisdictions


@pytest.fixture
def world(tmp_path: Path) -> PageWorld:
    built = page_world(tmp_path, {"ana": (Role.ANALYST, OWN), "rev": (Role.REVIEWER, OWN)})
    store = built.tenant_store(OWN)
    cases, messages = [], []
    for n, (priority, days_ago, phone) in enumerate(
            [(0.9, 5, "+639171234567"), (0.5, 1, "+13055550100"), (0.7, 3, None)]):
        case, message = make_case(f"case-{n}")
        signal = replace(case.signals[0],
                         observed_at=case.signals[0].observed_at - timedelta(days=days_ago))
        entities = case.entities + ((EntityRef.of("phone", phone),) if phone else ())
        cases.append(replace(case, priority=priority, signals=(signal,), entities=entities))
        messages.append(message)
    store.add_records(messages)
    store.replace_cases(cases)
    return built


def _order(world: PageWorld, **query: str) -> list[str]:
    page = world.client.get("/ui/queue", params=query)
    assert page.status_code == 200, page.text
    return re.findall(r'<tr class="case-row" data-case="([^"]+)"', page.text)


def test_order_and_filters(world: PageWorld) -> None:
    assert world.log_in("ana") == 303
    assert _order(world) == ["case-0", "case-2", "case-1"]
    assert _order(world, sort="recency") == ["case-1", "case-2", "case-0"]
    assert _order(world, jurisdiction="PH") == ["case-0"]
    assert _order(world, jurisdiction="US") == ["case-1"]
    assert _order(world, kind="conversation") == ["case-0", "case-2", "case-1"]
    assert _order(world, kind="payment") == []
    assert _order(world, status="open") == ["case-0", "case-2", "case-1"]
    assert world.client.get("/ui/queue", params={"status": "bogus"}).status_code == 422


def test_bulk_dismissal_needs_a_justification(world: PageWorld) -> None:
    assert world.log_in("ana") == 303
    csrf = world.csrf()
    refused = world.client.post("/ui/queue/dismiss", data={
        "csrf": csrf, "case_id": ["case-1", "case-2"], "justification": " "})
    assert "give a justification" in refused.text
    assert _order(world, status="dismissed") == []
    done = world.client.post("/ui/queue/dismiss", data={
        "csrf": csrf, "case_id": ["case-1", "case-2"], "justification": "duplicates of 0"})
    assert "Dismissed 2 case(s)." in done.text
    assert _order(world, status="dismissed") == ["case-2", "case-1"]
    events = [e for e in world.tenant_store(OWN).audit_events() if e.action == "dismiss"]
    assert sorted(e.target for e in events) == ["case-1", "case-2"]
    assert {(e.justification, e.role) for e in events} == {("duplicates of 0", "analyst")}


def test_a_reviewer_sees_only_the_cases_assigned_to_them(world: PageWorld) -> None:
    hold(world.tenant_store(OWN), "case-2", "rev")
    assert world.log_in("rev") == 303
    assert _order(world) == ["case-2"]
    assert world.client.get("/ui/cases/case-0", params={"why": "x"}).status_code == 403


def test_the_library_refuses_unknown_filters_and_reads_countries() -> None:
    with pytest.raises(ValueError, match="signal kind"):
        QueueFilter(kind="telepathy")
    with pytest.raises(ValueError, match="sort"):
        QueueFilter(sort="random")
    case, _message = make_case("c")
    phones = (EntityRef.of("phone", "+639171234567"), EntityRef.of("phone", "+442079460000"))
    assert case_jurisdictions(replace(case, entities=case.entities + phones)) == ("GB", "PH")
    assert case_jurisdictions(case) == ()
