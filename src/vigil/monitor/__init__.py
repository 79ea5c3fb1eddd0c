"""Live-stream monitoring: sample frames of many streams, PDQ-hash them, match them in a second.

``StreamMonitor`` reads each SOURCE (a file, ``rtmp://``, ``rtsp://``, ``http(s)://...m3u8`` or
``-`` for stdin) on its own thread, hashes sampled frames in a worker pool and calls back with a
``MatchEvent`` for every frame that matches a bank. Only hashes leave the decoder.
"""

from vigil.monitor.events import BankHit, Matcher, MatchEvent, MatchLike, StreamStats
from vigil.monitor.sources import Backpressure, display_name, is_live
from vigil.monitor.stream import StreamMonitor

__all__ = [
    "Backpressure", "BankHit", "MatchEvent", "MatchLike", "Matcher", "StreamMonitor",
    "StreamStats", "display_name", "is_live",
]
