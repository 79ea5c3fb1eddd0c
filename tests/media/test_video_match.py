"""Video matching: vPDQ's whole-video comparison and finding a re-encoded clip inside a video."""

from __future__ import annotations

import io
from collections.abc import Iterator
from itertools import islice

import numpy as np
import pytest
from PIL import Image

from vigil.media.hashing.pdq import hamming_hex
from vigil.media.video.compare import compare_videos, find_clip, frame_distances
from vigil.media.video.frames import FrameHash, hash_video
from vigil.testing.streams import SceneVideo, encode_frames, scene_frames, scene_video_bytes

LONG = SceneVideo(seeds=tuple(range(200, 220)), seconds_per_scene=3.0, fps=10)
"""60 s of 20 drawn scenes, 320x240."""
CLIP_START_S, CLIP_SECONDS = 26.5, 8
"""An 8 s clip from the middle, starting mid-scene (half a sampling period off the video's)."""


def _resized(frames: Iterator[np.ndarray], size: tuple[int, int]) -> Iterator[np.ndarray]:
    for frame in frames:
        yield np.asarray(Image.fromarray(frame).resize(size, Image.Resampling.BILINEAR))


@pytest.fixture(scope="module")
def long_hashes() -> list[FrameHash]:
    return hash_video(io.BytesIO(scene_video_bytes(LONG)))


@pytest.fixture(scope="module")
def clip_hashes() -> list[FrameHash]:
    """The clip cut from the long video's frames and re-encoded at 240x180."""
    first = round(CLIP_START_S * LONG.fps)
    frames = islice(scene_frames(LONG), first, first + CLIP_SECONDS * LONG.fps)
    buffer = io.BytesIO()
    encode_frames(_resized(frames, (240, 180)), buffer, "mp4", LONG.fps)
    return hash_video(io.BytesIO(buffer.getvalue()))


@pytest.fixture(scope="module")
def unrelated_hashes() -> list[FrameHash]:
    return hash_video(io.BytesIO(scene_video_bytes(SceneVideo(seeds=(900, 901, 902)))))


def test_frame_distances_agree_with_pairwise_hamming(long_hashes: list[FrameHash]) -> None:
    left = [h.pdq for h in long_hashes[:7]]
    right = [h.pdq for h in long_hashes[20:31]]
    matrix = frame_distances(left, right)
    assert matrix.shape == (7, 11)
    assert matrix.tolist() == [[hamming_hex(a, b) for b in right] for a in left]
    assert frame_distances([], right).shape == (0, 11)


def test_the_clip_is_found_where_it_was_cut(clip_hashes: list[FrameHash],
                                            long_hashes: list[FrameHash]) -> None:
    match = find_clip(clip_hashes, long_hashes)
    assert match is not None
    assert len(clip_hashes) == CLIP_SECONDS
    assert match.clip_coverage == 1.0
    assert abs(match.offset_s - CLIP_START_S) <= 1.0
    assert CLIP_START_S - 1 <= match.video_start_s <= CLIP_START_S + 1
    assert CLIP_START_S + CLIP_SECONDS - 2 <= match.video_end_s <= CLIP_START_S + CLIP_SECONDS
    for pair in match.pairs:
        assert LONG.scene_at(pair.video_frame.timestamp_s) == LONG.scene_at(
            CLIP_START_S + pair.clip_frame.timestamp_s)
        assert pair.distance == hamming_hex(pair.clip_frame.pdq, pair.video_frame.pdq) <= 31
    assert match.mean_distance == pytest.approx(np.mean([p.distance for p in match.pairs]))
    clip_times = [p.clip_frame.timestamp_s for p in match.pairs]
    video_times = [p.video_frame.timestamp_s for p in match.pairs]
    assert clip_times == sorted(clip_times) and video_times == sorted(video_times)


def test_dropped_clip_frames_still_align(clip_hashes: list[FrameHash],
                                         long_hashes: list[FrameHash]) -> None:
    """Two of the eight clip frames lost (say, to a logo); 6/8 = 75 % stays in one chain."""
    kept = [h for i, h in enumerate(clip_hashes) if i not in (2, 5)]
    assert find_clip(kept, long_hashes) is not None
    lossy = clip_hashes[:2] + [FrameHash(h.frame_number, h.timestamp_s, f"{i:064x}", h.quality)
                               for i, h in enumerate(clip_hashes[2:4])] + clip_hashes[4:]
    match = find_clip(lossy, long_hashes, min_clip_coverage=0.7)
    assert match is not None and match.clip_coverage == pytest.approx(6 / 8)
    assert find_clip(lossy, long_hashes) is None  # below vPDQ's 80 %


@pytest.mark.parametrize("case", ["unrelated", "low_quality", "empty"])
def test_no_clip_is_found_without_reliable_near_frames(case: str,
                                                       clip_hashes: list[FrameHash],
                                                       long_hashes: list[FrameHash],
                                                       unrelated_hashes: list[FrameHash]) -> None:
    clip = {"unrelated": unrelated_hashes,
            "low_quality": [FrameHash(h.frame_number, h.timestamp_s, h.pdq, 30)
                            for h in clip_hashes],
            "empty": []}[case]
    assert find_clip(clip, long_hashes) is None


def test_a_reversed_clip_does_not_align_in_order(clip_hashes: list[FrameHash],
                                                 long_hashes: list[FrameHash]) -> None:
    reversed_clip = [FrameHash(h.frame_number, float(i), h.pdq, h.quality)
                     for i, h in enumerate(reversed(clip_hashes))]
    assert find_clip(reversed_clip, long_hashes) is None
    assert compare_videos(long_hashes, reversed_clip).is_match  # vPDQ ignores order


@pytest.mark.parametrize(("query", "compared", "is_match"), [
    ("long", "clip", True),       # the clip (banked) is all in the upload
    ("clip", "long", False),      # a short upload covers little of a banked long video
    ("long", "long", True),
    ("long", "unrelated", False),
    ("long", "empty", False),
])
def test_compare_videos_follows_vpdq(query: str, compared: str, is_match: bool,
                                     long_hashes: list[FrameHash],
                                     clip_hashes: list[FrameHash],
                                     unrelated_hashes: list[FrameHash]) -> None:
    videos = {"long": long_hashes, "clip": clip_hashes, "unrelated": unrelated_hashes,
              "empty": []}
    result = compare_videos(videos[query], videos[compared])
    assert result.is_match is is_match
    if (query, compared) == ("long", "clip"):
        assert result.compared_match_percent == 100.0
        assert 0 < result.query_match_percent < 40
    if compared in ("unrelated", "empty"):
        assert result.compared_match_percent == 0.0


def test_compare_videos_skips_low_quality_frames(long_hashes: list[FrameHash]) -> None:
    dim = [FrameHash(h.frame_number, h.timestamp_s, h.pdq, 49) for h in long_hashes]
    assert not compare_videos(long_hashes, dim).is_match
    assert compare_videos(long_hashes, dim, quality=40).is_match
