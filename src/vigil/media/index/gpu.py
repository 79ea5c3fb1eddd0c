"""PDQ matching with PyTorch on a GPU (or on the CPU when there is none): brute force and MIH.

Two exact searchers over the same uint64 [n, 4] codes, held on the device as int64 [n, 4]:

* brute force (:func:`search`, :func:`count_within`, :class:`TorchCodes`): every query XOR every
  code in chunks; torch has no popcount, so bits are counted by the SWAR trick on int64;
* multi-index hashing (:class:`TorchMihTables`): the bucket layout of ``mih.py`` built on the
  device with ``torch.sort`` and probed with gathers. Brute force reads every code for every query,
  so even a perfect kernel is bound by the GPU's popcount rate; MIH reads a few thousand.

This module imports only NumPy and torch, so ``benchmarks/bench_index.py --gpu`` can load it by
file path on a machine that has nothing else; which buckets to read comes in as an object, normally
``mih.ProbeLayout(widths)``.
"""

from __future__ import annotations

import functools
from typing import Any, Protocol, cast

import numpy as np
import torch

Hits = tuple[np.ndarray, np.ndarray, np.ndarray]
"""(query position, row, distance) of every code within reach, as int64 NumPy arrays."""


class ProbeLayout(Protocol):
    """Which buckets a query reads, as ``mih.ProbeLayout``."""

    widths: tuple[int, ...]

    def plan(self, radius: int) -> tuple[np.ndarray, np.ndarray]:
        """(table of each probe, flip mask + table base of each probe)."""

    def worth_probing(self, radius: int, n_codes: int) -> bool: ...


PAIRS_PER_STEP = {"cuda": 1 << 25, "cpu": 1 << 20}
"""(query, code) pairs compared per brute-force step: 32M int64 temporaries are 256 MB of GPU
memory each; on a CPU, 8 MB stays near the caches. vigil's choice."""
PROBES_PER_STEP = {"cuda": 1 << 25, "cpu": 1 << 17}
"""Bucket probes per MIH step (about 3,000 per query at 10M codes), sized the same way."""

_ODD_BITS, _BIT_PAIRS, _NIBBLES = 0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F


