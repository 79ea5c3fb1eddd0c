"""Video hashing: sampling by time, hashes close to the drawn pictures, the vPDQ text format."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from vigil.media.hashing.pdq import hamming_hex, pdq_of_image
from vigil.media.video.frames import (
    DecodeCounters,
    FrameHash,
    Sampling,
    format_vpdq,
    hash_video,
    iter_frame_hashes,
    parse_vpdq,
    read_vpdq,
    sample_frames,
    write_vpdq,
)
from vigil.testing.streams import SceneVideo, scene_frames, scene_video_bytes

VIDEO = SceneVideo(seeds=(101, 102, 103, 104), seconds_per_scene=2.0, fps=10)
"""8 s, four drawn scenes of 2 s each at 10 frames/s, 320x240."""


@pytest.fixture(scope="module")
def mp4() -> bytes:
    return scene_video_bytes(VIDEO, "mp4")


@pytest.fixture(scope="module")
def picture_hashes() -> dict[int, str]:
    """Reference PDQ (pdqhash on RGB) of each scene's first frame, as a bank would hold it."""
    frames = list(scene_frames(VIDEO))
    return {seed: pdq_of_image(Image.fromarray(frames[i * VIDEO.frames_per_scene])).hex
            for i, seed in enumerate(VIDEO.seeds)}


@pytest.mark.parametrize(("fps", "expected_times"), [
    (1.0, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]),
    (0.5, [0.0, 2.0, 4.0, 6.0]),
    (2.0, [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5]),
])
def test_sampling_keeps_the_first_frame_of_each_period(mp4: bytes, fps: float,
                                                       expected_times: list[float]) -> None:
    hashes = hash_video(io.BytesIO(mp4), Sampling(frames_per_second=fps))
    assert [h.timestamp_s for h in hashes] == expected_times
    assert [h.frame_number for h in hashes] == [round(t * VIDEO.fps) for t in expected_times]


def test_frame_hashes_are_near_the_pictures_they_show(mp4: bytes,
                                                      picture_hashes: dict[int, str]) -> None:
    for frame in hash_video(io.BytesIO(mp4)):
        seed = VIDEO.scene_at(frame.timestamp_s)
        assert frame.reliable
        assert hamming_hex(frame.pdq, picture_hashes[seed]) <= 16
        others = [h for s, h in picture_hashes.items() if s != seed]
        assert min(hamming_hex(frame.pdq, h) for h in others) > 60


def test_path_file_object_and_mpegts_give_the_same_hashes(mp4: bytes, tmp_path: Path) -> None:
    path = tmp_path / "video.mp4"
    path.write_bytes(mp4)
    from_bytes = hash_video(io.BytesIO(mp4))
    assert hash_video(path) == from_bytes
    assert hash_video(str(path)) == from_bytes
    ts = hash_video(io.BytesIO(scene_video_bytes(VIDEO, "mpegts")))
    assert [h.timestamp_s for h in ts] == [h.timestamp_s for h in from_bytes]
    assert max(hamming_hex(a.pdq, b.pdq) for a, b in zip(ts, from_bytes, strict=True)) <= 8


def test_counters_and_iteration_are_lazy(mp4: bytes) -> None:
    counters = DecodeCounters()
    frames = sample_frames(io.BytesIO(mp4), Sampling(), counters)
    first = next(frames)
    assert first.frame_number == 0 and first.luma.shape == (VIDEO.height, VIDEO.width)
    assert counters.frames_decoded < VIDEO.fps * VIDEO.duration_s
    frames.close()
    assert len(list(iter_frame_hashes(io.BytesIO(mp4)))) == 8


def _audio_only_wav() -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="wav") as output:
        stream = output.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 800), dtype=np.int16), format="s16",
                                           layout="mono")
        frame.rate = 8000
        output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    return buffer.getvalue()


def test_sources_without_video_are_rejected() -> None:
    with pytest.raises(av.error.InvalidDataError):
        hash_video(io.BytesIO(b"not a video at all" * 100))
    with pytest.raises(ValueError, match="no video stream"):
        hash_video(io.BytesIO(_audio_only_wav()))


@pytest.mark.parametrize("rate", [0.0, -1.0, float("nan")])
def test_sampling_rejects_a_rate_that_is_not_positive(rate: float) -> None:
    with pytest.raises(ValueError, match="frames_per_second"):
        Sampling(frames_per_second=rate)


def test_vpdq_text_round_trips_in_the_reference_column_order() -> None:
    hashes = [FrameHash(0, 0.0, "ab" * 32, 100), FrameHash(30, 1.001, "0f" * 32, 49)]
    text = format_vpdq(hashes)
    assert text.splitlines()[1] == f"30,49,{'0f' * 32},1.001"
    assert parse_vpdq(text) == hashes
    assert parse_vpdq(f"\n{text}\n\n") == hashes
    buffer = io.StringIO()
    write_vpdq(hashes, buffer)
    buffer.seek(0)
    assert read_vpdq(buffer) == hashes
    assert [h.reliable for h in hashes] == [True, False]


@pytest.mark.parametrize(("line", "message"), [
    (f"1,100,{'a' * 64}", "4 comma-separated"),
    (f"x,100,{'a' * 64},0.0", "line 1"),
    (f"1,100,{'z' * 64},0.0", "line 1"),
    (f"1,100,{'a' * 62},0.0", "64-hex-digit"),
    (f"1,101,{'a' * 64},0.0", "quality 0-100"),
])
def test_malformed_vpdq_lines_name_the_line(line: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_vpdq(line)
