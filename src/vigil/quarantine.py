"""Rows an importer could not accept: where they came from and why, never their payload."""

from __future__ import annotations

from dataclasses import dataclass

from vigil import redact
from vigil.records import RecordKind


@dataclass(frozen=True)
class QuarantineEntry:
    """A row an importer could not accept: where it came from, why, and never its payload.

    ``excerpt`` is a short, sanitised view of the line and ``line_sha256`` the SHA-256 of its raw
    bytes (see :mod:`vigil.redact`); the raw line itself is never kept, because it could hold
    media. Both the excerpt and the reason are bounded and sanitised here, whoever builds the
    entry. Build one from a raw line with :meth:`of`.
    """

    kind: RecordKind
    source: str
    line: int
    excerpt: str
    reason: str
    line_sha256: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "excerpt", redact.sanitise(self.excerpt))
        object.__setattr__(self, "reason", redact.bound_reason(self.reason))

    @classmethod
    def of(cls, kind: RecordKind, source: str, line: int, raw: bytes | str,
           reason: str) -> QuarantineEntry:
        """The entry for raw line ``raw``: its excerpt and SHA-256, not the line itself."""
        return cls(kind, source, line, redact.excerpt_of(raw), reason, redact.sha256_of(raw))
