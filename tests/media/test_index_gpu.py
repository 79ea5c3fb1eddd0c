"""The torch searchers, run on the CPU here: SWAR popcount, brute force, MIH tables, standalone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from vigil.media.index import mih

torch = pytest.importorskip("torch")
from vigil.media.index import gpu as gpu_index  # noqa: E402 - needs torch, skipped above without it

CPU = torch.device("cpu")
GPU_INDEX_FILE = Path(gpu_index.__file__)


def random_codes(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2**64, size=(n, 4), dtype=np.uint64)


def hit_set(hits: tuple[np.ndarray, np.ndarray, np.ndarray]) -> set[tuple[int, int, int]]:
    return set(zip(*(part.tolist() for part in hits), strict=True))


@pytest.mark.parametrize("value", [0, 1, -1, -(2**63), 2**63 - 1, 0x5555555555555555,
                                   -0x5555555555555556, 0x0123456789ABCDEF])
def test_swar_popcount_counts_every_bit_of_signed_words(value: int) -> None:
    got = gpu_index.popcount64(torch.tensor([value], dtype=torch.int64)).item()
    assert got == bin(value & (2**64 - 1)).count("1")


def test_distance_matrix_and_counts_agree_with_numpy() -> None:
    codes, queries = random_codes(500, 1), random_codes(40, 2)
    queries[:5] = codes[:5]
    expected = np.array([[int(d) for d in mih.distances(codes, np.repeat(q[None], 500, 0))]
                         for q in queries])
    words, asked = gpu_index.to_device(codes, CPU), gpu_index.to_device(queries, CPU)
    assert gpu_index.distance_matrix(asked, words).numpy().tolist() == expected.tolist()
    counts = gpu_index.count_within(words, asked, 110).numpy()
    assert counts.tolist() == (expected <= 110).sum(axis=1).tolist()


@pytest.mark.parametrize("radius", [0, 1, 16, 31, 32])
def test_torch_brute_force_and_mih_find_exactly_what_numpy_brute_force_finds(radius: int) -> None:
    codes = random_codes(70_000, 3)
    queries = codes[:60].copy()
    queries[:, 0] ^= np.uint64(1) << (np.arange(60) % 64).astype(np.uint64)  # 1 bit away
    queries[::6, 1] ^= np.uint64(0xFFFF)  # and every sixth 17 bits away
    expected = hit_set(mih.brute_force(codes, queries, radius))
    widths = mih.substring_widths(mih.table_count(len(codes)))
    tables = gpu_index.TorchMihTables(codes, mih.ProbeLayout(widths), CPU)
    assert hit_set(tables.search(queries, radius)) == expected
    assert hit_set(gpu_index.TorchCodes(codes[:20_000], CPU).search(queries, radius)) == {
        hit for hit in expected if hit[1] < 20_000}
    assert len(expected) >= (60 if radius >= 17 else 50 if radius >= 1 else 0)


def test_substrings_on_the_device_match_numpy() -> None:
    codes = random_codes(200, 4)
    for n_tables in (11, 13, 16):
        widths = mih.substring_widths(n_tables)
        on_device = gpu_index.substrings(gpu_index.to_device(codes, CPU), widths).numpy()
        assert on_device.tolist() == mih.substrings(codes, widths).astype(np.int64).tolist()


def test_gpu_index_loads_by_path_with_only_numpy_and_torch() -> None:
    """What benchmarks/bench_index.py --gpu does on a machine that has nothing else."""
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('g', {str(GPU_INDEX_FILE)!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "import numpy as np\n"
        "codes = np.arange(40, dtype=np.uint64).reshape(10, 4)\n"
        "print(len(module.TorchCodes(codes).search(codes, 0)[0]))\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('vigil', 'pydantic',"
        " 'phonenumbers')]\n"
    )
    result = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "10"


def test_no_candidates_and_all_identical_codes_are_handled() -> None:
    codes = np.zeros((70_000, 4), dtype=np.uint64)
    widths = mih.substring_widths(mih.table_count(len(codes)))
    tables = gpu_index.TorchMihTables(codes, mih.ProbeLayout(widths), CPU)
    assert hit_set(tables.search(np.full((5, 4), np.uint64(2**64 - 1)), 31)) == set()
    query, row, distance = tables.search(codes[:2], 0)
    assert sorted(set(query.tolist())) == [0, 1] and len(row) == 140_000 and not distance.any()
