"""Comparing videos by their vPDQ frame hashes: whole-video similarity and clip-in-video search.

:func:`compare_videos` is vPDQ's own comparison (vpdq/README.md): frames are an
unordered bag of hashes, and two videos match when enough of the compared video's frames have a
near twin in the query. It says *whether* videos share content, not *where*.

:func:`find_clip` answers where: it aligns a short clip's frames, in order, against a longer
video's frames and returns the time range and the frame pairs, so an analyst sees which seconds of
an upload are known material. vPDQ notes it supports clip matching but leaves the alignment open;
this one is a dynamic programme over the near frame pairs (a longest time-consistent chain).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vigil.media.hashing.pdq import PDQ_QUALITY_THRESHOLD
from vigil.media.index.base import PDQ_MATCH_THRESHOLD, popcount_rows
from vigil.media.video.frames import FrameHash

__all__ = [
    "COMPARED_MATCH_PERCENT", "QUERY_MATCH_PERCENT", "ClipMatch", "FramePair", "VideoSimilarity",
    "compare_videos", "find_clip", "frame_distances",
]

COMPARED_MATCH_PERCENT = 80.0
"""vPDQ P_c: at least 80 % of the compared video's frames must match (vpdq/README.md; pytx
``vpdq_util.py``)."""
QUERY_MATCH_PERCENT = 0.0
"""vPDQ P_q: 0 % means extra content in the query does not prevent a match (same sources)."""
TIME_TOLERANCE_S = 2.0
"""vigil's choice: two sampling periods at vPDQ's 1 frame/s (pytx ``seconds_per_hash=1.0``), so a
clip sampled at another phase, or re-timed slightly, still aligns frame for frame."""
MAX_GAP_S = 10.0
"""vigil's choice: a chain may skip up to 10 s of clip frames (dropped, or edited past PDQ's
reach) and still be one occurrence."""
DRIFT_PENALTY_PER_S = 0.01
"""vigil's choice: among chains of equal length, prefer the one whose clip and video clocks agree
(in a still scene, every video frame of the scene matches equally well). At most 0.02 within the
tolerance, far below a matched frame's weight of about 1, so it never outweighs a frame."""
DISTANCE_PENALTY_PER_BIT = 0.001
"""vigil's choice: a matched frame weighs 1 less 0.001 per bit of distance, so nearer pairs only
break ties; 10 bits weigh as 1 s of clock drift, as re-encoding moves a frame's hash ~10 bits
(pdq/README.md: different decoders stay within 10 bits of the reference)."""
_CHUNK_ROWS = 512
"""Rows of the distance matrix computed at once, bounding memory to 512 x n x 32 bytes."""


@dataclass(frozen=True)
class VideoSimilarity:
    """vPDQ's verdict: the percentages of unique reliable frames with a near twin in the other."""

    query_match_percent: float
    compared_match_percent: float
    is_match: bool


@dataclass(frozen=True)
class FramePair:
    """A clip frame aligned with a video frame, and how many bits apart their PDQ hashes are."""

    clip_frame: FrameHash
    video_frame: FrameHash
    distance: int


@dataclass(frozen=True)
class ClipMatch:
    """Where a clip occurs in a longer video: matched time range, pairs and their closeness."""

    video_start_s: float
    video_end_s: float
    offset_s: float
    """Median of video time minus clip time over the pairs: where the clip's 0 s falls."""
    pairs: tuple[FramePair, ...]
    mean_distance: float
    clip_coverage: float
    """Fraction of the clip's reliable frames that are in the chain."""


def _codes(hashes: Sequence[str]) -> np.ndarray:
    raw = b"".join(bytes.fromhex(h) for h in hashes)
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(hashes), 32).view(np.uint64)


def frame_distances(left: Sequence[str], right: Sequence[str]) -> np.ndarray:
    """Hamming distances between every pair of PDQ hex hashes, as int64 [len(left), len(right)]."""
    result = np.zeros((len(left), len(right)), dtype=np.int64)
    if not left or not right:
        return result
    right_codes = _codes(right)
    left_codes = _codes(left)
    for start in range(0, len(left), _CHUNK_ROWS):
        block = left_codes[start:start + _CHUNK_ROWS]
        xor = (block[:, None, :] ^ right_codes[None, :, :]).reshape(-1, 4)
        result[start:start + len(block)] = popcount_rows(xor).reshape(len(block), len(right))
    return result


def _reliable_unique(hashes: Sequence[FrameHash], quality: int) -> list[str]:
    return sorted({h.pdq for h in hashes if h.quality >= quality})


def _percent(matched: int, total: int) -> float:
    return 100.0 * matched / total if total else 0.0


