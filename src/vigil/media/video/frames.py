"""Video hashing the vPDQ way: decode with PyAV, sample frames, PDQ-hash each sampled frame.

vPDQ (facebook/ThreatExchange ``vpdq/README.md``) hashes one frame per
``seconds_per_hash`` (1.0 in pytx ``vpdq_util.py``) and annotates each hash with its frame
number, quality and timestamp. vigil keeps the same record and text format, so hashes made here
can be compared with the reference ``vpdq`` tools and banked vPDQ files.

Frames are decoded by PyAV's bundled FFmpeg (no system ffmpeg), from a path, a file-like object
or any URL FFmpeg opens (``rtmp://``, ``rtsp://``, ``http(s)://...m3u8``). Only sampled frames
are converted, straight to luma: the PDQ C++ hashing README measures decoding, not hashing, as the
cost that dominates. Pixels live only inside the generator and the hasher; nothing is written.
"""

from __future__ import annotations

import math
import os
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from time import monotonic
from typing import IO, Any, TextIO

import av
import numpy as np
from av.video.stream import VideoStream

from vigil.media.hashing import fast as fasthash
from vigil.media.hashing.pdq import PDQ_QUALITY_THRESHOLD, PdqHash

__all__ = [
    "DEFAULT_FRAMES_PER_SECOND", "SAMPLED_FORMAT", "DecodeCounters", "FrameHash", "SampledFrame",
    "Sampling", "VideoSource", "format_vpdq", "hash_sampled", "hash_video", "iter_frame_hashes",
    "parse_vpdq", "read_vpdq", "sample_frames", "write_vpdq",
]

DEFAULT_FRAMES_PER_SECOND = 1.0
"""One hashed frame per second: vpdq/README.md's example and pytx ``seconds_per_hash=1.0``."""

SAMPLED_FORMAT = "gray"
"""Sampled frames reach the hasher as full-size 8-bit luma taken from the decoder's planes (no RGB
conversion): PDQ hashes luma only (pdq/README.md), and :mod:`vigil.media.hashing.fast` reduces
it before the reference's filter, the downscale-before-hashing that PDQ's C++ timings argue for.
Against ``pdqhash`` on full-size RGB, over 217 frames of the benign clips in
/work/shared/data/videos: mean 2.7 bits, p95 6, max 10. Hashing RGB fitted into 512 pixels with
``pdqhash`` was 8.7 / 22 bits and slower (measured while writing this module)."""

VPDQ_TIMESTAMP_DECIMALS = 3
"""vpdq ``cpp/vpdq/cpp/io/vpdqio.cpp`` writes timestamps with ``TIMESTAMP_OUTPUT_PRECISION = 3``."""

VideoSource = str | os.PathLike[str] | IO[bytes]
"""A path, a URL FFmpeg understands, or a readable binary file-like object (e.g. stdin)."""


@dataclass(frozen=True)
class FrameHash:
    """One vPDQ feature: a sampled frame's PDQ hash with its frame number, time and quality."""

    frame_number: int
    timestamp_s: float
    pdq: str
    quality: int

    @property
    def reliable(self) -> bool:
        return self.quality >= PDQ_QUALITY_THRESHOLD


@dataclass(frozen=True)
class Sampling:
    """How to decode and which frames to keep; defaults follow vPDQ (1 frame per second)."""

    frames_per_second: float = DEFAULT_FRAMES_PER_SECOND
    decode_threads: int = 0
    """FFmpeg decoder threads; 0 lets FFmpeg choose, 1 keeps a stream to one core."""
    skip_nonref: bool = False
    """Ask the decoder to skip non-reference frames: fewer frames to choose from, less decoding."""
    timeout_s: float | None = None
    """Give up when a network source sends nothing for this long (None: wait forever)."""
    options: Mapping[str, str] = field(default_factory=dict, hash=False)
    """FFmpeg demuxer/protocol options, e.g. ``{"rtsp_transport": "tcp"}``."""

    def __post_init__(self) -> None:
        if not self.frames_per_second > 0:
            raise ValueError(f"frames_per_second must be > 0, got {self.frames_per_second!r}")


@dataclass(frozen=True)
class SampledFrame:
    """A sampled frame's luma, uint8 [height, width]; handed to the hasher, never stored."""

    frame_number: int
    timestamp_s: float
    luma: np.ndarray
    decoded_at: float
    """``time.monotonic()`` when the decoder returned the frame: where latency is counted from."""


@dataclass
class DecodeCounters:
    """Filled in by :func:`sample_frames` for a caller that wants to see what it decoded."""

    frames_decoded: int = 0
    corrupt_packets: int = 0


def hash_sampled(frames: Sequence[SampledFrame]) -> list[PdqHash]:
    """PDQ of sampled frames (batched): the one place that chooses the frame hasher."""
    return fasthash.hash_frames([frame.luma for frame in frames])


def _open(source: VideoSource, sampling: Sampling) -> Any:
    target: Any = os.fspath(source) if isinstance(source, os.PathLike) else source
    return av.open(target, mode="r", timeout=sampling.timeout_s, options=dict(sampling.options))


