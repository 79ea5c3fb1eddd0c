"""Merkle tree hashing, inclusion and consistency proofs, as Certificate Transparency defines them.

RFC 6962 §2.1 (kept unchanged in RFC 9162 §2.1) hashes a leaf as ``SHA-256(0x00 || data)`` and an
inner node as ``SHA-256(0x01 || left || right)``; the two prefixes make a leaf impossible to pass
off as a node (a second-preimage attack on the tree). A tree of ``n`` leaves splits at ``k``, the
largest power of two below ``n``. Proof generation follows RFC 6962 §2.1.1-2.1.2 literally (slow,
obviously correct); verification follows the iterative algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2,
so an outside witness holding only a signed head can check a proof with a few dozen lines of code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}) in RFC 6962 §2.1: the hash of the empty string."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH over already-hashed leaves (RFC 6962 §2.1), in O(n)."""
    return roots_at(leaves, [len(leaves)])[len(leaves)]


def roots_at(leaves: Sequence[bytes], sizes: Iterable[int]) -> dict[int, bytes]:
    """The root of the first ``size`` leaves for each of ``sizes``, in one pass.

    A stack of perfect subtrees is merged as each completes; folding what is on it right to
    left gives exactly the recursive split of RFC 6962 §2.1 for the leaves seen so far.
    """
    wanted = set(sizes)
    if any(not 0 <= size <= len(leaves) for size in wanted):
        raise ValueError(f"a tree of {len(leaves)} leaves has no prefix of sizes {sorted(wanted)}")
    found = {0: EMPTY_ROOT} if 0 in wanted else {}
    stack: list[tuple[int, bytes]] = []
    for count, leaf in enumerate(leaves, start=1):
        size, digest = 1, leaf
        while stack and stack[-1][0] == size:
            left_size, left = stack.pop()
            size, digest = left_size + size, node_hash(left, digest)
        stack.append((size, digest))
        if count in wanted:
            found[count] = _fold(stack)
    return found


def _fold(stack: Sequence[tuple[int, bytes]]) -> bytes:
    digest = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        digest = node_hash(left, digest)
    return digest


def _recursive_root(leaves: Sequence[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(_recursive_root(leaves[:k]), _recursive_root(leaves[k:]))


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 §2.1.1: the audit path of leaf ``index``."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is outside a tree of {len(leaves)}")
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_proof(index, leaves[:k]), _recursive_root(leaves[k:])]
    return [*inclusion_proof(index - k, leaves[k:]), _recursive_root(leaves[:k])]


def consistency_proof(old_size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 §2.1.2: the first ``old_size`` leaves are a prefix of these."""
    if not 0 < old_size <= len(leaves):
        raise ValueError(f"no consistency proof from size {old_size} to {len(leaves)}")
    return _subproof(old_size, leaves, True)


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [_recursive_root(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), _recursive_root(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), _recursive_root(leaves[:k])]


def _shift_while_even(fn: int, sn: int) -> tuple[int, int]:
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes],
                     expected_root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` put ``leaf`` at ``index`` of the tree with this root?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            fn, sn = _shift_while_even(fn, sn)
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == expected_root


def verify_consistency(old_size: int, old_root: bytes, new_size: int, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: is the tree (old_size, old_root) a prefix of (new_size, new_root)?"""
    if old_size == new_size:
        return not proof and old_root == new_root
    if not 0 < old_size < new_size or not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root starts the path
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            fn, sn = _shift_while_even(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0
