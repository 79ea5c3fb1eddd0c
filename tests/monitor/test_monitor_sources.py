"""Files, stdin and failing sources; back-pressure, stopping, and what an event carries."""

from __future__ import annotations

import io
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.monitor.helpers import BANK, bank_matcher, expected_matches, pdq_matcher
from vigil.monitor import Backpressure, MatchEvent, StreamMonitor, display_name, is_live
from vigil.monitor.events import Matcher, MatchLike
from vigil.testing.streams import SceneVideo, scene_video_bytes

VIDEO = SceneVideo(seeds=(401, 402, 403, 404), seconds_per_scene=2.0, fps=10)
KNOWN = {402, 404}


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return pdq_matcher(bank_matcher(KNOWN, VIDEO))


@pytest.fixture(scope="module")
def mpegts() -> bytes:
    return scene_video_bytes(VIDEO, "mpegts")


def _labels(events: Sequence[MatchEvent]) -> set[tuple[float, str]]:
    return {(e.frame_time_s, e.hits[0].label) for e in events}


def test_a_file_source_is_read_to_the_end_without_drops(tmp_path: Path, matcher: Matcher,
                                                         mpegts: bytes) -> None:
    path = tmp_path / "recording.ts"
    path.write_bytes(mpegts)
    with StreamMonitor(matcher) as monitor:
        stream_id = monitor.add_stream(path)
        assert monitor.wait(timeout=15)
        stats = monitor.stats()[stream_id]
        events = monitor.events()
    assert stream_id == "stream-1"
    assert _labels(events) == expected_matches(VIDEO, KNOWN)
    assert (stats.state, stats.frames_sampled, stats.frames_hashed, stats.drops) == (
        "finished", 8, 8, 0)
    assert stats.source == str(path) and stats.decode_s > 0 and stats.hash_s > 0


def test_stdin_carries_a_container_stream(monkeypatch: pytest.MonkeyPatch, matcher: Matcher,
                                          mpegts: bytes) -> None:
    read_fd, write_fd = os.pipe()
    reader = os.fdopen(read_fd, "rb")
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=reader))

    def feed() -> None:
        with os.fdopen(write_fd, "wb") as pipe:
            for start in range(0, len(mpegts), 4096):
                pipe.write(mpegts[start:start + 4096])

    writer = threading.Thread(target=feed)
    writer.start()
    with StreamMonitor(matcher, queue_per_stream=16) as monitor:
        monitor.add_stream("-", "stdin")
        assert monitor.wait(timeout=15)
        stats = monitor.stats()["stdin"]
        events = monitor.events()
    writer.join(5)
    reader.close()
    assert stats.source == "<stdin>" and stats.state == "finished"
    assert _labels(events) == expected_matches(VIDEO, KNOWN)


def _slow(matcher: Matcher, delay_s: float) -> Matcher:
    def match(pdq: str) -> Sequence[MatchLike]:
        time.sleep(delay_s)
        return matcher(pdq)
    return match


@pytest.mark.parametrize(("policy", "dropping"), [
    (Backpressure.DROP_OLDEST, True),
    (Backpressure.BLOCK, False),
])
def test_backpressure_drops_oldest_or_waits(policy: Backpressure, dropping: bool, matcher: Matcher,
                                            mpegts: bytes) -> None:
    with StreamMonitor(_slow(matcher, 0.15), workers=1, queue_per_stream=1) as monitor:
        monitor.add_stream(io.BytesIO(mpegts), "s", backpressure=policy)
        assert monitor.wait(timeout=15)
        stats = monitor.stats()["s"]
    assert stats.frames_sampled == 8
    assert stats.frames_hashed + stats.drops == 8
    assert (stats.drops > 0) is dropping
    last = [e.frame_time_s for e in monitor.events()]
    assert 7.0 in last  # the newest frame is never the one dropped


