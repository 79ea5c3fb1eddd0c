"""A live-stream match becomes a case: ``vigil monitor --store`` then ``vigil run``.

Before docs/decisions/0002-signals-without-records.md, ``vigil run`` built cases only from the
signals it recomputed from records, so a monitor signal with no record behind it (no
``--account``) was stored and never read again.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.identifiers import EntityKind
from vigil.media.banks.flood import FLOOD_ACTOR
from vigil.media.hashing.pdq import pdq_of_image
from vigil.model import EntityRef, Signal, SignalKind
from vigil.monitor.signals import MONITOR_SOURCE
from vigil.pipeline import LIVE_SOURCES, live_signals
from vigil.settings import Settings
from vigil.store.memory import MemoryStore
from vigil.store.open import open_store
from vigil.testing.streams import SceneVideo, scene_frames, scene_video_bytes

VIDEO = SceneVideo(seeds=(6161, 6162), seconds_per_scene=2.0)
runner = CliRunner()


@pytest.fixture()
def stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stream file whose first scene is in bank ``known``, and a store that holds the bank."""
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'vigil.db'}")
    monkeypatch.setenv("VIGIL_MEDIA_INDEX", "brute")
    first = Image.fromarray(next(iter(scene_frames(VIDEO))))
    (tmp_path / "bank.csv").write_text("hash,signal_type,label,source\n"
                                       f"{pdq_of_image(first).hex},pdq,scene,test\n")
    assert invoke("bank", "import", str(tmp_path / "bank.csv"), "--name", "known")[0] == 0
    (tmp_path / "stream.mp4").write_bytes(scene_video_bytes(VIDEO))
    return tmp_path / "stream.mp4"


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def monitored_signal_ids(output: str) -> list[str]:
    return [json.loads(line)["signal_id"] for line in output.splitlines()
            if line.startswith("{")]


def case_signal_ids() -> list[set[str]]:
    store = open_store(Settings().database_url)
    try:
        return [{signal.id for signal in case.signals} for case in store.cases()]
    finally:
        store.close()


def test_a_live_match_without_a_record_becomes_a_case(stream: Path) -> None:
    code, out = invoke("monitor", str(stream), "--store")
    live = monitored_signal_ids(out)
    assert code == 0 and live
    assert invoke("run")[0] == 0
    cases = case_signal_ids()
    assert any(set(live) <= signals for signals in cases)


def test_a_live_match_with_a_stored_frame_counts_once(stream: Path) -> None:
    code, out = invoke("monitor", str(stream), "--store", "--account", "vidchat:streamer")
    live = monitored_signal_ids(out)
    assert code == 0 and live
    assert invoke("run")[0] == 0
    (signals,) = case_signal_ids()
    assert not set(live) & signals  # left to the media detector, which read the stored frames
    assert len(signals) == len(live)


def test_live_signals_are_read_within_the_run_window() -> None:
    store = MemoryStore()
    at = datetime(2026, 3, 1, 12, tzinfo=UTC)
    live = [Signal(source=LIVE_SOURCES[0], kind=SignalKind.MEDIA,
                   subjects=(EntityRef.of(EntityKind.MEDIA, f"pdq:{n:064x}"),), score=0.9,
                   observed_at=at + timedelta(hours=n), evidence={}, explanation="live",
                   detector_version="2") for n in range(2)]
    other = replace(live[0], source="some.detector")
    store.add_signals([*live, other])
    assert live_signals(store, {}, LIVE_SOURCES, as_of=at) == [live[0]]
    assert sorted(live_signals(store, {}, LIVE_SOURCES), key=lambda s: s.observed_at) == live


def test_the_monitor_is_a_live_source() -> None:
    assert MONITOR_SOURCE in LIVE_SOURCES


def test_the_monitor_stores_a_flood_pause_with_an_audit_event(stream: Path) -> None:
    """25 matches of one entry within a minute is a flood (FloodConfig: 20 in an hour, no past)."""
    long_scene = SceneVideo(seeds=(6161,), seconds_per_scene=25.0, fps=2)
    stream.write_bytes(scene_video_bytes(long_scene))
    code, out = invoke("monitor", str(stream), "--store")
    assert code == 0 and 0 < len(monitored_signal_ids(out)) < 25
    store = open_store(Settings().database_url)
    try:
        (entry,) = store.bank_entries("known")
        pauses = [e for e in store.audit_events() if e.action == "pause_entry"]
    finally:
        store.close()
    assert not entry.enabled and entry.state_by == FLOOD_ACTOR
    assert [e.target for e in pauses] == [f"known/pdq:{entry.hash}"]
