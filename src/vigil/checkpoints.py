"""Run checkpoints: what the last run processed, and which signals are current.

A run leaves a checkpoint in the operational store: for each record kind a *mark* of what was
stored when it read (a count and digest of the records in write order, or the names of the
Parquet parts) and, for each detector, a *fingerprint* of what it was (name, version, settings,
rule pack, banks). The next ``vigil run`` compares the store with the marks to find what arrived
since, and recomputes in full any detector whose fingerprint changed (:mod:`vigil.incremental`).

*Current signals* are the findings the cases are built from: each is kept with its detector and
its *scope*, the partition of the records it is a function of (a sender's payments, one
conversation, one observation). A run that recomputes a scope replaces every current signal of
that detector and scope with what it found now, so a finding is never counted twice; signals of
earlier runs stay in the signal store as history.

The checkpoint and the change to the current set are written together, at the end of a run, in
one transaction: a run that dies before leaves the last checkpoint, and the next run processes
the same arrivals again (storing signals is idempotent).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from sys import intern
from typing import Any, Protocol, runtime_checkable

from vigil.model import Signal, SignalKind

FULL_SCOPE = "*"
"""The scope of a signal that depends on every record its detector consumes."""


@dataclass(frozen=True)
class CurrentSignal:
    """A signal the cases are built from, with the detector and scope that produced it."""

    signal: Signal
    detector: str
    scope: str


@dataclass(frozen=True, slots=True)
class SignalFacts:
    """What a run reads of a current signal without decoding it: its detector and scope, kind,
    time, subjects (``kind:value`` text) and evidence roles (subject text -> role).

    A run holds one per current signal (1.7 million at 10M payments), so :meth:`of` and
    :meth:`shared` intern their text: an account named by many signals is one string."""

    id: str
    detector: str
    scope: str
    kind: SignalKind
    observed_at: datetime
    subjects: tuple[str, ...]
    roles: Mapping[str, Any]

    @classmethod
    def of(cls, signal: Signal, detector: str, scope: str) -> SignalFacts:
        roles = signal.evidence.get("roles", {})
        return cls.shared(signal.id, detector, scope, signal.kind, signal.observed_at,
                          [str(s) for s in signal.subjects],
                          roles if isinstance(roles, dict) else {})

    @classmethod
    def shared(cls, signal_id: str, detector: str, scope: str, kind: SignalKind,
               observed_at: datetime, subjects: Sequence[str],
               roles: Mapping[str, Any]) -> SignalFacts:
        """Facts whose detector, scope, subjects and roles are interned strings."""
        return cls(signal_id, intern(detector), intern(scope), kind, observed_at,
                   tuple(intern(text) for text in subjects),
                   {intern(str(key)): intern(role) if isinstance(role, str) else role
                    for key, role in roles.items()})


@dataclass(frozen=True)
class RunCheckpoint:
    """What one run processed: record marks by kind, detector fingerprints by name."""

    marks: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    detectors: Mapping[str, str] = field(default_factory=dict)
    at: str = ""
    cases: Mapping[str, Any] = field(default_factory=dict)
    """What the run's cases were built under (:class:`vigil.incremental.relink.CaseBasis`):
    the next run rebuilds only the cases its changes touch when it builds under the same."""

    def to_json(self) -> str:
        return json.dumps({"marks": self.marks, "detectors": self.detectors, "at": self.at,
                           "cases": self.cases}, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> RunCheckpoint:
        data = json.loads(text)
        return cls(dict(data.get("marks", {})), dict(data.get("detectors", {})),
                   str(data.get("at", "")), dict(data.get("cases", {})))


@dataclass(frozen=True)
class CurrentChange:
    """How a run changes the current signals: drop scopes (or everything), then add."""

    added: Sequence[tuple[str, str, str]] = ()
    """(signal id, detector, scope) of the signals that become current."""
    dropped: Mapping[str, Collection[str]] = field(default_factory=dict)
    """Detector -> scopes whose current signals are replaced (:data:`FULL_SCOPE` entries too)."""
    dropped_detectors: Collection[str] = ()
    """Detectors whose every current signal goes (recomputed in full, or no longer run)."""
    replace_all: bool = False
    """``vigil run --full``: the current set is exactly :attr:`added`."""
    facts: Mapping[str, SignalFacts] = field(default_factory=dict)
    """The facts of added signals by id, kept beside them (:meth:`CheckpointStore.
    current_facts` reads an added signal without them from its JSON)."""


@runtime_checkable
class CheckpointStore(Protocol):
    """Where a run keeps its checkpoint and the current signals (the operational store)."""

    def run_checkpoint(self) -> RunCheckpoint | None:
        """The last run's checkpoint; ``None`` before the first run."""

    def current_signals(self) -> list[CurrentSignal]:
        """The current signals, in the order they became current (stored signals only)."""

    def current_facts(self) -> list[SignalFacts]:
        """The facts of the current signals, in the order they became current, without
        decoding the signals (a run decodes only those it relinks)."""

    def signals_of(self, ids: Collection[str]) -> list[Signal]:
        """The stored signals with these ids (in no set order)."""

    def commit_run(self, checkpoint: RunCheckpoint, change: CurrentChange) -> None:
        """Apply ``change`` to the current signals and store ``checkpoint``, atomically."""

    def signals_from(self, sources: Collection[str]) -> list[Signal]:
        """Stored signals of ``sources`` (the live ones a run reads), without decoding the
        rest of the signal history."""


def drops(change: CurrentChange, detector: str, scope: str) -> bool:
    """Whether ``change`` removes the current signals of ``detector`` and ``scope``."""
    return (change.replace_all or detector in change.dropped_detectors
            or scope in change.dropped.get(detector, ()))


class MemoryCheckpoints:
    """:class:`CheckpointStore` for :class:`vigil.store.memory.MemoryStore`."""

    _signals: dict[str, Signal]

    def __init__(self) -> None:
        self._checkpoint: RunCheckpoint | None = None
        self._current: dict[str, tuple[str, str]] = {}
        self._checkpoint_lock = threading.Lock()

    def run_checkpoint(self) -> RunCheckpoint | None:
        return self._checkpoint

    def current_signals(self) -> list[CurrentSignal]:
        return [CurrentSignal(self._signals[sid], detector, scope)
                for sid, (detector, scope) in self._current.items() if sid in self._signals]

    def signals_from(self, sources: Collection[str]) -> list[Signal]:
        return [s for s in self._signals.values() if s.source in sources]

    def current_facts(self) -> list[SignalFacts]:
        return [SignalFacts.of(c.signal, c.detector, c.scope) for c in self.current_signals()]

    def signals_of(self, ids: Collection[str]) -> list[Signal]:
        return [self._signals[i] for i in set(ids) if i in self._signals]

    def commit_run(self, checkpoint: RunCheckpoint, change: CurrentChange) -> None:
        with self._checkpoint_lock:
            kept = {sid: (detector, scope) for sid, (detector, scope) in self._current.items()
                    if not drops(change, detector, scope)}
            for sid, detector, scope in change.added:
                kept[sid] = (detector, scope)
            self._current, self._checkpoint = kept, checkpoint


__all__ = ["FULL_SCOPE", "CheckpointStore", "CurrentChange", "CurrentSignal",
           "MemoryCheckpoints", "RunCheckpoint", "SignalFacts", "drops"]
