"""The custody log over a store: sign heads now or every N appends, verify, list.

The stores seal and chain entries as they append them (:func:`vigil.custody.entry.seal`); this
module holds what the stores and the ``vigil audit`` commands share beyond that.
"""

from __future__ import annotations

from typing import Protocol

from vigil.custody import merkle
from vigil.custody.entry import CustodyEntry, leaf_digests
from vigil.custody.heads import HeadSigner, SignedHead
from vigil.custody.verify import VerifyReport, verify

DEFAULT_SIGN_EVERY = 100
"""Sign a head after every 100th entry: a vigil default, so that truncating the log by more than
the last few dozen entries is caught by ``verify`` even if nobody ran ``vigil audit head``."""


class CustodyStore(Protocol):
    def custody_entries(self, limit: int | None = None) -> list[CustodyEntry]: ...
    def add_custody_head(self, head: SignedHead) -> None: ...
    def custody_heads(self) -> list[SignedHead]: ...


def sign_custody_head(store: CustodyStore, signer: HeadSigner,
                      size: int | None = None) -> SignedHead:
    """Sign and keep the head over the first ``size`` entries (all entries when ``None``)."""
    entries = store.custody_entries(limit=size)
    if size is not None and len(entries) < size:
        raise ValueError(f"the custody log holds {len(entries)} entries, not {size}")
    head = signer.sign(len(entries), merkle.root(leaf_digests(entries)).hex())
    store.add_custody_head(head)
    return head


def verify_custody_log(store: CustodyStore, public_key: str | None,
                 witnessed: list[SignedHead] | None = None) -> VerifyReport:
    """Verify the store's entries against its own heads and any heads kept by a witness."""
    heads = [*store.custody_heads(), *(witnessed or [])]
    return verify(store.custody_entries(), heads, public_key)


class PeriodicHeads:
    """Signs a head after every ``every``-th append once a signer is attached (stores use it)."""

    def __init__(self) -> None:
        self.signer: HeadSigner | None = None
        self.every = DEFAULT_SIGN_EVERY

    def attach(self, signer: HeadSigner | None, every: int) -> None:
        if every < 1:
            raise ValueError(f"heads must be signed every 1 or more entries, not {every}")
        self.signer, self.every = signer, every

    def after_append(self, store: CustodyStore, seq: int) -> None:
        if self.signer is not None and seq % self.every == 0:
            sign_custody_head(store, self.signer, seq)