@functools.cache
def _kernels() -> Any:
    """``gpu_kernels`` (needs Triton), also when this file was loaded by path without vigil."""
    try:
        from vigil.media.index import gpu_kernels
    except ImportError:  # benchmarks/bench_index.py --gpu runs with numpy and torch only
        import importlib.util
        from pathlib import Path

        spec = importlib.util.spec_from_file_location(
            "vigil_gpu_kernels", Path(__file__).with_name("gpu_kernels.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return gpu_kernels


def fused_kernel_available() -> bool:
    """Whether Triton can be imported (it ships with CUDA builds of PyTorch, not CPU ones)."""
    import importlib.util

    return importlib.util.find_spec("triton") is not None


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def to_device(codes: np.ndarray, device: torch.device) -> torch.Tensor:
    """uint64 [n, 4] or uint8 [n, 32] codes as int64 [n, 4] on ``device``: the same bits."""
    words = np.ascontiguousarray(codes).view(np.int64).reshape(len(codes), 4)
    if not words.flags.writeable:  # torch wants writable memory even to copy it to a GPU
        words = words.copy()
    return torch.from_numpy(words).to(device)


def popcount64(x: torch.Tensor) -> torch.Tensor:
    """Set bits of each int64 (SWAR: count in pairs, nibbles, bytes, then fold the bytes)."""
    x = x - ((x >> 1) & _ODD_BITS)  # arithmetic shift: the sign copies are masked off
    x = (x & _BIT_PAIRS) + ((x >> 2) & _BIT_PAIRS)
    x = (x + (x >> 4)) & _NIBBLES  # now non-negative, so >> is a logical shift
    x = x + (x >> 8)
    x = x + (x >> 16)
    x = x + (x >> 32)
    return x & 0x7F


def distance_matrix(queries: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
    """Hamming distances [q, c] between int64 [q, 4] queries and int64 [c, 4] codes."""
    total = popcount64(queries[:, :1] ^ codes[None, :, 0])
    for word in range(1, 4):
        total += popcount64(queries[:, word:word + 1] ^ codes[None, :, word])
    return total


def _steps(n_queries: int, n_codes: int, device: torch.device) -> tuple[int, int]:
    pairs = PAIRS_PER_STEP.get(device.type, PAIRS_PER_STEP["cpu"])
    code_step = max(1, min(n_codes, pairs))
    return max(1, pairs // code_step), code_step


def count_within(codes: torch.Tensor, queries: torch.Tensor, radius: int) -> torch.Tensor:
    """How many codes lie within ``radius`` of each query (brute force), int64 [q] on the device."""
    counts = torch.zeros(len(queries), dtype=torch.int64, device=queries.device)
    query_step, code_step = _steps(len(queries), len(codes), codes.device)
    for first in range(0, len(queries), query_step):
        chunk = queries[first:first + query_step]
        for start in range(0, len(codes), code_step):
            near = distance_matrix(chunk, codes[start:start + code_step]) <= radius
            counts[first:first + len(chunk)] += near.sum(dim=1)
    return counts


def search(codes: torch.Tensor, queries: torch.Tensor, radius: int) -> Hits:
    """Every (query, row, distance) within ``radius`` by brute force; results on the host."""
    parts: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []
    query_step, code_step = _steps(len(queries), len(codes), codes.device)
    for first in range(0, len(queries), query_step):
        chunk = queries[first:first + query_step]
        for start in range(0, len(codes), code_step):
            found = distance_matrix(chunk, codes[start:start + code_step])
            query, row = torch.nonzero(found <= radius, as_tuple=True)
            parts.append((query + first, row + start, found[query, row]))
    return _to_host(parts)


def _to_host(parts: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]) -> Hits:
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    query, row, distance = (torch.cat([p[k] for p in parts]).cpu().numpy().astype(np.int64)
                            for k in range(3))
    return query, row, distance


class TorchCodes:
    """A brute-force searcher over codes kept on the device (small segments, and the reference)."""

    def __init__(self, codes: np.ndarray, device: torch.device | None = None) -> None:
        self.codes = codes
        self.device = device or default_device()
        self._words = to_device(codes, self.device)

    @property
    def nbytes(self) -> int:
        return int(self.codes.nbytes + self._words.numel() * 8)

    def __len__(self) -> int:
        return len(self.codes)

    def search(self, queries: np.ndarray, radius: int) -> Hits:
        return search(self._words, to_device(queries, self.device), radius)


def substrings(words: torch.Tensor, widths: tuple[int, ...]) -> torch.Tensor:
    """Consecutive bit fields of int64 [n, 4] codes as int64 [n, m], as ``mih.substrings``."""
    fields, offset = [], 0
    for width in widths:
        word, shift = divmod(offset, 64)
        value = words[:, word]
        if shift:
            value = (value >> shift) & ((1 << (64 - shift)) - 1)  # clear the sign copies
        if shift + width > 64:
            value = value | (words[:, word + 1] << (64 - shift))
        fields.append(value & ((1 << width) - 1))
        offset += width
    return torch.stack(fields, dim=1)


class TorchMihTables:
    """``mih.MihTables`` on the device: the same exact probe-then-verify search, as gathers."""

    def __init__(self, codes: np.ndarray, layout: ProbeLayout,
                 device: torch.device | None = None) -> None:
        self.codes, self.layout, self.widths = codes, layout, layout.widths
        widths = layout.widths
        self.device = device or default_device()
        self._words = to_device(codes, self.device)
        keys = substrings(self._words, widths)
        offsets, order = [], []
        for table, width in enumerate(widths):
            counts = torch.bincount(keys[:, table], minlength=1 << width)
            offsets.append(torch.cumsum(counts, 0) - counts + table * len(codes))
            order.append(torch.sort(keys[:, table], stable=True).indices)
        offsets.append(torch.tensor([len(widths) * len(codes)], device=self.device))
        self._offsets, self._order = torch.cat(offsets), torch.cat(order)
        self._plans: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}
        self.fused = self.device.type == "cuda" and fused_kernel_available()
        """Search with the Triton kernel of ``gpu_kernels.py`` (CUDA with Triton only)."""

    @property
    def nbytes(self) -> int:
        """Bytes on the device (int64 throughout) plus the host copy of the codes."""
        device_items = self._words.numel() + self._offsets.numel() + self._order.numel()
        return int(self.codes.nbytes + 8 * device_items)

    def __len__(self) -> int:
        return len(self.codes)

    def _device_plan(self, radius: int) -> tuple[torch.Tensor, torch.Tensor]:
        plan = self._plans.get(radius)
        if plan is None:
            table_of, masks = self.layout.plan(radius)
            plan = (torch.from_numpy(table_of.astype(np.int64)).to(self.device),
                    torch.from_numpy(masks.astype(np.int64)).to(self.device))
            self._plans[radius] = plan
        return plan

    def search(self, queries: np.ndarray, radius: int) -> Hits:
        """Every (query, row, distance) within ``radius`` bits, once each; results on the host."""
        if not len(self.codes) or not len(queries) or radius < 0:
            return _to_host([])
        words = to_device(queries, self.device)
        if not self.layout.worth_probing(radius, len(self.codes)):
            return search(self._words, words, radius)
        table_of, masks = self._device_plan(radius)
        keys = substrings(words, self.widths)
        if self.fused:
            return _to_host([self._fused(keys, table_of, masks, words, radius)])
        step = max(1, PROBES_PER_STEP.get(self.device.type, PROBES_PER_STEP["cpu"])
                   // len(table_of))
        return _to_host([self._search_chunk(words[first:first + step],
                                            keys[first:first + step], radius, first)
                         for first in range(0, len(words), step)])

    def _fused(self, keys: torch.Tensor, table_of: torch.Tensor, masks: torch.Tensor,
               words: torch.Tensor, radius: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        fused_search = _kernels().fused_search
        capacity = max(1 << 20, 16 * len(words))
        while True:
            found = fused_search(keys, table_of, masks, self._offsets, self._order, self._words,
                                 words, radius, capacity)
            if found is not None:
                return cast(tuple[torch.Tensor, torch.Tensor, torch.Tensor], found)
            capacity *= 4

    def _search_chunk(self, words: torch.Tensor, keys: torch.Tensor, radius: int,
                      first: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        table_of, masks = self._device_plan(radius)
        probes = (keys[:, table_of] ^ masks).reshape(-1)
        starts = self._offsets[probes]
        lengths = self._offsets[probes + 1] - starts
        probed = torch.nonzero(lengths).squeeze(1)
        lengths = lengths[probed]
        ends = torch.cumsum(lengths, 0)
        total = int(ends[-1]) if len(ends) else 0
        positions = torch.repeat_interleave(starts[probed] - (ends - lengths), lengths,
                                            output_size=total)
        rows = self._order[positions + torch.arange(total, device=self.device)]
        query_of = torch.repeat_interleave(probed // len(table_of), lengths, output_size=total)
        rows, query_of, found = _verify(self._words, words, rows, query_of, radius)
        # a code near the query in several substrings is found by several tables: keep it once
        unique, inverse = torch.unique(query_of * len(self.codes) + rows, return_inverse=True)
        distance = torch.empty_like(unique)
        distance[inverse] = found
        return unique // len(self.codes) + first, unique % len(self.codes), distance


def _verify(codes: torch.Tensor, queries: torch.Tensor, rows: torch.Tensor, query_of: torch.Tensor,
            radius: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Candidates within ``radius``: their rows, queries and distances.

    Half the words first: two random codes differ in 64 of 128 bits give or take 6, so nearly
    every false candidate is already past any radius <= 31, and the other half of the gathers
    and popcounts (the bulk of the GPU's memory traffic) is spent on the few that are left.
    """
    found = popcount64(codes[rows, :2] ^ queries[query_of, :2]).sum(dim=1)
    alive = torch.nonzero(found <= radius).squeeze(1)
    rows, query_of, found = rows[alive], query_of[alive], found[alive]
    found += popcount64(codes[rows, 2:] ^ queries[query_of, 2:]).sum(dim=1)
    keep = found <= radius
    return rows[keep], query_of[keep], found[keep]