def compare_videos(query: Sequence[FrameHash], compared: Sequence[FrameHash], *,
                   distance: int = PDQ_MATCH_THRESHOLD, quality: int = PDQ_QUALITY_THRESHOLD,
                   compared_match_percent: float = COMPARED_MATCH_PERCENT,
                   query_match_percent: float = QUERY_MATCH_PERCENT) -> VideoSimilarity:
    """vPDQ's comparison: unique frames of quality >= 50, a frame matches at distance <= 31.

    A video with no reliable frame matches nothing (0 %), rather than dividing by zero.
    """
    query_unique = _reliable_unique(query, quality)
    compared_unique = _reliable_unique(compared, quality)
    near = frame_distances(query_unique, compared_unique) <= distance
    query_pct = _percent(int(near.any(axis=1).sum()) if near.size else 0, len(query_unique))
    compared_pct = _percent(int(near.any(axis=0).sum()) if near.size else 0, len(compared_unique))
    is_match = bool(query_unique and compared_unique and compared_pct >= compared_match_percent
                    and query_pct >= query_match_percent)
    return VideoSimilarity(round(query_pct, 3), round(compared_pct, 3), is_match)


@dataclass(frozen=True)
class _Candidates:
    """Near (clip frame, video frame) pairs, sorted by clip frame then video frame."""

    clip_index: np.ndarray
    video_index: np.ndarray
    clip_time: np.ndarray
    video_time: np.ndarray
    distance: np.ndarray


def _candidates(clip: Sequence[FrameHash], video: Sequence[FrameHash],
                distance: int) -> _Candidates:
    distances = frame_distances([h.pdq for h in clip], [h.pdq for h in video])
    rows, cols = np.nonzero(distances <= distance)
    clip_times = np.array([h.timestamp_s for h in clip], dtype=float)
    video_times = np.array([h.timestamp_s for h in video], dtype=float)
    return _Candidates(rows, cols, clip_times[rows], video_times[cols],
                       distances[rows, cols])


def _best_chain(found: _Candidates, tolerance_s: float,
                max_gap_s: float) -> list[int]:
    """Indexes of the highest-scoring chain: clip frames strictly, video frames weakly in order,
    each step's clip and video time deltas within ``tolerance_s`` of each other."""
    scores = 1.0 - DISTANCE_PENALTY_PER_BIT * found.distance.astype(float)
    parents = np.full(len(scores), -1)
    for k in range(len(scores)):
        low = int(np.searchsorted(found.clip_time, found.clip_time[k] - max_gap_s, "left"))
        span = slice(low, k)
        drift = np.abs((found.video_time[k] - found.video_time[span])
                       - (found.clip_time[k] - found.clip_time[span]))
        allowed = ((found.clip_index[span] < found.clip_index[k])
                   & (found.video_index[span] <= found.video_index[k]) & (drift <= tolerance_s))
        if allowed.any():
            gains = np.where(allowed, scores[span] - DRIFT_PENALTY_PER_S * drift, -np.inf)
            best = int(np.argmax(gains))
            if gains[best] > 0:
                scores[k] += gains[best]
                parents[k] = low + best
    chain = [int(np.argmax(scores))]
    while parents[chain[-1]] >= 0:
        chain.append(int(parents[chain[-1]]))
    return chain[::-1]


def find_clip(clip: Sequence[FrameHash], video: Sequence[FrameHash], *,
              distance: int = PDQ_MATCH_THRESHOLD, quality: int = PDQ_QUALITY_THRESHOLD,
              min_clip_coverage: float = COMPARED_MATCH_PERCENT / 100,
              time_tolerance_s: float = TIME_TOLERANCE_S,
              max_gap_s: float = MAX_GAP_S) -> ClipMatch | None:
    """The best in-order occurrence of ``clip`` inside ``video``, or None.

    Only frames of quality >= ``quality`` take part. The occurrence must cover at least
    ``min_clip_coverage`` of the clip's reliable frames: by default 80 %, vPDQ's P_c with the
    clip in the role of the compared (banked) video.
    """
    clip_frames = sorted((h for h in clip if h.quality >= quality), key=lambda h: h.timestamp_s)
    video_frames = sorted((h for h in video if h.quality >= quality), key=lambda h: h.timestamp_s)
    found = _candidates(clip_frames, video_frames, distance)
    if len(found.distance) == 0:
        return None
    chain = _best_chain(found, time_tolerance_s, max_gap_s)
    coverage = len(chain) / len(clip_frames)
    if coverage < min_clip_coverage:
        return None
    pairs = tuple(FramePair(clip_frames[int(found.clip_index[k])],
                            video_frames[int(found.video_index[k])], int(found.distance[k]))
                  for k in chain)
    offsets = [p.video_frame.timestamp_s - p.clip_frame.timestamp_s for p in pairs]
    return ClipMatch(pairs[0].video_frame.timestamp_s, pairs[-1].video_frame.timestamp_s,
                     round(float(np.median(offsets)), 6), pairs,
                     round(float(np.mean([p.distance for p in pairs])), 3), round(coverage, 6))
