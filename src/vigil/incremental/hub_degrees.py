"""A kept case's hub reasons with the degrees now, written over its stored ranking.

A hub before and now whose degree changed (a payment to a remittance company's pooled account
from one more sender) changes no edge, so every case that names it and was not otherwise
affected keeps its members and signals (:mod:`vigil.incremental.region`); only the degree its
hub reason states changed. That reason weighs nothing (:data:`vigil.triage.HUB_COMPONENT`), so
the priority stands, and the case is not relinked, re-scored or decoded: its stored reasons
(:class:`~vigil.store.interfaces.CaseScore`) get the reason a full triage writes for the hub now.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from vigil.linking import Hub, LinkedGroup
from vigil.model import Reason
from vigil.store.interfaces import CaseScore
from vigil.triage import HUB_COMPONENT
from vigil.triage import _hub_reasons as hub_reasons  # the one wording of a hub reason

_MARK = " not used for linking:"


def redegreed(scores: Sequence[CaseScore], wanted: Collection[str],
              hubs: Mapping[str, Hub]) -> list[CaseScore] | None:
    """The ``wanted`` cases' ``scores`` with the hub reasons of ``hubs`` (by identifier text)
    stated as now. ``None`` when one of them cannot be: no stored reason is recognised, to
    the letter, as one of those hubs' (a case stored before its reasons were kept): the caller
    then rebuilds every case."""
    found = []
    for score in scores:
        if score.id not in wanted:
            continue
        reasons = [_now(reason, hubs) for reason in score.reasons]
        if not any(reasons[i] is not reason for i, reason in enumerate(score.reasons)):
            return None
        found.append(CaseScore(score.id, score.priority, tuple(reasons), score.latest))
    return found if len(found) == len(set(wanted)) else None


def _now(reason: Reason, hubs: Mapping[str, Hub]) -> Reason:
    """``reason`` as now if it is a hub reason of one of ``hubs`` (the reason triage wrote for
    that hub at some degree, to the letter), else itself."""
    hub = hubs.get(reason.text.partition(_MARK)[0]) if reason.component == HUB_COMPONENT else None
    if hub is None or reason != _reason(Hub(hub.entity, int(reason.value), hub.limit)):
        return reason
    return _reason(hub)


def _reason(hub: Hub) -> Reason:
    return hub_reasons(LinkedGroup((), (), (hub,)))[0]


__all__ = ["redegreed"]
