"""What a monitored SOURCE string means: a file, a network URL, or ``-`` for stdin.

The distinction matters for back-pressure: a file can wait for the hasher (nothing is lost by
reading slower), a live source cannot (the sender does not wait), so live sources drop frames
when the monitor falls behind and count the drops instead.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import IO
from urllib.parse import urlsplit, urlunsplit

from vigil.media.video.frames import VideoSource

__all__ = [
    "LIVE_SCHEMES", "NETWORK_TIMEOUT_S", "Backpressure", "default_backpressure", "display_name",
    "is_live", "resolve_source",
]

LIVE_SCHEMES = frozenset({"rtmp", "rtmps", "rtsp", "rtsps", "srt", "udp", "tcp", "http", "https"})
"""URL schemes read as live streams. HTTP(S) covers HLS playlists (``.m3u8``) and progressive
streams; FFmpeg opens all of these without a system ffmpeg (PyAV bundles it)."""

NETWORK_TIMEOUT_S = 10.0
"""vigil's choice: a network source that sends nothing for 10 s is reported as failed, so a dead
stream frees its reader thread and shows in the stream's stats."""

STDIN = "-"


class Backpressure(StrEnum):
    """What a stream's reader does when the hashing queue is full."""

    BLOCK = "block"
    """Wait for room: for files, where reading slower loses nothing."""
    DROP_OLDEST = "drop_oldest"
    """Discard the oldest queued frame and count it: for live sources, where waiting means lag."""


def is_live(source: VideoSource) -> bool:
    """True for stdin and network URLs; False for paths and file-like objects."""
    if isinstance(source, str):
        if source == STDIN:
            return True
        return urlsplit(source).scheme.lower() in LIVE_SCHEMES
    return False


def default_backpressure(source: VideoSource) -> Backpressure:
    return Backpressure.DROP_OLDEST if is_live(source) else Backpressure.BLOCK


def resolve_source(source: VideoSource) -> VideoSource:
    """``-`` becomes the process's binary stdin (a container stream, e.g. MPEG-TS from a pipe)."""
    if source == STDIN:
        stdin: IO[bytes] = sys.stdin.buffer
        return stdin
    return source


def display_name(source: VideoSource) -> str:
    """The source as it may appear in events and logs: URL credentials and query dropped.

    Stream URLs often carry a key or token (``rtmp://host/app/KEY?token=...``) in the user part or
    the query; events are shared with analysts, so those parts are never copied into them.
    """
    if isinstance(source, os.PathLike):
        return os.fspath(source)
    if not isinstance(source, str):
        return "<file object>"
    if source == STDIN:
        return "<stdin>"
    parts = urlsplit(source)
    if not parts.scheme or len(parts.scheme) == 1:  # a path, or a Windows drive letter
        return source
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
