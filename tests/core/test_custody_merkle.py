"""The Merkle tree of RFC 6962 §2.1: roots, inclusion and consistency proofs, checked exhaustively
for small trees against the recursive definition (brute force first)."""

import hashlib

import pytest

from vigil.custody import merkle

LEAVES = [merkle.leaf_hash(f"entry {i}".encode()) for i in range(33)]


def mth(leaves: list[bytes]) -> bytes:
    """MTH of RFC 6962 §2.1, written as the RFC states it."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def test_leaf_and_node_hashes_use_the_rfc_prefixes() -> None:
    assert merkle.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert merkle.node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert merkle.root([]) == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("n", range(34))
def test_root_matches_the_recursive_definition(n: int) -> None:
    assert merkle.root(LEAVES[:n]) == mth(LEAVES[:n])


def test_roots_at_gives_every_prefix_root_in_one_pass() -> None:
    roots = merkle.roots_at(LEAVES, range(len(LEAVES) + 1))
    assert all(roots[n] == mth(LEAVES[:n]) for n in range(len(LEAVES) + 1))
    with pytest.raises(ValueError, match="no prefix"):
        merkle.roots_at(LEAVES[:3], [4])


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33])
def test_every_inclusion_proof_verifies_and_a_wrong_one_does_not(n: int) -> None:
    tree, root = LEAVES[:n], mth(LEAVES[:n])
    for index in range(n):
        proof = merkle.inclusion_proof(index, tree)
        assert merkle.verify_inclusion(tree[index], index, n, proof, root)
        assert len(proof) <= max(1, (n - 1).bit_length())
        other = (index + 1) % n
        if other != index:
            assert not merkle.verify_inclusion(tree[other], index, n, proof, root)
        assert not merkle.verify_inclusion(tree[index], index, n, [*proof, root], root)
    with pytest.raises(IndexError):
        merkle.inclusion_proof(n, tree)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 9, 13, 33])
def test_every_consistency_proof_verifies_and_a_rewritten_history_does_not(n: int) -> None:
    tree = LEAVES[:n]
    for m in range(1, n + 1):
        proof = merkle.consistency_proof(m, tree)
        assert merkle.verify_consistency(m, mth(tree[:m]), n, mth(tree), proof)
        rewritten = [merkle.leaf_hash(b"forged"), *tree[1:m]]
        assert not merkle.verify_consistency(m, mth(rewritten), n, mth(tree), proof)
        if m < n:
            assert not merkle.verify_consistency(m, mth(tree[:m]), n, mth(rewritten), proof)
    with pytest.raises(ValueError):
        merkle.consistency_proof(0, tree)
