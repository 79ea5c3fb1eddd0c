"""Author context: a window's offender-against-decoy decision averaged with the decisions of the
same author's preceding windows.

Why: ten messages of one author often carry nothing that tells an offender from a decoy ("ok",
"lol", "wat u doing"), and in round 4's cross-validation no window classifier did better than
+0.003 TPR at a 2 % decoy FPR (docs/benchmarks.md, "Conversations"). What a deployed detector
does have is the author's own earlier messages in the same conversation: the score after message
``n`` may read messages ``n - (depth + 1) * k .. n`` of that author. Only stage 2 (offender
against decoy, fitted on Perverted-Justice windows whose two sides have the same history length)
reads the context; stage 1 (suspicious against benign) stays on the window, so how much history
a benign author has cannot become a feature. Only text is read, and only earlier text of the same
author (no other author, no time, no id).

A context window is a full window of ``k`` messages that ends ``j * k`` messages before the scored
one (``j = 1 .. depth``) and starts no earlier than the author's first message (``floors``); the
stage-2 decisions of the window and of its valid context windows are averaged.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

Columns = list[NDArray[np.int64]]
"""Per depth ``j`` (1-based, index ``j - 1``): the row of each scored window's ``j``-th context
window in the stacked (scored, then extra) windows, or -1 where there is none."""


def context_windows(starts: NDArray[np.int64], ends: NDArray[np.int64],
                    floors: NDArray[np.int64], size: int, depth: int
                    ) -> tuple[NDArray[np.int64], NDArray[np.int64], Columns]:
    """Starts and ends of the scored windows followed by the context windows not among them,
    and each scored window's context rows (see ``Columns``)."""
    n = len(starts)
    if depth <= 0 or n == 0:
        return starts, ends, []
    scale = int(ends.max()) + 1
    keys = starts * scale + ends
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    full = (ends - starts) == size
    wanted: list[NDArray[np.int64]] = []
    found: list[NDArray[np.int64]] = []
    for j in range(1, depth + 1):
        start, end = ends - (j + 1) * size, ends - j * size
        valid = full & (start >= floors)
        key = np.where(valid, start * scale + end, -1)
        at = np.minimum(np.searchsorted(ordered, key), n - 1)
        hit = valid & (ordered[at] == key)
        found.append(np.where(hit, order[at], -1))
        wanted.append(np.where(valid & ~hit, key, -1))
    missing = np.unique(np.concatenate(wanted))
    missing = missing[missing >= 0]
    columns: Columns = []
    for hit, want in zip(found, wanted, strict=True):
        extra = n + np.searchsorted(missing, want)
        columns.append(np.where(want >= 0, extra, hit).astype(np.int64))
    all_starts = np.concatenate([starts, missing // scale]).astype(np.int64)
    all_ends = np.concatenate([ends, missing % scale]).astype(np.int64)
    return all_starts, all_ends, columns


def pooling(columns: Columns, n: int, total: int, depth: int) -> sp.csr_matrix:
    """The ``n x total`` matrix that averages each scored window's decision with those of its
    first ``depth`` context windows (the identity on the first ``n`` rows when there are none)."""
    rows, cols = [np.arange(n)], [np.arange(n)]
    for column in columns[:depth]:
        valid = np.flatnonzero(column >= 0)
        rows.append(valid)
        cols.append(column[valid])
    row, col = np.concatenate(rows), np.concatenate(cols)
    counts = np.bincount(row, minlength=n).astype(np.float64)
    return sp.csr_matrix((1.0 / counts[row], (row, col)), shape=(n, total))
