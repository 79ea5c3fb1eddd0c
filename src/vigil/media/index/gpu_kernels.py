"""A fused Triton kernel for multi-index hashing on CUDA: probe, gather and verify in one pass.

The PyTorch version (:class:`vigil.media.index.gpu.TorchMihTables`) runs each step of a search as
its own kernel with its own intermediate tensors (probes, bucket spans, candidate rows, partial
distances); at 10M codes that caps it near 200,000 queries/s on an H100 (docs/benchmarks.md). Here
one program takes one query and a block of its probes, walks the probed buckets and verifies each
candidate's full 256-bit distance in registers, writing only hits. A code found by several tables
is reported once per table and de-duplicated afterwards (hits are few).

Imported only where Triton and CUDA are present; everything else uses the PyTorch path, and the
two are compared exactly on the device by ``benchmarks/bench_index.py --gpu``.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl
from triton.language.extra.cuda import libdevice

BLOCK_PROBES = 256
"""Probes handled by one program: a query's ~3,000 probes at 10M codes take about a dozen."""


@triton.jit
def _mih_kernel(keys_ptr, table_of_ptr, masks_ptr, offsets_ptr, order_ptr,  # type: ignore[no-untyped-def]
                codes_ptr,
                queries_ptr, n_probes, n_tables, radius, capacity,
                counter_ptr, out_query_ptr, out_row_ptr, out_distance_ptr,
                BLOCK: tl.constexpr):
    query = tl.program_id(0)
    probe = tl.program_id(1) * BLOCK + tl.arange(0, BLOCK)
    valid = probe < n_probes
    table = tl.load(table_of_ptr + probe, mask=valid, other=0)
    flip = tl.load(masks_ptr + probe, mask=valid, other=0)
    key = tl.load(keys_ptr + query * n_tables + table, mask=valid, other=0)
    bucket = key ^ flip
    start = tl.load(offsets_ptr + bucket, mask=valid, other=0)
    end = tl.load(offsets_ptr + bucket + 1, mask=valid, other=0)
    q0 = tl.load(queries_ptr + query * 4)
    q1 = tl.load(queries_ptr + query * 4 + 1)
    q2 = tl.load(queries_ptr + query * 4 + 2)
    q3 = tl.load(queries_ptr + query * 4 + 3)
    longest = tl.max(end - start, axis=0)
    for step in range(0, longest):
        at = start + step
        live = valid & (at < end)
        row = tl.load(order_ptr + at, mask=live, other=0)
        base = codes_ptr + row * 4
        distance = libdevice.popc(tl.load(base, mask=live, other=0) ^ q0)
        distance += libdevice.popc(tl.load(base + 1, mask=live, other=0) ^ q1)
        distance += libdevice.popc(tl.load(base + 2, mask=live, other=0) ^ q2)
        distance += libdevice.popc(tl.load(base + 3, mask=live, other=0) ^ q3)
        hit = live & (distance <= radius)
        slot = tl.atomic_add(counter_ptr + tl.zeros_like(row), 1, mask=hit)
        keep = hit & (slot < capacity)
        tl.store(out_query_ptr + slot, tl.zeros_like(row) + query, mask=keep)
        tl.store(out_row_ptr + slot, row, mask=keep)
        tl.store(out_distance_ptr + slot, distance.to(tl.int64), mask=keep)


def fused_search(keys: torch.Tensor, table_of: torch.Tensor, masks: torch.Tensor,
                 offsets: torch.Tensor, order: torch.Tensor, codes: torch.Tensor,
                 queries: torch.Tensor, radius: int,
                 capacity: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None:
    """(query, row, distance) of every hit, each once; ``None`` when more than ``capacity`` hits
    (the caller retries with a larger buffer).

    The arguments are :class:`~vigil.media.index.gpu.TorchMihTables`' own: query substrings
    ``keys`` [q, tables], the probe plan (``table_of``, ``masks`` with table bases), bucket
    ``offsets`` into ``order`` (code rows sorted by each table's substring), and the codes.
    """
    device = queries.device
    counter = torch.zeros(1, dtype=torch.int32, device=device)
    out = [torch.empty(capacity, dtype=torch.int64, device=device) for _ in range(3)]
    grid = (len(queries), triton.cdiv(len(table_of), BLOCK_PROBES))
    _mih_kernel[grid](keys, table_of, masks, offsets, order, codes, queries, len(table_of),
                      keys.shape[1], radius, capacity, counter, *out, BLOCK=BLOCK_PROBES)
    found = int(counter.item())
    if found > capacity:
        return None
    query, row, distance = (part[:found] for part in out)
    n_codes = len(codes)
    unique, inverse = torch.unique(query * n_codes + row, return_inverse=True)
    best = torch.empty_like(unique)
    best[inverse] = distance
    return unique // n_codes, unique % n_codes, best
