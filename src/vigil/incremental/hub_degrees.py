"""A kept case's hub reasons with the degrees now, written over its stored ranking.

A hub before and now whose degree changed (a payment to a remittance company's pooled account
from one more sender) changes no edge, so every case that names it and was not otherwise
affected keeps its members and signals (:mod:`vigil.incremental.region`); only the degree its
hub reason states changed. That reason weighs nothing (:data:`vigil.triage.HUB_COMPONENT`), so
the priority stands, and the case is not relinked, re-scored or decoded: its stored reasons
(:class:`~vigil.store.interfaces.CaseScore`) get the reason a full triage writes for the hub now.
A case names a hub exactly when its reasons hold that hub's reason (triage writes one for every
hub its signals name), so the cases are found from their stored reasons, not from their signals.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from vigil.linking import Hub, LinkedGroup
from vigil.model import Reason
from vigil.store.interfaces import CaseScore, CaseStore
from vigil.triage import HUB_COMPONENT, hub_reasons  # one wording of a hub reason

_MARK = " not used for linking:"


def restate_hubs(store: CaseStore, skip: Collection[str], hubs: Mapping[str, Hub]) -> int | None:
    """:func:`redegreed` over the stored cases (but ``skip``) a page at a time, reading only
    those whose stored reasons hold a hub reason's words (or none: the others name no hub),
    each page's restated rankings written at once; how many. ``None``: a case's reasons could
    not be read so, and the caller must rebuild every case (which rewrites the rankings
    written before). Nothing is held: at 10M payments 213,463 of 383,451 cases hold a hub
    reason, and holding the restated ones took about 1 GB."""
    count = 0
    for page in store.case_score_pages(marked=_MARK):
        restated = redegreed(page, skip, hubs)
        if restated is None:
            return None
        store.set_case_scores(restated)
        count += len(restated)
    return count


def redegreed(scores: Sequence[CaseScore], skip: Collection[str],
              hubs: Mapping[str, Hub]) -> list[CaseScore] | None:
    """The stored ``scores`` (but those of ``skip``) that name one of ``hubs`` (by identifier
    text), with its hub reason stated as now; only those that changed. ``None`` when a case's
    reasons cannot be read so (none stored: a case stored before its reasons were kept; or a
    hub reason not recognised to the letter): the caller then rebuilds every case."""
    found = []
    for score in scores:
        if score.id in skip:
            continue
        reasons = [_now(reason, hubs) for reason in score.reasons]
        if not reasons or None in reasons:
            return None
        now = tuple(r for r in reasons if r is not None)
        if now != score.reasons:
            found.append(CaseScore(score.id, score.priority, now, score.latest))
    return found


def _now(reason: Reason, hubs: Mapping[str, Hub]) -> Reason | None:
    """``reason`` as now if it is the hub reason of one of ``hubs`` (the reason triage wrote
    for that hub at some degree, to the letter), else itself; ``None`` when that cannot be
    told (an identifier whose text holds the reason's own words)."""
    if reason.component != HUB_COMPONENT:
        return reason
    if reason.text.count(_MARK) != 1:
        return None
    hub = hubs.get(reason.text.partition(_MARK)[0])
    if hub is None:
        return reason
    if reason != _reason(Hub(hub.entity, int(reason.value), hub.limit)):
        return None
    return _reason(hub)


def _reason(hub: Hub) -> Reason:
    return hub_reasons(LinkedGroup((), (), (hub,)))[0]


__all__ = ["redegreed", "restate_hubs"]
