"""End to end over HTTP: HLS playlists served on localhost, monitored like live streams."""

from __future__ import annotations

from pathlib import Path

from tests.monitor.helpers import (
    BANK,
    bank_matcher,
    expected_matches,
    pdq_matcher,
    serve_folder,
    write_hls,
)
from vigil.monitor import Backpressure, MatchEvent, StreamMonitor
from vigil.testing.streams import SceneVideo

LATENCY_BUDGET_S = 1.0


def _seen(events: list[MatchEvent], stream_id: str) -> set[tuple[float, str]]:
    return {(e.frame_time_s, e.hits[0].label) for e in events if e.stream_id == stream_id}


def test_a_paced_hls_stream_reports_known_scenes_within_a_second(tmp_path: Path) -> None:
    video = SceneVideo(seeds=(301, 302, 303, 304, 305), seconds_per_scene=1.0, fps=10)
    known = {302, 305}
    write_hls(video, tmp_path, "live")
    received: list[MatchEvent] = []
    with serve_folder(tmp_path) as base:
        url = f"{base}/live.m3u8"
        with StreamMonitor(pdq_matcher(bank_matcher(known, video)),
                           on_event=received.append) as monitor:
            monitor.add_stream(url, "cam-1", realtime=True)
            assert monitor.wait(timeout=15)
            stats = monitor.stats()["cam-1"]
    assert _seen(received, "cam-1") == expected_matches(video, known) == {
        (1.0, "scene-302"), (4.0, "scene-305")}
    assert all(e.latency_s < LATENCY_BUDGET_S for e in received)
    assert all(e.bank == BANK and e.distance <= 31 and e.source == url for e in received)
    assert stats.state == "finished" and stats.error is None
    assert (stats.frames_sampled, stats.frames_hashed, stats.matches, stats.drops) == (5, 5, 2, 0)
    assert stats.frames_decoded == 50
    assert stats.latency_p99_s is not None and stats.latency_p99_s < LATENCY_BUDGET_S
    assert stats.elapsed_s >= 4.0  # paced: the last frame is due 4 s in
    assert 0.9 <= stats.sampled_fps <= 1.3


def test_two_concurrent_streams_keep_their_matches_apart(tmp_path: Path) -> None:
    first = SceneVideo(seeds=(311, 312, 313, 314), seconds_per_scene=2.0, fps=10)
    second = SceneVideo(seeds=(321, 322, 323, 324), seconds_per_scene=2.0, fps=10, width=256,
                        height=192)
    known = {312, 321, 324}
    write_hls(first, tmp_path, "first")
    write_hls(second, tmp_path, "second")
    matcher = pdq_matcher(bank_matcher(known, first, second))
    with serve_folder(tmp_path) as base, StreamMonitor(matcher) as monitor:
        for name in ("first", "second"):
            monitor.add_stream(f"{base}/{name}.m3u8", name, backpressure=Backpressure.BLOCK)
        assert monitor.wait(timeout=15)
        events = monitor.events()
        stats = monitor.stats()
    assert _seen(events, "first") == expected_matches(first, known)
    assert _seen(events, "second") == expected_matches(second, known)
    assert len(_seen(events, "second")) == 4
    for name in ("first", "second"):
        assert stats[name].state == "finished"
        assert stats[name].frames_hashed == stats[name].frames_sampled == 8
        p99 = stats[name].latency_p99_s
        assert p99 is not None and p99 < LATENCY_BUDGET_S
    assert all(e.latency_s < LATENCY_BUDGET_S for e in events)
