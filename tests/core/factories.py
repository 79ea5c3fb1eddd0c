"""Small builders for signals in tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from vigil.model import EntityRef, Signal, SignalKind

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def ref(text: str) -> EntityRef:
    return EntityRef.parse(text)


def signal(*subjects: str, kind: SignalKind = SignalKind.PAYMENT, score: float = 0.5,
           days: float = 0.0, roles: dict[str, str] | None = None, tag: str = "",
           source: str = "test.detector", **evidence: Any) -> Signal:
    return Signal(
        source=source, kind=kind, subjects=tuple(ref(s) for s in subjects), score=score,
        observed_at=T0 + timedelta(days=days),
        evidence={"roles": roles or {}, "tag": tag, **evidence},
        explanation=f"test signal {tag}", detector_version="1")
