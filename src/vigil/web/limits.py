"""Per-key rate limits (a token bucket each) and the request body limit.

A token bucket lets a client burst up to ``burst`` requests, then ``rate`` per second on
average (the algorithm of RFC 2697's single-rate meters); a request that finds the bucket empty
gets 429 with ``Retry-After`` (RFC 6585 section 4) saying when a token will be there.
"""

from __future__ import annotations

import math
import threading
import time

from starlette.requests import Request


class TooLarge(ValueError):
    """A request body past the limit (413)."""


class RateLimiter:
    """Token buckets by key id, in this process (one worker's share of the limit)."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key_id: str, rate_per_s: float, burst: int) -> float:
        """0 when a token was taken; else the seconds until one will be there."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key_id, (float(burst), now))
            tokens = min(float(burst), tokens + (now - last) * rate_per_s)
            if tokens >= 1.0:
                self._buckets[key_id] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key_id] = (tokens, now)
            return (1.0 - tokens) / rate_per_s


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


async def limited_body(request: Request, max_bytes: int) -> bytes:
    """The request body, refused with :class:`TooLarge` once past ``max_bytes``."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"request body over {max_bytes} bytes (VIGIL_API_MAX_BODY_BYTES)")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(f"request body over {max_bytes} bytes (VIGIL_API_MAX_BODY_BYTES)")
        chunks.append(chunk)
    return b"".join(chunks)

