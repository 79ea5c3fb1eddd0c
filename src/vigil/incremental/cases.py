"""Linking, triage and case storing of one run: every case, or only those its changes touch.

A run whose checkpoint says its cases were built under the same linking and triage
configuration (:class:`CaseBasis`, which also keeps the ``as_of`` moment and the live signals
linked) and that knows what arrived since relinks only the affected part of the graph
(:mod:`vigil.incremental.region`, :mod:`vigil.incremental.relink`), re-scores the cases found
there, and rewrites only those rows (:meth:`~vigil.store.interfaces.CaseStore.update_cases`);
every other case is kept as stored, which is what a full rebuild would write for it, unless the
moment moved: then every kept case's recency changed, and each is re-ranked from its stored
ranking (not relinked, its signals not read; :mod:`vigil.incremental.rescore`).
Otherwise (no checkpoint, ``--full``, another configuration, or unknown arrivals) every case is
rebuilt. Either way a case keeps its stable id and review state (:mod:`vigil.case_lineage`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from vigil.case_lineage import stabilise
from vigil.incremental.arrivals import RunRecords
from vigil.incremental.current import CurrentSet
from vigil.incremental.hub_degrees import restate_hubs
from vigil.incremental.rebuild import all_components, store_cases, store_region
from vigil.incremental.region import Degrees, Region, affected_region
from vigil.incremental.relink import Component, Earlier, components, hubs_among, link_region
from vigil.incremental.rescore import moment_in_recency_only, reranked
from vigil.incremental.usage import KnownDegrees, run_usage
from vigil.linking import Hub, LinkedGroup, LinkingConfig, link
from vigil.linking_sql import TableEngine, link_sql
from vigil.model import Case, EntityRef, Signal, content_hash
from vigil.store.codec import entity_from_text
from vigil.store.interfaces import SCORE_PAGE, Store
from vigil.triage import HUB_COMPONENT, Scorer, TriageConfig, triage, triage_all

RERANK_PAGE = SCORE_PAGE
"""Stored rankings re-ranked at a time (:meth:`CaseBuilder.rescore`)."""


@dataclass(frozen=True)
class CaseBasis:
    """What a run's cases were built under, kept in its checkpoint."""

    as_of: str
    config: str
    """Digest of the linking and triage configuration (signal kinds and scorer names too)."""
    live: Mapping[str, Earlier]
    """The live signals linked (no record behind them, so no current signal remembers them)."""

    def to_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "config": self.config,
                "live": {i: [list(e.subjects), list(e.linking), list(e.roles)]
                         for i, e in self.live.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CaseBasis | None:
        """The basis :meth:`to_json` wrote (one written before roles were kept reads with none:
        its configuration digest differs from any run's since, so its cases are rebuilt)."""
        if not data:
            return None
        live = {i: Earlier(i, tuple(s), tuple(k), tuple(r[0]) if r else ())
                for i, (s, k, *r) in data["live"].items()}
        return cls(str(data["as_of"]), str(data["config"]), live)


@dataclass(frozen=True)
class CaseBuilder:
    """How a run turns signals into cases (configs from :class:`vigil.pipeline.PipelineConfig`)."""

    linking: LinkingConfig
    triage: TriageConfig
    """With the run's signal kinds set (:meth:`TriageConfig.with_kinds`)."""
    scorers: Mapping[str, Scorer]
    sql_engine: Callable[[], TableEngine] | None = None

    def basis(self, moment: datetime, live: Sequence[Signal]) -> CaseBasis:
        config = content_hash([self.linking.model_dump(mode="json"),
                               self.triage.model_dump(mode="json"), sorted(self.scorers)])
        return CaseBasis(moment.isoformat(), config,
                         {s.id: Earlier.of(s, self.linking) for s in live})

    def link(self, signals: Sequence[Signal], usage: Mapping[EntityRef, set[EntityRef]],
             hubs: Mapping[EntityRef, Hub] | None = None) -> list[LinkedGroup]:
        """Link with igraph, or in SQL on the configured engine (the same groups either way)."""
        if self.sql_engine is None:
            return link(signals, self.linking, usage, hubs)
        engine = self.sql_engine()
        try:
            return link_sql(signals, engine, self.linking, usage, hubs)
        finally:
            engine.close()

    def rebuild(self, store: Store, current: CurrentSet, records: RunRecords,
                moment: datetime, step: Callable[[str], None]) -> int:
        """Every case from every current signal, stored in place of all earlier cases; how
        many. Linked from the signals' facts and triaged a chunk at a time
        (:mod:`vigil.incremental.rebuild`), unless linking runs in SQL, which links signals."""
        if self.sql_engine is not None:
            return self._rebuild_held(store, current.signals(), records, moment, step)
        step("link")
        found = all_components([Earlier.of_facts(f, self.linking) for f in current.facts],
                               self.linking, KnownDegrees(records))
        step("triage")
        return store_cases(store, found, current, self.triage, moment, self.scorers)

    def _rebuild_held(self, store: Store, signals: Sequence[Signal], records: RunRecords,
                      moment: datetime, step: Callable[[str], None]) -> int:
        step("link")
        groups = self.link(signals, run_usage(records, signals))
        step("triage")
        cases = triage_all(groups, self.triage, moment, self.scorers)
        stable = stabilise(cases, store.case_members(), store.reviewed_statuses(),
                           datetime.now(UTC))
        store.replace_cases(stable.cases, stable.inherited, signals_stored=True)
        for event in stable.events:
            store.append_audit(event)
        return len(stable.cases)

    def update(self, store: Store, earlier: Sequence[Earlier], current: CurrentSet,
               touched: Collection[str], records: RunRecords, moment: datetime,
               step: Callable[[str], None], rescore: bool = False) -> int | None:
        """Rebuild only the cases the changes touch; how many. ``None`` when the stored cases
        do not match the earlier signals, and the caller must :meth:`rebuild` (no case written;
        hub reasons restated before that was found are rewritten by the rebuild).
        Only the signals relinked are decoded (:class:`CurrentSet`), and they are let go before
        the kept cases are re-ranked.
        ``rescore``: the moment moved, so every kept case is re-scored too (:meth:`rescore`)."""
        step("link")
        members = store.case_members()
        now = self._now(earlier, current)
        degrees = KnownDegrees(records)
        region = affected_region(earlier, now, touched, members, self.linking, degrees)
        if region is None:
            return None
        if region.hubs and restate_hubs(store, region.replaced, region.hubs) is None:
            return None
        if self.sql_engine is None:  # the region a chunk at a time, from its facts
            found = self.region_components(region, now, degrees)
            step("triage")
            written = store_region(store, found, current, members, region.replaced,
                                   self.triage, moment, self.scorers)
        else:
            written = self._store_region(store, self.relink(region, now, current, degrees),
                                         members, region.replaced, moment, step)
        if rescore:
            self.rescore(store, region.replaced | written, moment)
        return len(written)

    def _store_region(self, store: Store, groups: Sequence[LinkedGroup],
                      members: Mapping[str, str], replaced: Collection[str], moment: datetime,
                      step: Callable[[str], None]) -> set[str]:
        """The region's ``groups`` triaged and stored in place of the ``replaced`` cases,
        with stable ids; the ids written."""
        step("triage")
        cases = triage_all(groups, self.triage, moment, self.scorers)
        previous = {key: case for key, case in members.items() if case in replaced}
        stable = stabilise(cases, previous, store.reviewed_statuses(), datetime.now(UTC),
                           set(members.values()))
        store.update_cases(stable.cases, replaced, stable.inherited, signals_stored=True)
        for event in stable.events:
            store.append_audit(event)
        return {case.id for case in stable.cases}

    def _now(self, earlier: Sequence[Earlier], current: CurrentSet) -> list[Earlier]:
        """The current signals as :class:`Earlier`: a signal still current since the last run is
        the one ``earlier`` holds (its id is its content's hash, and the linking configuration
        is the same, or there would be no ``earlier``), so only the added ones are built."""
        known = {e.id: e for e in earlier}
        return [known.get(f.id) or Earlier.of_facts(f, self.linking) for f in current.facts]

    def region_components(self, region: Region, now: Sequence[Earlier],
                          degrees: Degrees) -> list[Component]:
        """The components of the ``region``'s signals (in current order) with hubs judged as
        :meth:`relink` judges them, from their facts alone: no signal decoded."""
        ids = set(region.ids)
        facts = [e for e in now if e.id in ids]
        wanted = {text for e in facts for text in e.subjects}
        hubs = hubs_among(wanted, now, self.linking,
                          degrees({entity_from_text(text) for text in wanted}))
        return components(facts, hubs, self.linking)

    def relink(self, region: Region, now: Sequence[Earlier], current: CurrentSet,
               degrees: Degrees) -> list[LinkedGroup]:
        """The groups of the ``region``'s signals, with hubs judged over every current signal
        (``now``) and the record-level ``degrees``, their signals decoded: from the facts kept
        beside them (:func:`link_region`), or in SQL on the configured engine
        (``VIGIL_LINKING=sql``; the same groups either way). :meth:`update` takes
        :meth:`region_components` instead where it does not link in SQL."""
        ids = set(region.ids)
        facts = {e.id: e for e in now if e.id in ids}
        wanted = {text for e in facts.values() for text in e.subjects}
        hubs = hubs_among(wanted, now, self.linking,
                          degrees({entity_from_text(text) for text in wanted}))
        signals = current.signals(ids)
        if self.sql_engine is None:
            return link_region(signals, facts, hubs, self.linking)
        return self.link(signals, {}, {hub.entity: hub for hub in hubs.values()})

    def rescore(self, store: Store, skip: Collection[str], moment: datetime) -> None:
        """Every stored case but ``skip`` ranked again as of ``moment`` (its recency changed):
        from its stored ranking when only recency reads the moment
        (:mod:`vigil.incremental.rescore`), a page at a time; else from its own signals and
        members, its hubs unchanged (it was not affected), so its stored hub reasons (restated
        already, :func:`restate_hubs`) are kept. Never relinked. The pages re-ranked before one
        that cannot be are rewritten by the second way too."""
        if moment_in_recency_only(self.triage, self.scorers) and self._reranked(
                store, skip, moment):
            return
        kept = [c for c in store.cases() if c.id not in skip]
        store.update_cases([self._rescored(c, moment) for c in kept], [c.id for c in kept],
                           signals_stored=True)

    def _reranked(self, store: Store, skip: Collection[str], moment: datetime) -> bool:
        """:meth:`rescore` from the stored rankings, a page at a time; whether every page
        could be (:func:`reranked`)."""
        for page in store.case_score_pages(RERANK_PAGE):
            moved = [reranked(s, self.triage, moment) for s in page if s.id not in skip]
            if any(m is None for m in moved):
                return False
            store.set_case_scores([m for m in moved if m is not None])
        return True

    def _rescored(self, case: Case, moment: datetime) -> Case:
        group = LinkedGroup(tuple(sorted(case.signals, key=lambda s: s.id)), case.entities, ())
        fresh = triage(group, self.triage, moment, self.scorers)
        hubs = tuple(r for r in case.reasons if r.component == HUB_COMPONENT)
        return replace(case, priority=fresh.priority, reasons=fresh.reasons + hubs)


__all__ = ["CaseBasis", "CaseBuilder"]
