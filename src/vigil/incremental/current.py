"""The current signals after a run: what it drops from the last run's set, and what it adds."""

from __future__ import annotations

from collections.abc import Sequence

from vigil.checkpoints import CurrentChange, CurrentSignal, RunCheckpoint, drops
from vigil.incremental.detect import DetectorRun


def current_change(runs: Sequence[DetectorRun], previous: RunCheckpoint | None,
                   full: bool) -> CurrentChange:
    """Detectors recomputed in full (or no longer run) drop all their current signals, the
    others the scopes they recomputed; each run's findings become current under their scope."""
    ran = {run.name for run in runs}
    gone = set(previous.detectors) - ran if previous is not None else set()
    added: dict[str, tuple[str, str, str]] = {}
    for run in runs:
        for scope, signal in run.signals:
            added.setdefault(signal.id, (signal.id, run.name, scope))
    return CurrentChange(
        added=list(added.values()),
        dropped={run.name: frozenset(run.scopes) for run in runs if run.scopes is not None},
        dropped_detectors=frozenset(gone | {run.name for run in runs if run.scopes is None}),
        replace_all=full or previous is None)


def current_after(before: Sequence[CurrentSignal], runs: Sequence[DetectorRun],
                  change: CurrentChange) -> list[CurrentSignal]:
    """The current set ``change`` leaves of ``before``, in signal id order (so linking and
    triage see the same sequence whichever way the set was reached)."""
    kept = {c.signal.id: c for c in before if not drops(change, c.detector, c.scope)}
    found: dict[str, CurrentSignal] = {}
    for run in runs:
        for scope, signal in run.signals:
            found.setdefault(signal.id, CurrentSignal(signal, run.name, scope))
    kept.update(found)
    return sorted(kept.values(), key=lambda c: c.signal.id)


__all__ = ["current_after", "current_change"]
