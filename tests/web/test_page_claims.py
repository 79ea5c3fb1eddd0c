"""Exclusive claims: two analysts never hold one case, through the pages and under races."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.page_world import OWN, START, add_cases, page_world
from vigil import (
    CaseClaimedError,
    Claim,
    Role,
    claim_case,
    claim_store,
    open_store,
    release_case,
)


def test_the_second_analyst_sees_who_holds_the_case(tmp_path: Path) -> None:
    world = page_world(tmp_path, {"ana": (Role.ANALYST, OWN), "bo": (Role.ANALYST, OWN)})
    add_cases(world.tenant_store(OWN), ["case-a"])
    assert world.log_in("ana") == 303
    first = world.client.post("/ui/cases/case-a/claim", data={"claim_justification": "triage"},
                              headers={"X-CSRF-Token": world.csrf(), "HX-Request": "true"})
    assert "ana (you)" in first.text
    other = TestClient(world.client.app, base_url="http://testserver")
    world.client, mine = other, world.client
    world.clock.advance(seconds=31)  # the next TOTP step
    assert world.log_in("bo") == 303
    second = other.post("/ui/cases/case-a/claim", data={"claim_justification": "triage"},
                        headers={"X-CSRF-Token": world.csrf(), "HX-Request": "true"})
    assert "Already claimed by ana." in second.text
    assert "ana" in other.get("/ui/queue").text
    assert claim_store(world.tenant_store(OWN)).holders() == {"case-a": "ana"}
    mine.close()


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_race_of_claims_has_exactly_one_winner(tmp_path: Path, backend: str) -> None:
    store = open_store("memory://" if backend == "memory" else
                       f"sqlite:///{tmp_path / 'tenant.db'}")
    add_cases(store, ["case-a"])
    claims = claim_store(store)
    winners: list[str] = []
    losers: list[str] = []
    start = threading.Barrier(8)

    def attempt(name: str) -> None:
        start.wait()
        try:
            claim_case(claims, store, store, "case-a", actor=name, role="analyst")
            winners.append(name)
        except CaseClaimedError as exc:
            losers.append(exc.holder)

    threads = [threading.Thread(target=attempt, args=(f"analyst-{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1 and set(losers) == set(winners) and len(losers) == 7
    assert claims.holders() == {"case-a": winners[0]}
    events = [e for e in store.audit_events() if e.action == "claim"]
    assert sorted(e.outcome for e in events) == ["denied"] * 7 + ["success"]
    assert not release_case(claims, store, "case-a", actor=losers[0] + "-not", role="analyst")
    assert release_case(claims, store, "case-a", actor=winners[0], role="analyst")
    assert claims.holders() == {}
    claims.hand_over(Claim("case-a", "lead", START))
    claims.hand_over(Claim("case-a", "bo", START))
    assert claims.holders() == {"case-a": "bo"}
    store.close()
