"""Shared pieces for monitor tests: drawn scene videos, a bank of some scenes, an HLS server."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import av
from PIL import Image

from vigil.media.banks.matcher import BankMatcher
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.media.hashing.pdq import pdq_of_image
from vigil.monitor.events import Matcher
from vigil.testing.streams import SceneVideo, mux_frames, scene_frames

BANK = "known-test"


def bank_matcher(known_seeds: set[int], *videos: SceneVideo) -> BankMatcher:
    """A bank holding the reference PDQ of the first frame of each known scene of ``videos``."""
    entries = []
    for video in videos:
        frames = list(scene_frames(video))
        firsts = {seed: frames[i * video.frames_per_scene] for i, seed in enumerate(video.seeds)}
        entries += [BankEntry(BANK, pdq_of_image(Image.fromarray(firsts[seed])).hex, "pdq",
                              label=f"scene-{seed}")
                    for seed in video.seeds if seed in known_seeds]
    return BankMatcher([BankInfo(BANK)], entries)


def pdq_matcher(bank: BankMatcher) -> Matcher:
    return lambda pdq: bank.match("pdq", pdq)


def expected_matches(video: SceneVideo, known_seeds: set[int]) -> set[tuple[float, str]]:
    """(frame time, label) of every 1 frame/s sample showing a known scene."""
    times = [float(t) for t in range(int(video.duration_s))]
    return {(t, f"scene-{video.scene_at(t)}") for t in times if video.scene_at(t) in known_seeds}


def write_hls(video: SceneVideo, folder: Path, name: str) -> None:
    """An HLS VOD playlist ``name.m3u8`` with 2-second MPEG-TS segments, by PyAV's hls muxer."""
    folder.mkdir(parents=True, exist_ok=True)
    options = {"hls_time": "2", "hls_playlist_type": "vod", "hls_segment_type": "mpegts"}
    with av.open(str(folder / f"{name}.m3u8"), mode="w", format="hls", options=options) as output:
        mux_frames(output, scene_frames(video), video.fps)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Requests are not worth a line on the test output."""


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (an ephemeral port) in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
