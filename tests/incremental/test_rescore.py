"""Re-ranking a kept case from its stored ranking gives what a full triage gives."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from vigil.identifiers import EntityKind
from vigil.incremental.cases import CaseBuilder
from vigil.incremental.rescore import moment_in_recency_only, reranked
from vigil.linking import Hub, LinkedGroup, LinkingConfig
from vigil.model import Case, EntityRef, Signal, SignalKind
from vigil.store import schema
from vigil.store.interfaces import CaseScore, Store
from vigil.store.open import open_store
from vigil.store.sql import SqlStore
from vigil.triage import SCORERS, Component, load_triage_config, triage

AT = datetime(2024, 7, 1, 12, tzinfo=UTC)
ACCOUNT = EntityRef(EntityKind.PAYMENT_ACCOUNT, "bank:a1")


def _group() -> LinkedGroup:
    signals = tuple(
        Signal(source="test", kind=kind, subjects=(ACCOUNT,), score=score,
               observed_at=AT - timedelta(days=days, minutes=7), evidence={"n": days},
               explanation="test signal", detector_version="1")
        for kind, score, days in ((SignalKind.PAYMENT, 0.7, 3), (SignalKind.REPORT, 0.4, 40)))
    hub = Hub(EntityRef(EntityKind.PHONE, "+639170000000"), 20, 12)
    return LinkedGroup(signals, (ACCOUNT,), (hub,))


def _score(case: Case) -> CaseScore:
    return CaseScore(case.id, case.priority, case.reasons,
                     max(s.observed_at for s in case.signals))


def test_a_moved_moment_reranks_to_the_full_triage_exactly() -> None:
    config, group = load_triage_config(), _group()
    assert moment_in_recency_only(config, SCORERS)
    before = triage(group, config, AT)
    for days in (0.0, 0.3, 11.0, 400.0):
        later = AT + timedelta(days=days)
        full = triage(group, config, later)
        assert reranked(_score(before), config, later) == _score(full)


def test_other_scorers_or_unknown_inputs_are_not_reranked() -> None:
    config = load_triage_config()
    def reads_moment(group: LinkedGroup, _config: object, as_of: datetime) -> Component:
        return Component(0.5, "reads the moment")
    assert not moment_in_recency_only(config, {**SCORERS, "strongest": reads_moment})
    case = triage(_group(), config, AT)
    assert reranked(replace(_score(case), latest=None), config, AT) is None
    shuffled = replace(_score(case), reasons=case.reasons[::-1])
    assert reranked(shuffled, config, AT) is None


def test_stored_case_scores_round_trip_and_win_over_the_case_json(store: Store) -> None:
    config = load_triage_config()
    case = triage(_group(), config, AT)
    store.replace_cases([case])
    assert store.case_scores() == [_score(case)] and store.case_count() == 1
    later = reranked(_score(case), config, AT + timedelta(days=9))
    assert later is not None and later.priority != case.priority
    store.set_case_scores([later, replace(later, id="case-not-stored")])
    assert store.case_scores() == [later]
    moved = replace(case, priority=later.priority, reasons=later.reasons)
    assert store.cases() == [moved] and store.case(case.id) == moved
    assert store.case_count() == 1


@pytest.mark.parametrize("stored_before_0012", [False, True])
def test_rescoring_kept_cases_gives_the_full_triage(tmp_path: Path,
                                                    stored_before_0012: bool) -> None:
    """From the ranking columns, or (a row from before migration 0012, columns NULL) from the
    case's own signals: the same case either way."""
    store = open_store(f"sqlite:///{tmp_path / 'vigil.db'}")
    assert isinstance(store, SqlStore)
    config = load_triage_config()
    store.replace_cases([triage(_group(), config, AT)])
    if stored_before_0012:
        with store.engine.begin() as conn:
            conn.execute(update(schema.cases).values(latest=None, reasons=None))
        assert store.case_scores()[0].latest is None
    data = select(schema.cases.c.data)
    with store.engine.connect() as conn:
        before = conn.scalar(data)
    later = AT + timedelta(days=5)
    CaseBuilder(LinkingConfig(), config, SCORERS).rescore(store, set(), later)
    assert store.cases() == [triage(_group(), config, later)]
    with store.engine.connect() as conn:
        # From the columns the case JSON is not rewritten; from the signals it is.
        assert (conn.scalar(data) == before) is not stored_before_0012
    store.close()


def _cases(count: int) -> list[Case]:
    """``count`` cases of distinct ids, every other one without a hub reason."""
    config, group = load_triage_config(), _group()
    cases = []
    for n in range(count):
        account = EntityRef(EntityKind.PAYMENT_ACCOUNT, f"bank:a{n}")
        signals = tuple(replace(s, subjects=(account,)) for s in group.signals)
        own = LinkedGroup(signals, (account,), group.hubs if n % 2 else ())
        cases.append(replace(triage(own, config, AT + timedelta(hours=n)), id=f"case-{n:02d}"))
    return cases


def test_case_score_pages_are_the_scores_by_id_and_the_marked_ones(store: Store) -> None:
    cases = _cases(7)
    store.replace_cases(cases[::-1])
    pages = list(store.case_score_pages(3))
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [s for page in pages for s in page] == sorted(store.case_scores(), key=lambda s: s.id)
    marked = [s.id for page in store.case_score_pages(2, " not used for linking:") for s in page]
    assert marked == [c.id for c in cases if c.id[-1] in "13579"]
    assert list(store.case_score_pages(2, "no reason says this")) == []


def _rescored(path: Path, old_row: str | None, later: datetime) -> dict[str, Case]:
    store = open_store(f"sqlite:///{path}")
    assert isinstance(store, SqlStore)
    store.replace_cases(_cases(6))
    if old_row is not None:
        with store.engine.begin() as conn:
            conn.execute(update(schema.cases).where(schema.cases.c.id == old_row)
                         .values(latest=None, reasons=None))
    CaseBuilder(LinkingConfig(), load_triage_config(), SCORERS).rescore(store, {"case-00"},
                                                                       later)
    found = {c.id: c for c in store.cases()}
    store.close()
    return found


@pytest.mark.parametrize("old_row", ["case-03", None])
def test_rescoring_a_page_at_a_time_gives_one_pass(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old_row: str | None) -> None:
    """Pages of two give what one pass gives; a page that cannot be re-ranked (a row from
    before migration 0012) after a page already re-ranked sends every kept case to the full
    triage, as one pass does. The skipped case is left as stored."""
    import vigil.incremental.cases as incremental_cases

    later = AT + timedelta(days=5)
    one_pass = _rescored(tmp_path / "one.db", old_row, later)
    monkeypatch.setattr(incremental_cases, "RERANK_PAGE", 2)
    paged = _rescored(tmp_path / "paged.db", old_row, later)
    assert paged == one_pass
    config = load_triage_config()
    stored = {c.id: c for c in _cases(6)}
    assert paged["case-00"] == stored["case-00"]
    plain = stored["case-02"]
    assert paged["case-02"] == replace(
        triage(LinkedGroup(plain.signals, plain.entities, ()), config, later), id="case-02")
    assert all(paged[i] != stored[i] for i in stored if i != "case-00")
