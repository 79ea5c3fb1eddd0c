"""The current signals after a run: what it drops from the last run's set, and what it adds.

A scope recomputed to exactly the signals it had is no change (:func:`without_unchanged`).

A run reads the last set as :class:`~vigil.checkpoints.SignalFacts` (no signal decoded) and holds
as objects only what it found itself and the live signals; :class:`CurrentSet` decodes the rest
from the store when asked, so an incremental run decodes the signals it relinks, not all.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from vigil.checkpoints import CheckpointStore, CurrentChange, RunCheckpoint, SignalFacts, drops
from vigil.incremental.detect import DetectorRun
from vigil.model import Signal


def current_change(runs: Sequence[DetectorRun], previous: RunCheckpoint | None,
                   full: bool) -> CurrentChange:
    """Detectors recomputed in full (or no longer run) drop all their current signals, the
    others the scopes they recomputed; each run's findings become current under their scope."""
    ran = {run.name for run in runs}
    gone = set(previous.detectors) - ran if previous is not None else set()
    facts: dict[str, SignalFacts] = {}
    for run in runs:
        for scope, signal in run.signals:
            if signal.id not in facts:
                facts[signal.id] = SignalFacts.of(signal, run.name, scope)
        for item in run.stored:
            facts.setdefault(item.id, item)
    return CurrentChange(
        added=[(f.id, f.detector, f.scope) for f in facts.values()],
        dropped={run.name: frozenset(run.scopes) for run in runs if run.scopes is not None},
        dropped_detectors=frozenset(gone | {run.name for run in runs if run.scopes is None}),
        replace_all=full or previous is None, facts=facts)


def without_unchanged(runs: Sequence[DetectorRun], before: Sequence[SignalFacts],
                      ) -> list[DetectorRun]:
    """``runs`` less each recomputed scope whose findings are exactly the current signals of
    its detector and scope (the same ids: a signal id is its content's hash): such a scope is
    neither dropped nor added again, so its signals are not stored, their current rows not
    rewritten, and nothing downstream sees a change there. Runs in full are kept whole."""
    current: dict[tuple[str, str], set[str]] = {}
    for facts in before:
        current.setdefault((facts.detector, facts.scope), set()).add(facts.id)
    kept = []
    for run in runs:
        if run.scopes is None:
            kept.append(run)
            continue
        found: dict[str, set[str]] = {scope: set() for scope in run.scopes}
        for scope, signal in run.signals:
            found.setdefault(scope, set()).add(signal.id)
        same = {scope for scope, ids in found.items()
                if ids == current.get((run.name, scope), set())}
        kept.append(replace(run, signals=[(scope, s) for scope, s in run.signals
                                          if scope not in same],
                            scopes=run.scopes - same))
    return kept


def current_after(before: Sequence[SignalFacts], change: CurrentChange) -> list[SignalFacts]:
    """The current set ``change`` leaves of ``before``, in signal id order (so linking and
    triage see the same sequence whichever way the set was reached)."""
    kept = {f.id: f for f in before if not drops(change, f.detector, f.scope)}
    kept.update(change.facts)
    return sorted(kept.values(), key=lambda f: f.id)


@dataclass(frozen=True)
class CurrentSet:
    """The signals a run links: the facts of each (the current ones by id, then the live ones),
    the signals it holds as objects (found by this run, or live), and the store the others are
    decoded from."""

    facts: list[SignalFacts]
    held: Mapping[str, Signal]
    store: CheckpointStore

    def signals(self, ids: Collection[str] | None = None) -> list[Signal]:
        """The signals of ``ids`` (every one when ``None``), in :attr:`facts` order."""
        wanted = [f.id for f in self.facts if ids is None or f.id in ids]
        found = self.signals_by_id(wanted)
        return [found[i] for i in wanted]

    def signals_by_id(self, ids: Collection[str]) -> dict[str, Signal]:
        """The signals of ``ids`` (each a current or live one), by id: those held as they are,
        the others decoded from the store."""
        found = {i: self.held[i] for i in ids if i in self.held}
        missing = [i for i in ids if i not in found]
        if missing:
            found.update((s.id, s) for s in self.store.signals_of(missing))
        return found


__all__ = ["CurrentSet", "current_after", "current_change", "without_unchanged"]
