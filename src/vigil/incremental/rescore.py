"""Re-ranking the cases a run kept when its moment moved, from their stored ranking alone.

A kept case's signals did not change (:mod:`vigil.incremental.region`), so of its weighted
components only those that read the moment (``as_of``) can change. With the built-in scorers
that is recency alone (:data:`vigil.triage.MOMENT_FREE`), a function of the newest signal's time,
which the store keeps beside the case (:class:`~vigil.store.interfaces.CaseScore`). The new
priority is summed over the weighted reasons in the order :func:`vigil.triage.triage` sums them,
so it is the float a full triage gives. When another scorer is weighted (a registered one may
read the moment) the caller re-scores from the cases' signals instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from vigil.model import Reason
from vigil.store.interfaces import CaseScore
from vigil.triage import MOMENT_FREE, Scorer, TriageConfig, recency, score_recency

RECENCY = "recency"


def moment_in_recency_only(config: TriageConfig, scorers: Mapping[str, Scorer]) -> bool:
    """Whether every weighted scorer but the built-in recency ignores the moment."""
    return all(scorers[name] in MOMENT_FREE
               or (name == RECENCY and scorers[name] is score_recency)
               for name in config.weights)


def reranked(score: CaseScore, config: TriageConfig, as_of: datetime) -> CaseScore | None:
    """``score`` as of ``as_of``: its recency reason recomputed, its priority summed again.
    ``None`` when it cannot be (no ``latest`` stored, or reasons not in the weights' order)."""
    names = list(config.weights)
    if score.latest is None or [r.component for r in score.reasons[:len(names)]] != names:
        return None
    latest = score.latest
    reasons = tuple(_moved(r, latest, config, as_of) if i < len(names) and r.component == RECENCY
                    else r for i, r in enumerate(score.reasons))
    priority = round(sum(r.contribution for r in reasons[:len(names)]), 6)
    return CaseScore(score.id, priority, reasons, latest)


def _moved(reason: Reason, latest: datetime, config: TriageConfig, as_of: datetime) -> Reason:
    component = recency(latest, config, as_of)
    return Reason(reason.component, component.value, reason.weight,
                  component.value * reason.weight, component.text)


__all__ = ["RECENCY", "moment_in_recency_only", "reranked"]
