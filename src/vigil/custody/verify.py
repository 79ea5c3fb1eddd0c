"""Check a custody log: every entry intact, in order, nothing missing, and every signed head true.

``verify`` reports the *first* problem with the sequence number where it starts and what it
looks like, in the order a reader walks the log (NIST SP 800-92 §4.3 asks that log integrity be
checked, not assumed):

- ``missing``: a gap in the sequence numbers (an entry was deleted);
- ``altered``: an entry's content no longer matches its leaf hash (e.g. a flipped byte);
- ``out_of_order``: every entry is intact but one points back at an entry stored *after* it;
- ``chain``: an entry's ``prev_hash`` names no stored entry (removed and renumbered, or forged);
- ``bad_signature``: a head's signature does not verify with the trusted public key;
- ``truncated``: a signed head covers more entries than the log holds;
- ``head_mismatch``: the log's first ``size`` entries no longer have the head's root.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vigil.custody import merkle
from vigil.custody.entry import GENESIS, CustodyEntry
from vigil.custody.heads import SignedHead, signature_valid


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with the log, and the entry (``seq``) or head size where it is."""

    kind: str
    seq: int
    message: str


@dataclass(frozen=True)
class VerifyReport:
    entries: int
    root: str
    heads_checked: int
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def line(self) -> str:
        if self.problem is None:
            return (f"verified {self.entries} entries, root {self.root} "
                    f"({self.heads_checked} signed heads checked)")
        return f"custody log NOT verified: {self.problem.message}"


def verify(entries: Sequence[CustodyEntry], heads: Sequence[SignedHead],
           public_key: str | None) -> VerifyReport:
    """Walk ``entries`` (in stored order) and check each head against them.

    ``public_key`` is the key heads must be signed with; ``None`` (no key file) accepts the key
    each head names, as long as all heads name the same one.
    """
    problem = _chain_problem(entries)
    leaves = _leaves(entries) if problem is None else []
    if problem is None:
        problem = _heads_problem(leaves, heads, public_key)
    root = merkle.root(leaves).hex()
    return VerifyReport(len(entries), root, len(heads), problem)


def _chain_problem(entries: Sequence[CustodyEntry]) -> Problem | None:
    stored_at = {e.leaf_hash: e.seq for e in entries}
    previous = GENESIS
    for expected, entry in enumerate(entries, start=1):
        if entry.seq != expected:
            return _sequence_problem(expected, entry.seq)
        if entry.computed_hash() != entry.leaf_hash:
            return Problem("altered", entry.seq,
                           f"entry {entry.seq} was altered: its content does not match its hash")
        if entry.prev_hash != previous:
            return _link_problem(entry, stored_at)
        previous = entry.leaf_hash
    return None


def _sequence_problem(expected: int, found: int) -> Problem:
    if found > expected:
        gap = f"{expected}" if found == expected + 1 else f"{expected}-{found - 1}"
        return Problem("missing", expected, f"entry {gap} is missing: deleted from the log")
    return Problem("out_of_order", found,
                   f"entry {found} appears again where entry {expected} belongs")


def _link_problem(entry: CustodyEntry, stored_at: dict[str, int]) -> Problem:
    follows = stored_at.get(entry.prev_hash)
    if follows is not None:
        return Problem("out_of_order", entry.seq,
                       f"entry {entry.seq} is out of order: it was written after the entry now "
                       f"stored as {follows}")
    return Problem("chain", entry.seq,
                   f"entry {entry.seq} does not follow entry {entry.seq - 1}: the chain is broken "
                   "(an entry was removed and the rest renumbered, or forged)")


def _leaves(entries: Sequence[CustodyEntry]) -> list[bytes]:
    return [bytes.fromhex(e.leaf_hash) for e in entries]


def _heads_problem(leaves: Sequence[bytes], heads: Sequence[SignedHead],
                   public_key: str | None) -> Problem | None:
    trusted = public_key or (heads[0].public_key if heads else None)
    roots = merkle.roots_at(leaves, {h.size for h in heads if h.size <= len(leaves)})
    for head in heads:
        if trusted is None or not signature_valid(head, trusted):
            return Problem("bad_signature", head.size,
                           f"the head of size {head.size} signed {head.signed_at} has a signature "
                           "that does not verify with the custody key")
        if head.size > len(leaves):
            return Problem("truncated", len(leaves) + 1,
                           f"the log was truncated: a head signed {head.signed_at} covers "
                           f"{head.size} entries, the log holds {len(leaves)}")
        if roots[head.size].hex() != head.root:
            return Problem("head_mismatch", head.size,
                           f"the first {head.size} entries no longer have the root signed "
                           f"{head.signed_at}: the log was rewritten")
    return None