def _configure(stream: VideoStream, sampling: Sampling) -> None:
    context = stream.codec_context
    context.thread_count = sampling.decode_threads
    context.thread_type = "AUTO"
    if sampling.skip_nonref:
        context.skip_frame = "NONREF"


def _frame_time(frame: av.VideoFrame, frame_number: int, rate: float) -> float:
    """Presentation time in seconds; streams without timestamps fall back on the frame rate."""
    if frame.time is not None:
        return float(frame.time)
    return frame_number / rate


def _luma(frame: av.VideoFrame) -> np.ndarray:
    """Luma from the decoder's planes (swscale scales video-range Y to full range)."""
    luma: np.ndarray = frame.to_ndarray(format=SAMPLED_FORMAT)
    return luma


def _decoded_frames(container: Any, stream: VideoStream,
                    counters: DecodeCounters) -> Iterator[av.VideoFrame]:
    """Every decodable frame; a corrupt packet (common on live streams) is skipped, not fatal."""
    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except av.error.InvalidDataError:
            counters.corrupt_packets += 1
            continue
        for frame in frames:
            if isinstance(frame, av.VideoFrame):
                counters.frames_decoded += 1
                yield frame


def sample_frames(source: VideoSource, sampling: Sampling | None = None,
                  counters: DecodeCounters | None = None
                  ) -> Generator[SampledFrame, None, None]:
    """Sampled frames of the first video stream, in presentation order.

    A frame is kept when it is the first at or after each multiple of ``1 / frames_per_second``
    from the first frame, as vpdq keeps every ``seconds_per_hash * frame_rate``-th frame, but by
    timestamp so variable frame rates and live streams joined mid-way sample evenly. Times are
    relative to the first decoded frame (MPEG-TS and HLS start at an arbitrary clock).
    """
    sampling = sampling or Sampling()
    container = _open(source, sampling)
    try:
        if not container.streams.video:
            raise ValueError("source has no video stream")
        stream: VideoStream = container.streams.video[0]
        _configure(stream, sampling)
        rate = float(stream.average_rate or stream.guessed_rate or 25)
        start: float | None = None
        last_slot = -1
        frames = _decoded_frames(container, stream, counters or DecodeCounters())
        for number, frame in enumerate(frames):
            time = _frame_time(frame, number, rate)
            start = time if start is None else start
            slot = math.floor((time - start) * sampling.frames_per_second + 1e-6)
            if slot <= last_slot:
                continue
            last_slot = slot
            decoded_at = monotonic()
            yield SampledFrame(number, round(time - start, 6), _luma(frame), decoded_at)
    finally:
        container.close()


def iter_frame_hashes(source: VideoSource, sampling: Sampling | None = None
                      ) -> Iterator[FrameHash]:
    """vPDQ features of ``source``, one per sampled frame, as they are decoded."""
    for sampled in sample_frames(source, sampling):
        [pdq] = hash_sampled([sampled])
        yield FrameHash(sampled.frame_number, sampled.timestamp_s, pdq.hex, pdq.quality)


def hash_video(source: VideoSource, sampling: Sampling | None = None) -> list[FrameHash]:
    """The whole vPDQ hash of a finite video (every sampled frame, low quality included)."""
    return list(iter_frame_hashes(source, sampling))


def format_vpdq(hashes: Iterable[FrameHash]) -> str:
    """vpdq's text format, one ``frame_number,quality,pdq_hex,timestamp`` line per frame.

    Column order and the 3-decimal timestamp follow ``outputVPDQFeatureToFile`` in vpdq
    ``cpp/vpdq/cpp/io/vpdqio.cpp`` and ``read_file_to_hash`` in vpdq ``python/tests/test_util.py``.
    """
    return "".join(f"{h.frame_number},{h.quality},{h.pdq},"
                   f"{h.timestamp_s:.{VPDQ_TIMESTAMP_DECIMALS}f}\n" for h in hashes)


def _parse_line(line: str, line_number: int) -> FrameHash:
    fields = [field.strip() for field in line.split(",")]
    if len(fields) != 4:
        raise ValueError(f"vPDQ line {line_number}: expected 4 comma-separated fields, "
                         f"got {len(fields)}: {line!r}")
    number, quality, pdq, timestamp = fields
    try:
        bytes.fromhex(pdq)
        parsed = FrameHash(int(number), float(timestamp), pdq.lower(), int(quality))
    except ValueError as error:
        raise ValueError(f"vPDQ line {line_number}: {error}: {line!r}") from None
    if len(pdq) != 64 or not 0 <= parsed.quality <= 100:
        raise ValueError(f"vPDQ line {line_number}: need a 64-hex-digit PDQ and quality 0-100: "
                         f"{line!r}")
    return parsed


def parse_vpdq(text: str) -> list[FrameHash]:
    """The inverse of :func:`format_vpdq`; blank lines are ignored, malformed ones raise."""
    return [_parse_line(line, number) for number, line in enumerate(text.splitlines(), 1)
            if line.strip()]


def write_vpdq(hashes: Iterable[FrameHash], file: TextIO) -> None:
    file.write(format_vpdq(hashes))


def read_vpdq(file: TextIO) -> list[FrameHash]:
    return parse_vpdq(file.read())
