"""Live-stream monitoring: sample frames of several streams, hash them, match them, report fast.

Threads, not asyncio: FFmpeg decoding and swscale release the GIL (PyAV wraps them in ``nogil``)
and the hash's NumPy stages do too, so one reader thread per stream decodes in parallel while a
small worker pool hashes and matches. Each stream queues at most ``queue_per_stream`` sampled
frames; a live stream that outruns the workers drops its oldest frame (counted), a file waits.
Streams are served in the order their frames arrived, so one busy stream cannot starve the rest.

Agora, Hive, Yubo and SafeToNet publish no frame-hash latency on live streams; vigil promises an
event within one second of the frame being decoded and measures every frame against it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from time import monotonic, perf_counter

from vigil.media.video.frames import (
    SampledFrame,
    Sampling,
    VideoSource,
    hash_sampled,
    sample_frames,
)
from vigil.monitor.events import BankHit, Matcher, MatchEvent, StreamStats
from vigil.monitor.sources import (
    NETWORK_TIMEOUT_S,
    Backpressure,
    default_backpressure,
    display_name,
    is_live,
    resolve_source,
)
from vigil.monitor.state import StreamState

__all__ = ["DEFAULT_QUEUE_PER_STREAM", "DEFAULT_WORKERS", "StreamMonitor"]

log = logging.getLogger(__name__)

DEFAULT_WORKERS = 2
"""vigil's choice: hashing a reduced frame takes about a millisecond, so two workers keep up with
dozens of streams at 1 frame/s while decoding (the dominant cost, vPDQ README) gets the cores."""
DEFAULT_QUEUE_PER_STREAM = 4
"""vigil's choice: at vPDQ's 1 frame/s, four queued frames is four seconds behind; a frame older
than that is late for the one-second promise anyway, so a live stream drops it instead."""
MONITOR_DECODE_THREADS = 1
"""vigil's choice: one decoder thread per stream, because the streams are the parallelism; FFmpeg's
default of a thread per core for every stream oversubscribes the cores with many streams."""
_BATCH = 8
"""Frames a worker hashes at once: same-sized frames share the hasher's NumPy passes."""


