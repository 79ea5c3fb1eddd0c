"""The domain records every part of vigil speaks: identifiers, signals and cases.

All are frozen: a detector's output is a fact about what it saw, and a case is recomputed from
signals rather than edited in place (only its review ``status`` is carried across runs).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from vigil.identifiers import EntityKind, normalise

JSONValue = Any
"""A value that ``json.dumps`` accepts (str, number, bool, None, list or dict of these)."""


def canonical_json(value: JSONValue) -> str:
    """Deterministic JSON: sorted keys, no spaces; the basis of every content hash in vigil."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_hash(value: JSONValue) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


@dataclass(frozen=True, order=True)
class EntityRef:
    """A normalised identifier such as ``account:chatapp:alice`` or ``phone:+639171234567``."""

    kind: EntityKind
    value: str

    @classmethod
    def of(cls, kind: EntityKind | str, raw: str) -> EntityRef:
        """Build a reference from a raw value, normalising it (``ValueError`` when malformed)."""
        entity_kind = EntityKind(kind)
        return cls(entity_kind, normalise(entity_kind, raw))

    @classmethod
    def parse(cls, text: str) -> EntityRef:
        """Parse the ``kind:value`` form that :meth:`__str__` writes."""
        kind, sep, value = text.partition(":")
        if not sep:
            raise ValueError(f"invalid entity reference {text!r}: expected kind:value")
        return cls.of(kind, value)

    def __str__(self) -> str:
        # The kind formatted as the string it is (a StrEnum), not read through Enum's ``value``
        # property: the same text, at a fraction of the cost (millions of calls in a run).
        return f"{self.kind}:{self.value}"


class SignalKind(StrEnum):
    """The four families of evidence vigil fuses."""

    MEDIA = "media"
    CONVERSATION = "conversation"
    PAYMENT = "payment"
    REPORT = "report"


@dataclass(frozen=True, eq=False)
class Signal:
    """One detector's finding about one or more entities, with the reasons it fired.

    ``id`` is a content hash, so the same finding re-detected from the same input is the same signal
    and storing it twice is a no-op.
    """

    source: str
    kind: SignalKind
    subjects: tuple[EntityRef, ...]
    score: float
    observed_at: datetime
    evidence: Mapping[str, JSONValue]
    explanation: str
    detector_version: str
    id: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"signal score {self.score!r} from {self.source} is not in [0, 1]")
        if not self.subjects:
            raise ValueError(f"signal from {self.source} has no subjects")
        if self.observed_at.tzinfo is None:
            raise ValueError(f"signal from {self.source} has a naive observed_at")
        object.__setattr__(self, "subjects", tuple(sorted(set(self.subjects))))
        object.__setattr__(self, "kind", SignalKind(self.kind))
        if not self.id:
            object.__setattr__(self, "id", "sig-" + content_hash(self.identity())[:24])

    def identity(self) -> dict[str, JSONValue]:
        """The fields that make two signals the same finding (score included)."""
        return {
            "source": self.source,
            "kind": self.kind.value,
            "subjects": [str(s) for s in self.subjects],
            "score": round(self.score, 6),
            "observed_at": self.observed_at.isoformat(),
            "evidence": self.evidence,
            "detector_version": self.detector_version,
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Signal) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


class CaseStatus(StrEnum):
    """Where a case stands in review; only a named human moves it past ``open``."""

    OPEN = "open"
    IN_REVIEW = "in_review"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class Reason:
    """One component of a case's priority: its raw value, weight and contribution, in words."""

    component: str
    value: float
    weight: float
    contribution: float
    text: str

    def __str__(self) -> str:
        return f"{self.component} +{self.contribution:.3f} (value {self.value:.2f} x weight "\
               f"{self.weight:.2f}): {self.text}"


@dataclass(frozen=True)
class Case:
    """Signals joined by shared identifiers, ranked by ``priority`` with the ``reasons`` why."""

    id: str
    entities: tuple[EntityRef, ...]
    signals: tuple[Signal, ...]
    priority: float
    reasons: tuple[Reason, ...]
    status: CaseStatus = CaseStatus.OPEN

    def signal_kinds(self) -> set[SignalKind]:
        return {s.kind for s in self.signals}

    def entities_of(self, kind: EntityKind) -> list[EntityRef]:
        return [e for e in self.entities if e.kind is kind]


def case_id_for(entities: Iterable[EntityRef], signals: Iterable[Signal]) -> str:
    """The id a case gets when it is first seen: a hash of its smallest entity.

    Cases are connected components, so no two share an entity. Later runs keep the id while the
    case grows, even when a smaller entity joins it (:mod:`vigil.case_ids`, decision 0004).
    """
    keys = [str(e) for e in entities] or [s.id for s in signals]
    return "case-" + content_hash(min(keys))[:12]
