"""What the live-stream monitor emits: one event per matching frame, and per-stream statistics.

An event carries what a media Signal needs (stream, frame time, bank, hash, distance, quality)
and how long the frame took from decoder to event, so the one-second promise can be checked on
every event rather than on a benchmark alone. It never carries pixels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from vigil.model import JSONValue
from vigil.records import MediaObservation
from vigil.signal_types import PdqSignal

__all__ = [
    "BankHit", "MatchEvent", "MatchLike", "MatchedEntry", "Matcher", "StreamStats",
]


class MatchedEntry(Protocol):
    """The parts of a bank entry an event reports (``vigil.store.interfaces.BankEntry`` fits)."""

    @property
    def bank(self) -> str: ...
    @property
    def hash(self) -> str: ...
    @property
    def label(self) -> str: ...


class MatchLike(Protocol):
    """One hit from a matcher (``vigil.media.index.base.Match`` fits)."""

    @property
    def entry(self) -> MatchedEntry: ...
    @property
    def distance(self) -> int: ...


Matcher = Callable[[str], Sequence[MatchLike]]
"""PDQ hex in, hits out: e.g. ``lambda pdq: bank_matcher.match("pdq", pdq)``."""


@dataclass(frozen=True)
class BankHit:
    """A bank hash the frame matched, and how many bits apart."""

    bank: str
    hash: str
    label: str
    distance: int

    @classmethod
    def of(cls, match: MatchLike) -> BankHit:
        return cls(match.entry.bank, match.entry.hash, match.entry.label, int(match.distance))


@dataclass(frozen=True)
class MatchEvent:
    """A sampled frame of a stream whose PDQ hash matched at least one bank hash."""

    stream_id: str
    source: str
    frame_number: int
    frame_time_s: float
    pdq: str
    quality: int
    hits: tuple[BankHit, ...]
    """Nearest first; never empty."""
    decoded_at: datetime
    """Wall-clock time (UTC) the decoder returned the frame."""
    latency_s: float
    """Seconds from the decoder returning the frame to this event being emitted."""

    @property
    def bank(self) -> str:
        return self.hits[0].bank

    @property
    def distance(self) -> int:
        return self.hits[0].distance

    def evidence(self) -> dict[str, JSONValue]:
        """JSON-able specifics for a Signal (the caller adds ``roles``, which it alone knows)."""
        return {
            "stream_id": self.stream_id, "source": self.source,
            "frame_number": self.frame_number, "frame_time_s": self.frame_time_s,
            "pdq": self.pdq, "pdq_quality": self.quality, "bank": self.bank,
            "distance": self.distance, "latency_s": round(self.latency_s, 6),
            "matches": [{"bank": h.bank, "hash": h.hash, "label": h.label,
                         "distance": h.distance, "signal_type": PdqSignal.name} for h in self.hits],
        }

    def observation(self, account: str) -> MediaObservation:
        """The frame as a media observation of ``account`` (the streamer), for the detectors.

        The id is the stream and frame number, so re-importing the same event is idempotent.
        """
        return MediaObservation(
            observation_id=f"{self.stream_id}#{self.frame_number}", account=account,
            observed_at=self.decoded_at, pdq=self.pdq, quality=self.quality,
            stream_id=self.stream_id, frame_time_s=self.frame_time_s)

    def describe(self) -> str:
        """One sentence for an analyst."""
        label = f" (label '{self.hits[0].label}')" if self.hits[0].label else ""
        return (f"Frame at {self.frame_time_s:.1f} s of stream '{self.stream_id}' is "
                f"{self.distance} bits from a hash in bank '{self.bank}'{label}; reported "
                f"{self.latency_s * 1000:.0f} ms after decoding.")


@dataclass(frozen=True)
class StreamStats:
    """A snapshot of one stream's counters; latencies over the most recent frames hashed."""

    stream_id: str
    source: str
    state: str
    """``running``, ``finished`` (source ended), ``stopped`` (asked to) or ``failed``."""
    error: str | None
    elapsed_s: float
    frames_decoded: int
    frames_sampled: int
    frames_hashed: int
    frames_low_quality: int
    matches: int
    drops: int
    """Sampled frames discarded unhashed because the queue was full (live sources only)."""
    corrupt_packets: int
    worker_errors: int
    """Frames whose hashing or matching raised (logged); the stream carries on."""
    latency_p50_s: float | None
    latency_p99_s: float | None
    decode_s: float
    """Reader time spent demuxing, decoding and reducing frames (the stream's own thread)."""
    hash_s: float
    match_s: float

    @property
    def sampled_fps(self) -> float:
        return self.frames_sampled / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def decoded_fps(self) -> float:
        return self.frames_decoded / self.elapsed_s if self.elapsed_s > 0 else 0.0