def test_a_failing_source_is_reported_without_its_secrets() -> None:
    url = "http://viewer:secret@127.0.0.1:9/live/key.m3u8?token=abc"
    with StreamMonitor(lambda pdq: []) as monitor:
        monitor.add_stream(url, "dead")
        assert monitor.wait(timeout=15)
        stats = monitor.stats()["dead"]
    assert stats.state == "failed" and stats.error
    for text in (stats.error, stats.source):
        assert "secret" not in text and "token" not in text
    assert stats.source == "http://127.0.0.1:9/live/key.m3u8"


def test_stop_ends_a_paced_stream_promptly(matcher: Matcher, mpegts: bytes) -> None:
    monitor = StreamMonitor(matcher)
    monitor.add_stream(io.BytesIO(mpegts), "paced", realtime=True)
    time.sleep(1.2)
    started = time.monotonic()
    final = monitor.stop()
    assert time.monotonic() - started < 2.0
    assert final["paced"].state == "stopped"
    assert 1 <= final["paced"].frames_hashed < 8
    with pytest.raises(RuntimeError, match="stopped"):
        monitor.add_stream(io.BytesIO(mpegts))


def test_failing_matcher_and_callback_do_not_stop_the_stream(matcher: Matcher,
                                                             mpegts: bytes) -> None:
    def broken(pdq: str) -> Sequence[MatchLike]:
        raise RuntimeError("index unavailable")

    with StreamMonitor(broken) as monitor:
        monitor.add_stream(io.BytesIO(mpegts), "a")
        assert monitor.wait(timeout=15)
        assert monitor.stats()["a"].worker_errors == 8
    calls: list[MatchEvent] = []

    def flaky(event: MatchEvent) -> None:
        calls.append(event)
        raise ValueError("consumer down")

    with StreamMonitor(matcher, on_event=flaky) as monitor:
        monitor.add_stream(io.BytesIO(mpegts), "b")
        assert monitor.wait(timeout=15)
        assert len(monitor.events()) == len(calls) == 4


def test_an_event_is_signal_ready(matcher: Matcher, mpegts: bytes) -> None:
    with StreamMonitor(matcher) as monitor:
        monitor.add_stream(io.BytesIO(mpegts), "room-7")
        assert monitor.wait(timeout=15)
        event = monitor.events()[0]
    evidence = event.evidence()
    assert evidence["stream_id"] == "room-7" and evidence["bank"] == BANK
    assert evidence["matches"][0]["distance"] == event.distance <= 31
    assert evidence["latency_s"] == pytest.approx(event.latency_s, abs=1e-6)
    observation = event.observation("chatapp:Streamer_1")
    assert observation.stream_id == "room-7" and observation.pdq == event.pdq
    assert observation.frame_time_s == event.frame_time_s
    assert observation.observed_at == event.decoded_at and event.decoded_at.tzinfo is not None
    assert "room-7" in event.describe() and f"{event.distance} bits" in event.describe()


@pytest.mark.parametrize(("source", "live", "shown"), [
    ("-", True, "<stdin>"),
    ("rtmp://user:pw@ingest.example:1935/app/streamkey", True,
     "rtmp://ingest.example:1935/app/streamkey"),
    ("rtsp://cam.example/stream1", True, "rtsp://cam.example/stream1"),
    ("https://cdn.example/live/x.m3u8?sig=123", True, "https://cdn.example/live/x.m3u8"),
    ("recordings/a.mp4", False, "recordings/a.mp4"),
    (Path("recordings/b.ts"), False, "recordings/b.ts"),
])
def test_sources_are_classified_and_shown_safely(source: str | Path, live: bool,
                                                 shown: str) -> None:
    assert is_live(source) is live
    assert display_name(source) == shown


def test_monitor_arguments_are_checked(matcher: Matcher) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        StreamMonitor(matcher, workers=0)
    with StreamMonitor(matcher) as monitor:
        monitor.add_stream(io.BytesIO(b""), "x")
        with pytest.raises(ValueError, match="already monitored"):
            monitor.add_stream(io.BytesIO(b""), "x")
