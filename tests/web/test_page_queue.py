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


def test_the_queue_pages_keeping_filters_and_sort(tmp_path: Path) -> None:
    paged = page_world(tmp_path, {"ana": (Role.ANALYST, OWN)}, queue_page_size=2)
    store = paged.tenant_store(OWN)
    built = [make_case(f"case-{n}") for n in range(5)]
    store.add_records([message for _case, message in built])
    store.replace_cases([replace(case, priority=n / 10) for n, (case, _m) in enumerate(built)])
    assert paged.log_in("ana") == 303
    first = paged.client.get("/ui/queue", params={"sort": "priority", "kind": "conversation"})
    assert re.findall(r'data-case="([^"]+)"', first.text) == ["case-4", "case-3"]
    assert "5 case(s), page 1 of 3." in first.text and 'rel="prev"' not in first.text
    following = re.search(r'rel="next" href="([^"]+)"', first.text)
    assert following is not None
    link = following.group(1).replace("&amp;", "&")
    assert link == "/ui/queue?kind=conversation&sort=priority&page=2"
    second = paged.client.get(link)
    assert re.findall(r'data-case="([^"]+)"', second.text) == ["case-2", "case-1"]
    assert 'rel="prev" href="/ui/queue?kind=conversation&amp;sort=priority&amp;page=1"' in (
        second.text)
    last = paged.client.get("/ui/queue", params={"page": "9"})  # past the end: the last page
    assert re.findall(r'data-case="([^"]+)"', last.text) == ["case-0"]
    assert 'rel="next"' not in last.text
    assert paged.client.get("/ui/queue", params={"page": "0"}).status_code == 422
    paged.client.close()


def test_a_claim_asks_for_a_justification_and_audits_it(world: PageWorld) -> None:
    assert world.log_in("ana") == 303
    headers = {"X-CSRF-Token": world.csrf(), "HX-Request": "true"}
    assert 'id="claim-why"' in world.client.get("/ui/queue").text
    refused = world.client.post("/ui/cases/case-0/claim", data={"claim_justification": "  "},
                                headers=headers)
    assert refused.status_code == 422 and "Say why you claim it" in refused.text
    claimed = world.client.post("/ui/cases/case-0/claim",
                                data={"claim_justification": "triage of the top case"},
                                headers=headers)
    assert claimed.status_code == 200 and "ana (you)" in claimed.text
    events = [e for e in world.tenant_store(OWN).audit_events() if e.action == "claim"]
    assert [(e.actor, e.justification) for e in events] == [("ana", "triage of the top case")]
