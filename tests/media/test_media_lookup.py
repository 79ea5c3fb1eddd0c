"""One media lookup: the same hash gets the same decision on every path, in every bank state.

Paths: the media detector, panic-report frames, ``vigil match``'s library function and the
live-stream monitor (the lookup ``vigil monitor`` builds, fed by a real stream). States: a
normal positive entry, the same hash also in a negative bank, the bank paused, the entry paused,
and the entry paused by an earlier flood (stored by :func:`store_flood_pauses`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from vigil.detectors.media import MediaHashDetector
from vigil.detectors.reports import PanicReportDetector
from vigil.media.banks.flood import FLOOD_ACTOR, FloodConfig
from vigil.media.banks.lookup import MediaLookup, store_flood_pauses
from vigil.media.banks.records import BankEntry, BankInfo, BankKind
from vigil.media.hashing.pdq import pdq_of_image
from vigil.media.paths import match_path
from vigil.monitor import StreamMonitor
from vigil.plugin import DetectionContext
from vigil.records import MediaObservation, PanicReport
from vigil.store.memory import MemoryStore
from vigil.testing.streams import SceneVideo, scene_frames, scene_video_bytes

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
VIDEO = SceneVideo(seeds=(5151,), seconds_per_scene=2.0)
STATES = ("normal", "negative", "paused_bank", "paused_entry", "flooded")


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    """The scene's PDQ, the scene as a PNG, and a video of it (written once for the module)."""
    folder = tmp_path_factory.mktemp("scene")
    first = Image.fromarray(next(iter(scene_frames(VIDEO))))
    first.save(folder / "scene.png")
    (folder / "scene.mp4").write_bytes(scene_video_bytes(VIDEO))
    return pdq_of_image(first).hex, folder / "scene.png", folder / "scene.mp4"


def store_in(state: str, pdq: str) -> MemoryStore:
    store = MemoryStore()
    store.add_bank(BankInfo("known", threshold=31))
    store.add_bank_entries([BankEntry("known", pdq, "pdq", "scene")])
    if state == "negative":
        store.add_bank(BankInfo("fps", threshold=31, kind=BankKind.NEGATIVE))
        store.add_bank_entries([BankEntry("fps", pdq, "pdq", "known false positive")])
    elif state == "paused_bank":
        store.set_bank_enabled("known", False, reason="review", actor="analyst a")
    elif state == "paused_entry":
        store.set_bank_entry_enabled("known", "pdq", pdq, False, reason="review",
                                     actor="analyst a")
    elif state == "flooded":
        lookup = MediaLookup.from_store(store, flood=FloodConfig())
        for i in range(60):
            lookup.judge_pdq(pdq, now=T0 - timedelta(hours=2) + timedelta(seconds=i))
        store_flood_pauses(store, store, lookup.take_pauses())
        assert store.bank_entries("known")[0].state_by == FLOOD_ACTOR
    return store


def via_media_detector(store: MemoryStore, pdq: str, picture: Path, video: Path) -> bool:
    seen = MediaObservation(observation_id="o1", account="vc:streamer", observed_at=T0, pdq=pdq)
    return bool(list(MediaHashDetector().detect([seen], DetectionContext(store))))


def via_panic_report(store: MemoryStore, pdq: str, picture: Path, video: Path) -> bool:
    report = PanicReport(report_id="r1", reporter="vc:viewer", reported="vc:streamer",
                         session_id="s1", reported_at=T0, reason="help", frame_pdqs=(pdq,))
    (signal,) = PanicReportDetector().detect([report], DetectionContext(store))
    return bool(signal.evidence["frame_matches"])


def via_match_command(store: MemoryStore, pdq: str, picture: Path, video: Path) -> bool:
    lookup = MediaLookup.from_store(store)  # as vigil match builds it
    return any(found.match.entry.bank == "known" for _, found in match_path(picture, lookup))


def via_monitor(store: MemoryStore, pdq: str, picture: Path, video: Path) -> bool:
    lookup = MediaLookup.from_store(store, flood=FloodConfig())  # as vigil monitor builds it
    with StreamMonitor(lookup) as monitor:
        monitor.add_stream(str(video))
        assert monitor.wait(timeout=30)
        events = monitor.events()
    return any(hit.bank == "known" for event in events for hit in event.hits)


PATHS: dict[str, Callable[[MemoryStore, str, Path, Path], bool]] = {
    "media_detector": via_media_detector, "panic_report": via_panic_report,
    "match_command": via_match_command, "monitor": via_monitor,
}


@pytest.mark.parametrize("state", STATES)
def test_every_path_gives_the_same_decision(state: str, scene: tuple[str, Path, Path]) -> None:
    pdq, picture, video = scene
    decisions = {name: path(store_in(state, pdq), pdq, picture, video)
                 for name, path in PATHS.items()}
    expected = state == "normal"
    assert decisions == dict.fromkeys(PATHS, expected)


def test_a_report_frame_of_a_known_false_positive_is_no_match(
        scene: tuple[str, Path, Path]) -> None:
    """The bug: report frames skipped bank policy, so this frame scored as media (1.0)."""
    pdq = scene[0]
    report = PanicReport(report_id="r1", reporter="vc:viewer", reported="vc:streamer",
                         session_id="s1", reported_at=T0, reason="help", frame_pdqs=(pdq,))
    (signal,) = PanicReportDetector().detect([report], DetectionContext(store_in("negative",
                                                                                  pdq)))
    assert signal.evidence["media_score"] is None
    assert signal.evidence["frame_matches"] == []


def test_one_run_shares_one_lookup_and_its_flood_pauses() -> None:
    context = DetectionContext(MemoryStore())
    assert context.media_lookup("brute") is context.media_lookup("brute")
    assert context.take_flood_pauses() == []