class StreamMonitor:
    """Monitors any number of streams against one matcher until stopped or the streams end."""

    def __init__(self, matcher: Matcher, *, workers: int = DEFAULT_WORKERS,
                 queue_per_stream: int = DEFAULT_QUEUE_PER_STREAM,
                 sampling: Sampling | None = None,
                 on_event: Callable[[MatchEvent], None] | None = None,
                 keep_events: int = 10_000) -> None:
        if workers < 1 or queue_per_stream < 1:
            raise ValueError("workers and queue_per_stream must be at least 1")
        self._matcher = matcher
        self._sampling = sampling or Sampling(decode_threads=MONITOR_DECODE_THREADS)
        self._on_event = on_event
        self._queue_per_stream = queue_per_stream
        self._streams: dict[str, StreamState] = {}
        self._readers: list[threading.Thread] = []
        self._ready: queue.SimpleQueue[StreamState] = queue.SimpleQueue()
        self._events: deque[MatchEvent] = deque(maxlen=keep_events)
        self._outstanding = 0
        self._idle = threading.Condition()
        self._stopping = threading.Event()
        self._closing = threading.Event()
        self._workers = [threading.Thread(target=self._work, name=f"vigil-hash-{i}", daemon=True)
                         for i in range(workers)]
        for worker in self._workers:
            worker.start()

    def __enter__(self) -> StreamMonitor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def add_stream(self, source: VideoSource, stream_id: str | None = None, *,
                   sampling: Sampling | None = None, backpressure: Backpressure | None = None,
                   realtime: bool = False) -> str:
        """Start reading ``source`` (path, URL, file object or ``-``); returns the stream's id.

        ``realtime`` paces a file at its own frame times, as if it were live (for demos and
        benchmarks). Network sources get a 10 s read timeout unless ``sampling`` sets one.
        """
        if self._stopping.is_set():
            raise RuntimeError("the monitor is stopped")
        stream_id = stream_id or f"stream-{len(self._streams) + 1}"
        if stream_id in self._streams:
            raise ValueError(f"stream id {stream_id!r} is already monitored")
        chosen = sampling or self._sampling
        if is_live(source) and chosen.timeout_s is None:
            chosen = replace(chosen, timeout_s=NETWORK_TIMEOUT_S)
        state = StreamState(stream_id, resolve_source(source), display_name(source), chosen,
                            backpressure or default_backpressure(source), realtime,
                            self._queue_per_stream)
        self._streams[stream_id] = state
        reader = threading.Thread(target=self._read, args=(state,), name=f"vigil-read-{stream_id}",
                                  daemon=True)
        self._readers.append(reader)
        reader.start()
        return stream_id

    def stats(self) -> dict[str, StreamStats]:
        return {stream_id: state.snapshot() for stream_id, state in list(self._streams.items())}

    def events(self) -> list[MatchEvent]:
        """The most recent events (up to ``keep_events``), oldest first."""
        return list(self._events)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every stream has ended and every queued frame is handled; False on timeout.

        Live streams rarely end: use :meth:`stop` for them.
        """
        deadline = None if timeout is None else monotonic() + timeout
        for reader in self._readers:
            reader.join(None if deadline is None else max(0.0, deadline - monotonic()))
            if reader.is_alive():
                return False
        with self._idle:
            remaining = None if deadline is None else max(0.0, deadline - monotonic())
            return self._idle.wait_for(lambda: self._outstanding == 0, remaining)

    def stop(self, timeout: float = 5.0) -> dict[str, StreamStats]:
        """Stop reading, finish the frames already queued, stop the workers; final stats.

        A reader blocked in a network read notices within the source's read timeout; it is a
        daemon thread, so it never keeps the process alive.
        """
        self._stopping.set()
        deadline = monotonic() + timeout
        for reader in self._readers:
            reader.join(max(0.0, deadline - monotonic()))
        with self._idle:
            self._idle.wait_for(lambda: self._outstanding == 0, max(0.0, deadline - monotonic()))
        self._closing.set()
        for worker in self._workers:
            worker.join(max(0.0, deadline - monotonic()))
        for state in self._streams.values():
            state.finish("stopped")
        return self.stats()

    def _read(self, state: StreamState) -> None:
        frames = sample_frames(state.source, state.sampling, state.counters)
        try:
            while not self._stopping.is_set():
                started = perf_counter()
                frame = next(frames, None)
                state.decode_s += perf_counter() - started
                if frame is None and state.sampled:
                    state.finish("finished")
                    return
                if frame is None:  # ended before its first frame: e.g. text named .mp4
                    state.finish("failed", "no video frame could be decoded")
                    return
                if state.realtime:
                    frame = self._pace(state, frame)
                if state.offer(frame, self._stopping):
                    self._submit(state)
        except Exception as error:  # a bad source must not take other streams down
            message = f"{type(error).__name__}: {error}".replace(str(state.source), state.name)
            # info, not warning: the failure is in the stream's stats, which callers report
            # (``vigil monitor`` prints one line per failed source); a warning doubled that line
            log.info("stream %s failed: %s", state.stream_id, message)
            state.finish("failed", message)
        finally:
            frames.close()

    def _pace(self, state: StreamState, frame: SampledFrame) -> SampledFrame:
        """Hold a file's frame until its time comes; the frame counts as decoded then."""
        due = state.started + frame.timestamp_s
        self._stopping.wait(max(0.0, due - monotonic()))
        return replace(frame, decoded_at=max(frame.decoded_at, monotonic()))

    def _submit(self, state: StreamState) -> None:
        with self._idle:
            self._outstanding += 1
        self._ready.put(state)

    def _done(self, count: int) -> None:
        with self._idle:
            self._outstanding -= count
            self._idle.notify_all()

    def _work(self) -> None:
        while not (self._closing.is_set() and self._ready.empty()):
            try:
                tokens = [self._ready.get(timeout=0.05)]
            except queue.Empty:
                continue
            while len(tokens) < _BATCH:
                try:
                    tokens.append(self._ready.get_nowait())
                except queue.Empty:
                    break
            batch = [(state, frame) for state in tokens if (frame := state.take()) is not None]
            try:
                self._process(batch)
            except Exception:  # logged and counted; the worker must survive
                log.exception("hashing or matching failed")
                for state, _ in batch:
                    with state.lock:
                        state.worker_errors += 1
            finally:
                self._done(len(tokens))

    def _process(self, batch: list[tuple[StreamState, SampledFrame]]) -> None:
        if not batch:
            return
        started = perf_counter()
        hashes = hash_sampled([frame for _, frame in batch])
        share = (perf_counter() - started) / len(batch)
        for (state, frame), pdq in zip(batch, hashes, strict=True):
            started = perf_counter()
            hits = self._matcher(pdq.hex) if pdq.reliable else []
            matched = perf_counter()
            latency = monotonic() - frame.decoded_at
            with state.lock:
                state.hashed += 1
                state.low_quality += 0 if pdq.reliable else 1
                state.hash_s += share
                state.match_s += matched - started
                state.latencies.append(latency)
                state.matches += 1 if hits else 0
            if hits:
                self._emit(MatchEvent(
                    state.stream_id, state.name, frame.frame_number, frame.timestamp_s, pdq.hex,
                    pdq.quality, tuple(sorted((BankHit.of(h) for h in hits),
                                              key=lambda h: (h.distance, h.bank, h.hash))),
                    state.wall_time(frame.decoded_at), latency))

    def _emit(self, event: MatchEvent) -> None:
        self._events.append(event)
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:  # a failing consumer must not stop the monitor
                log.exception("on_event callback failed for stream %s", event.stream_id)
