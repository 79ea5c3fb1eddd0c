"""What the quarantine may keep of a bad line: a short, sanitised excerpt and a SHA-256, never
the payload.

A quarantined line can hold anything a partner's export held, including media smuggled in a field
as base64 or a binary file renamed ``.jsonl``. vigil stores hashes and metadata, never media
bytes, so the quarantine keeps only what an analyst needs to find the line again (file, line,
SHA-256 of the raw bytes) and to see what was wrong (a bounded excerpt in which every long
base64/hex run and every non-printable run is replaced by a marker).

Every function here is idempotent: sanitising an excerpt again leaves it unchanged, so the
store can sanitise whatever it is given without changing what it already holds.
"""

from __future__ import annotations

import hashlib
import re

EXCERPT_CHARS = 200
"""Longest excerpt kept: enough to recognise a row, far too little to hold a picture."""

REASON_CHARS = 500
"""Longest reason kept; each field's part of a reason is cut shorter (see importers.rows)."""

MAX_TOKEN_RUN = 64
"""Longest run of base64/hex characters kept: a SHA-256 or PDQ in hex is exactly 64."""

_SCAN_CHARS = 64 * 1024
"""Only the start of a line is looked at; the excerpt shows less than this anyway."""

_TOKEN_RUN = re.compile(rf"[A-Za-z0-9+/=_\-]{{{MAX_TOKEN_RUN + 1},}}")
_UNPRINTABLE_RUN = re.compile(r"[^\x20-\x7e\u00a0-\ud7ff\ue000-\ufffc]+")
_BINARY_SHARE = 0.1
"""A line with more than this share of non-text characters is shown only as its size."""


def sha256_of(raw: bytes | str) -> str:
    """Hex SHA-256 of the raw line without its line ending (UTF-8 for text), so an analyst can
    find the line in the file (``sed -n Np FILE | tr -d '\\n' | sha256sum``)."""
    data = raw.encode("utf-8", errors="surrogatepass") if isinstance(raw, str) else raw
    return hashlib.sha256(data.rstrip(b"\r\n")).hexdigest()


def _redacted(match: re.Match[str]) -> str:
    return f"[redacted {len(match.group()):,} chars]"


def sanitise(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` with long base64/hex runs and non-printable runs (``[?]``) replaced, cut to
    ``limit`` characters (``…`` marks the cut).

    Text that is mostly non-printable (a binary file read as lines) becomes one marker.
    """
    head = text[:_SCAN_CHARS]
    unprintable = sum(len(m) for m in _UNPRINTABLE_RUN.findall(head))
    if head and unprintable > _BINARY_SHARE * len(head):
        return f"[binary data redacted, {len(text):,} chars]"
    clean = _UNPRINTABLE_RUN.sub("[?]", _TOKEN_RUN.sub(_redacted, head))
    if len(clean) > limit or len(head) < len(text):
        clean = clean[: limit - 1] + "\u2026"
    return clean


def excerpt_of(raw: bytes | str) -> str:
    """The excerpt the quarantine keeps of one raw line (bytes are decoded leniently first)."""
    if isinstance(raw, bytes):
        raw = raw[: _SCAN_CHARS * 4].decode("utf-8", errors="replace")
    return sanitise(raw.rstrip("\r\n"))


def bound_reason(reason: str) -> str:
    """A reason cut to :data:`REASON_CHARS` and sanitised like an excerpt."""
    return sanitise(reason, REASON_CHARS)
