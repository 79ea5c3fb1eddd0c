"""One monitored stream's mutable state: its pending frames, counters and latency window.

The reader thread appends sampled frames, worker threads take them; both touch the counters.
Everything shared sits behind the stream's own lock (one per stream, so streams never contend),
and :meth:`StreamState.snapshot` copies it out as a frozen :class:`StreamStats`.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from time import monotonic

import numpy as np

from vigil.media.video.frames import DecodeCounters, SampledFrame, Sampling, VideoSource
from vigil.monitor.events import StreamStats
from vigil.monitor.sources import Backpressure

__all__ = ["LATENCY_WINDOW", "StreamState"]

LATENCY_WINDOW = 10_000
"""Latencies kept per stream for p50/p99: at 1 frame/s, the last ~2.8 hours."""


@dataclass
class StreamState:
    """A stream from ``add_stream`` to its end; ``capacity`` bounds its queued frames."""

    stream_id: str
    source: VideoSource
    name: str
    sampling: Sampling
    backpressure: Backpressure
    realtime: bool
    capacity: int
    state: str = "running"
    error: str | None = None
    counters: DecodeCounters = field(default_factory=DecodeCounters)
    sampled: int = 0
    hashed: int = 0
    low_quality: int = 0
    matches: int = 0
    drops: int = 0
    worker_errors: int = 0
    decode_s: float = 0.0
    hash_s: float = 0.0
    match_s: float = 0.0
    started: float = field(default_factory=monotonic)
    wall_started: datetime = field(default_factory=lambda: datetime.now(UTC))
    ended: float | None = None
    pending: deque[SampledFrame] = field(default_factory=deque)
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_WINDOW))
    lock: threading.Condition = field(default_factory=threading.Condition)

    def wall_time(self, monotonic_time: float) -> datetime:
        """A ``time.monotonic()`` reading as UTC wall-clock time."""
        return self.wall_started + timedelta(seconds=monotonic_time - self.started)

    def offer(self, frame: SampledFrame, stopping: threading.Event) -> bool:
        """Queue ``frame`` under this stream's back-pressure policy; False if it was not queued."""
        with self.lock:
            self.sampled += 1
            if self.backpressure is Backpressure.DROP_OLDEST:
                if len(self.pending) >= self.capacity:
                    self.pending.popleft()
                    self.drops += 1
                self.pending.append(frame)
                return True
            while len(self.pending) >= self.capacity:
                if stopping.is_set():
                    return False
                self.lock.wait(0.1)
            self.pending.append(frame)
            return True

    def take(self) -> SampledFrame | None:
        """The oldest queued frame, or None when a drop already took it."""
        with self.lock:
            frame = self.pending.popleft() if self.pending else None
            self.lock.notify_all()
            return frame

    def finish(self, state: str, error: str | None = None) -> None:
        with self.lock:
            if self.ended is None:
                self.state, self.error, self.ended = state, error, monotonic()

    def snapshot(self) -> StreamStats:
        with self.lock:
            latencies = np.array(self.latencies, dtype=float)
            p50, p99 = (np.percentile(latencies, [50, 99]) if len(latencies) else (None, None))
            return StreamStats(
                stream_id=self.stream_id, source=self.name, state=self.state, error=self.error,
                elapsed_s=(self.ended or monotonic()) - self.started,
                frames_decoded=self.counters.frames_decoded, frames_sampled=self.sampled,
                frames_hashed=self.hashed, frames_low_quality=self.low_quality,
                matches=self.matches, drops=self.drops,
                corrupt_packets=self.counters.corrupt_packets, worker_errors=self.worker_errors,
                latency_p50_s=None if p50 is None else float(p50),
                latency_p99_s=None if p99 is None else float(p99),
                decode_s=self.decode_s, hash_s=self.hash_s, match_s=self.match_s)
