"""A kept case's hub reason restated with the hub's degree now, as a full triage states it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from vigil.identifiers import EntityKind
from vigil.incremental.hub_degrees import redegreed
from vigil.linking import Hub, LinkedGroup
from vigil.model import EntityRef, Signal, SignalKind
from vigil.store.interfaces import CaseScore
from vigil.triage import load_triage_config, triage

HUB = EntityRef(EntityKind.PAYMENT_ACCOUNT, "gcash:hub")
# A hub whose text begins as the first's does: its reason must not be taken for the first's.
LONGER = EntityRef(EntityKind.PAYMENT_ACCOUNT, "gcash:hub2")
MOMENT = datetime(2024, 1, 2, tzinfo=UTC)


def _score(*hubs: Hub) -> CaseScore:
    """The stored ranking of a one-signal case that skipped ``hubs``."""
    signal = Signal(source="test", kind=SignalKind.PAYMENT, subjects=(HUB, LONGER), score=0.5,
                    observed_at=datetime(2024, 1, 1, tzinfo=UTC), evidence={},
                    explanation="test signal", detector_version="1")
    case = triage(LinkedGroup((signal,), (), hubs), load_triage_config(), MOMENT)
    return CaseScore(case.id, case.priority, case.reasons, signal.observed_at)


def test_a_hub_reason_is_restated_as_a_full_triage_states_it() -> None:
    before = _score(Hub(HUB, 20, 15), Hub(LONGER, 30, 15))
    after = _score(Hub(HUB, 21, 15), Hub(LONGER, 30, 15))
    assert before.reasons != after.reasons and before.id == after.id
    assert redegreed([before], set(), {str(HUB): Hub(HUB, 21, 15)}) == [after]
    assert redegreed([before], {before.id}, {str(HUB): Hub(HUB, 21, 15)}) == []
    assert redegreed([before], set(), {str(LONGER): Hub(LONGER, 30, 15)}) == []


def test_a_case_whose_hub_reason_cannot_be_recognised_asks_for_a_rebuild() -> None:
    before = _score(Hub(HUB, 20, 15))
    hubs = {str(HUB): Hub(HUB, 21, 15)}
    assert redegreed([replace(before, reasons=())], set(), hubs) is None
    edited = tuple(replace(r, text=r.text + ".") if str(HUB) in r.text else r
                   for r in before.reasons)
    assert redegreed([replace(before, reasons=edited)], set(), hubs) is None
