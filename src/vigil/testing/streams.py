"""Benign synthetic videos for tests, benchmarks and demos: drawn scenes, encoded with PyAV.

Each scene is one :func:`vigil.testing.pictures.draw_picture`, held for a few seconds and
optionally panned so the encoder sees motion (a still picture compresses to skipped blocks and
decodes unrealistically fast). Nothing here reads observed media or opens a file: videos go to
memory, or into a container the caller opened (a test's HLS folder under its tmp path).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import av
import numpy as np

from vigil.testing.pictures import draw_picture

__all__ = ["SceneVideo", "encode_frames", "mux_frames", "scene_frames", "scene_video_bytes"]

_PAN_MARGIN = 0.25
"""Pictures are drawn a quarter larger than the frame so a pan never runs off the picture."""


@dataclass(frozen=True)
class SceneVideo:
    """``seeds`` drawn one after another, ``seconds_per_scene`` each, at ``fps``."""

    seeds: tuple[int, ...]
    seconds_per_scene: float = 3.0
    fps: int = 10
    width: int = 320
    height: int = 240
    pan_px_per_s: float = 0.0
    options: dict[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not self.seeds:
            raise ValueError("a scene video needs at least one seed")
        if self.width % 2 or self.height % 2:
            raise ValueError("width and height must be even for yuv420p")

    @property
    def frames_per_scene(self) -> int:
        return max(1, round(self.seconds_per_scene * self.fps))

    @property
    def duration_s(self) -> float:
        return len(self.seeds) * self.frames_per_scene / self.fps

    def scene_at(self, time_s: float) -> int:
        """The seed on screen at ``time_s`` from the start."""
        index = min(int(time_s * self.fps) // self.frames_per_scene, len(self.seeds) - 1)
        return self.seeds[index]


def scene_frames(video: SceneVideo) -> Iterator[np.ndarray]:
    """RGB frames [height, width, 3] of ``video``, in order."""
    side = round(max(video.width, video.height) * (1 + _PAN_MARGIN))
    slack_x, slack_y = side - video.width, side - video.height
    for seed in video.seeds:
        canvas = np.asarray(draw_picture(seed, side))
        for index in range(video.frames_per_scene):
            shift = video.pan_px_per_s * index / video.fps
            left = int(shift) % (slack_x + 1) if slack_x else 0
            top = int(shift / 2) % (slack_y + 1) if slack_y else 0
            yield np.ascontiguousarray(canvas[top:top + video.height, left:left + video.width])


def mux_frames(output: Any, frames: Iterable[np.ndarray], fps: int,
               codec_options: dict[str, str] | None = None) -> None:
    """Encode RGB frames (one even size) as H.264 into an open PyAV output container.

    libx264 ``ultrafast`` unless ``codec_options`` says otherwise, a keyframe every 2 s (so HLS
    can cut 2 s segments). The caller owns ``output`` and closes it.
    """
    stream: Any = None
    for pixels in frames:
        if stream is None:
            stream = output.add_stream("libx264", rate=fps)
            stream.height, stream.width = pixels.shape[:2]
            stream.pix_fmt = "yuv420p"
            stream.gop_size = 2 * fps
            stream.options = {"preset": "ultrafast", **(codec_options or {})}
        output.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
    if stream is not None:
        output.mux(stream.encode(None))


def encode_frames(frames: Iterable[np.ndarray], target: IO[bytes], container_format: str,
                  fps: int, codec_options: dict[str, str] | None = None) -> None:
    """Encode RGB frames into a binary file object (memory, say) as ``container_format``."""
    output: Any = av.open(target, mode="w", format=container_format)
    try:
        mux_frames(output, frames, fps, codec_options)
    finally:
        output.close()


def scene_video_bytes(video: SceneVideo, container_format: str = "mp4") -> bytes:
    """``video`` encoded in memory (``mp4`` or ``mpegts``, say)."""
    buffer = io.BytesIO()
    encode_frames(scene_frames(video), buffer, container_format, video.fps, video.options)
    return buffer.getvalue()
