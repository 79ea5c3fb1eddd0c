"""Cases keep their id and review state across runs while they grow, merge or split, on every
store (docs/decisions/0004-stable-case-ids.md).

The runs link live signals (``share.partner``: stored signals no detector recomputes), so each
test is a real run of the pipeline over what the store holds, with no detector.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.core.factories import T0, signal
from vigil.case_lineage import MERGE_ACTION, PIPELINE_ACTOR, SPLIT_ACTION
from vigil.confirmation import confirm_case, decisions
from vigil.gate import outbound_allowed
from vigil.linking import load_linking_config
from vigil.model import CaseStatus, Signal
from vigil.pipeline import PipelineConfig, run_pipeline
from vigil.review import assign_case, case_history, current_assignee, set_case_status
from vigil.store.interfaces import Store
from vigil.store.open import open_store
from vigil.triage import load_triage_config


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


def live(*subjects: str, days: float = 0.0, tag: str = "") -> Signal:
    return signal(*subjects, days=days, tag=tag, source="share.partner")


def run(store: Store, as_of_days: float | None = None) -> dict[frozenset[str], str]:
    """One run; each case's id by its set of identifiers."""
    config = PipelineConfig(load_linking_config(), load_triage_config())
    as_of = None if as_of_days is None else T0 + timedelta(days=as_of_days)
    result = run_pipeline(store, [], config, as_of=as_of)
    return {frozenset(str(e) for e in c.entities): c.id for c in result.cases}


def only_id(ids: dict[frozenset[str], str]) -> str:
    assert len(ids) == 1
    return next(iter(ids.values()))


def events(store: Store, action: str) -> list[str]:
    return [e.target for e in store.audit_events() if e.action == action]


def test_a_reviewed_case_keeps_id_and_status_when_a_smaller_identifier_joins(
        store: Store) -> None:
    store.add_signals([live("account:chat:mm", "account:chat:zz", tag="1")])
    first = only_id(run(store))
    set_case_status(store, store, first, CaseStatus.IN_REVIEW, actor="ana")
    store.add_signals([live("account:chat:aa", "account:chat:mm", days=1, tag="2")])
    grown = run(store)
    assert only_id(grown) == first
    assert set(next(iter(grown))) == {"account:chat:aa", "account:chat:mm", "account:chat:zz"}
    case = store.case(first)
    assert case is not None and case.status is CaseStatus.IN_REVIEW
    assert [e.action for e in case_history(store, first)] == ["set_status"]


def test_two_reviewed_cases_merge_and_the_survivor_inherits_their_review(store: Store) -> None:
    store.add_signals([live("account:chat:a1", "account:chat:a2", tag="a"),
                       live("account:chat:b1", "account:chat:b2", "account:chat:b3", tag="b")])
    ids = run(store)
    small = ids[frozenset({"account:chat:a1", "account:chat:a2"})]
    large = ids[frozenset({"account:chat:b1", "account:chat:b2", "account:chat:b3"})]
    confirm_case(store, store, small, actor="ana", role="analyst", note="paid show")
    set_case_status(store, store, large, CaseStatus.IN_REVIEW, actor="ben")
    assign_case(store, store, small, "carla", actor="ana")
    store.add_signals([live("account:chat:a2", "account:chat:b1", days=1, tag="bridge")])
    survivor = only_id(run(store))
    assert survivor == large  # the case sharing the most identifiers keeps its id
    case = store.case(survivor)
    assert case is not None and case.status is CaseStatus.CONFIRMED  # confirmed > in_review
    merge = [e for e in store.audit_events() if e.action == MERGE_ACTION]
    assert len(merge) == 1 and merge[0].actor == PIPELINE_ACTOR and merge[0].role == "system"
    assert merge[0].details["absorbed"] == [small] and merge[0].details["survivor"] == large
    history = case_history(store, survivor)
    assert [(e.action, e.target) for e in history] == [
        ("confirm", small), ("set_status", large), ("assign", small), (MERGE_ACTION, large)]
    assert current_assignee(store, survivor) == "carla"
    # the absorbed case's confirmation saw none of the survivor's other signals: the gate refuses
    assert not outbound_allowed(case, decisions(store)).allowed


def test_a_case_dismissed_in_part_is_not_dismissed_when_merged(store: Store) -> None:
    store.add_signals([live("account:chat:a1", tag="a"), live("account:chat:b1", tag="b")])
    ids = run(store)
    set_case_status(store, store, ids[frozenset({"account:chat:a1"})], CaseStatus.DISMISSED,
                    actor="ana")
    store.add_signals([live("account:chat:a1", "account:chat:b1", days=1, tag="bridge")])
    survivor = only_id(run(store))
    case = store.case(survivor)
    assert case is not None and case.status is CaseStatus.OPEN


def test_a_split_keeps_the_id_on_the_largest_part_and_is_audited(store: Store) -> None:
    store.add_signals([live("account:chat:a1", "account:chat:a2", tag="a"),
                       live("account:chat:b1", "account:chat:b2", "account:chat:b3", tag="b"),
                       live("account:chat:a2", "account:chat:b1", days=5, tag="bridge")])
    whole = only_id(run(store))
    set_case_status(store, store, whole, CaseStatus.IN_REVIEW, actor="ana")
    parts = run(store, as_of_days=1)  # the bridge is not yet observed: two cases
    large = parts[frozenset({"account:chat:b1", "account:chat:b2", "account:chat:b3"})]
    small = parts[frozenset({"account:chat:a1", "account:chat:a2"})]
    assert large == whole and small != whole
    assert store.case(large).status is CaseStatus.IN_REVIEW  # type: ignore[union-attr]
    assert store.case(small).status is CaseStatus.OPEN  # type: ignore[union-attr]
    split = [e for e in store.audit_events() if e.action == SPLIT_ACTION]
    assert len(split) == 1 and split[0].target == whole
    assert split[0].details["parts"] == [small]
    assert [e.action for e in case_history(store, small)] == [SPLIT_ACTION]


def test_rerunning_on_the_same_data_changes_no_id_and_logs_nothing_new(store: Store) -> None:
    store.add_signals([live("account:chat:a1", "account:chat:a2", tag="a"),
                       live("account:chat:b1", tag="b"), live("phone:+639171234567", tag="c")])
    first = run(store)
    assert run(store) == first and run(store) == first
    assert events(store, MERGE_ACTION) == [] and events(store, SPLIT_ACTION) == []
