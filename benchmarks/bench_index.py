"""PDQ index benchmark: build time, memory, queries/s, latency, exactness and update visibility.

For each size, random 256-bit codes with 1 % planted near-duplicates (1-31 bits from another code)
are indexed, then searched at radius 31 with queries planted at 0, 1, 15, 16, 17, 31 and 32 bits
from stored codes (plus 1 in 8 fully random). Printed per size:

* build time; memory as the RSS delta of this process (current, not peak) and as the index's
  array bytes (``nbytes``), both in MB and bytes per hash;
* queries/s and p50/p99 latency of single queries, and queries/s of batched ``query_many``;
* brute-force queries/s on the same data and the ratio: both measured in this run;
* exact agreement with brute force (the set of (query, entry, distance)) on a sample of queries;
* time from ``add`` / ``remove`` returning to a query seeing it (median and worst of 20).

Default mode: vigil's ``MihPdqIndex`` on this machine's CPUs. ``--gpu``: the torch searchers of
``src/vigil/media/index/gpu.py`` on CUDA (or the CPU without one), loaded by file path with
``mih.py``; that mode needs only NumPy and torch. Not run by the test suite.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

MEDIA = Path(__file__).resolve().parent.parent / "src" / "vigil" / "media" / "index"
PLANTED_DISTANCES = (0, 1, 15, 16, 17, 31, 32)
RADIUS = 31  # the PDQ match threshold (pdq/README.md)
RUNS = 3


def load_by_path(name: str) -> ModuleType:
    """A module of src/vigil/media/index by file path: no vigil package, so no pydantic."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", MEDIA / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def flipped(codes: np.ndarray, bits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Copies of uint64 [k, 4] ``codes`` with ``bits[i]`` distinct random bits flipped in row i."""
    unpacked = np.unpackbits(codes.view(np.uint8), axis=1)
    ranks = rng.random(unpacked.shape).argsort(axis=1).argsort(axis=1)
    unpacked ^= (ranks < bits[:, None]).astype(np.uint8)
    return np.packbits(unpacked, axis=1).view(np.uint64)


def make_codes(n: int, rng: np.random.Generator) -> np.ndarray:
    codes = rng.integers(0, 2**64, size=(n, 4), dtype=np.uint64, endpoint=False)
    planted = n // 100
    sources = rng.integers(0, n - planted, size=planted)
    codes[n - planted:] = flipped(codes[sources], rng.integers(1, 32, size=planted), rng)
    return codes


def make_queries(codes: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    distances = np.resize(np.array(PLANTED_DISTANCES), count)
    queries = flipped(codes[rng.integers(0, len(codes), size=count)], distances, rng)
    random_rows = np.arange(0, count, 8)
    queries[random_rows] = rng.integers(0, 2**64, size=(len(random_rows), 4), dtype=np.uint64)
    return queries


def rss_bytes() -> int:
    """Current resident set size (Linux /proc); peak RSS elsewhere."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def latencies(action: Callable[[np.ndarray], Any], queries: np.ndarray) -> np.ndarray:
    out = np.empty(len(queries))
    for i in range(len(queries)):
        start = time.perf_counter()
        action(queries[i:i + 1])
        out[i] = time.perf_counter() - start
    return out


def median_run(action: Callable[[], Any]) -> tuple[float, float]:
    """Median wall and CPU seconds of RUNS runs (the machine may be shared: see load average)."""
    runs = []
    for _ in range(RUNS):
        cpu = time.process_time()
        _, wall = timed(action)
        runs.append((wall, time.process_time() - cpu))
    wall_s, cpu_s = sorted(runs)[RUNS // 2]
    return wall_s, cpu_s


def report_latency(label: str, seconds: np.ndarray) -> float:
    rate = len(seconds) / seconds.sum()
    print(f"  {label}: {rate:,.0f} queries/s; p50 {np.percentile(seconds, 50) * 1e3:.3f} ms, "
          f"p99 {np.percentile(seconds, 99) * 1e3:.3f} ms ({len(seconds)} queries)")
    return rate


def reference_hits(codes: np.ndarray, queries: np.ndarray) -> set[tuple[int, int, int]]:
    """Brute force one query at a time with a plain popcount: independent of the index code."""
    hits: set[tuple[int, int, int]] = set()
    for position, query in enumerate(queries):
        distance = np.bitwise_count(codes ^ query).sum(axis=1, dtype=np.int64)
        rows = np.flatnonzero(distance <= RADIUS)
        hits.update((position, int(row), int(distance[row])) for row in rows)
    return hits


def print_memory(label: str, rss_delta: int, nbytes: int, n: int) -> None:
    print(f"  memory ({label}): RSS delta {rss_delta / 1e6:,.0f} MB "
          f"({rss_delta / n:.0f} B/hash); arrays {nbytes / 1e6:,.0f} MB ({nbytes / n:.0f} B/hash)")


def bench_cpu(n: int, n_queries: int, n_agree: int, rng: np.random.Generator) -> None:
    from vigil.media.index.segmented import MihPdqIndex

    codes = make_codes(n, rng)
    queries = make_queries(codes, n_queries, rng)
    before = rss_bytes()
    index = MihPdqIndex()
    _, build_s = timed(lambda: index.add_codes(codes, "bench"))
    print(f"{n:,} codes, MihPdqIndex (segments {index.segment_sizes}): build {build_s:.1f} s")
    print_memory("index", rss_bytes() - before, index.nbytes, n)
    single = report_latency("single query()", latencies(
        lambda q: index.query(q.tobytes().hex(), RADIUS), queries[:min(n_queries, 2000)]))
    batch_s, cpu_s = median_run(lambda: index.query_many(queries, RADIUS))
    arrays_s, _ = median_run(lambda: index.search_codes(queries, RADIUS))
    batched = n_queries / batch_s
    print(f"  batched query_many({n_queries:,}): {batched:,.0f} queries/s ({n_queries / cpu_s:,.0f}"
          f" per CPU-second); search_codes (arrays, no Match objects): "
          f"{n_queries / arrays_s:,.0f} queries/s (medians of {RUNS} runs)")
    brute = report_latency("brute force (reference)", latencies(
        lambda q: np.flatnonzero(np.bitwise_count(codes ^ q).sum(axis=1) <= RADIUS),
        queries[:20]))
    print(f"  ratio to brute force: single {single / brute:,.0f}x, batched {batched / brute:,.0f}x")
    sample = queries[:n_agree]
    found = index.search_codes(sample, RADIUS)
    got = set(zip(found.query.tolist(), found.ids.tolist(), found.distance.tolist(), strict=True))
    expected = reference_hits(codes, sample)
    print(f"  agreement with brute force on {len(sample)} queries: "
          f"{'EXACT' if got == expected else 'DIFFERENT'} ({len(expected)} hits)")
    visibility_cpu(index, rng)


def visibility_cpu(index: Any, rng: np.random.Generator) -> None:
    adds, removes = [], []
    for _ in range(20):
        code = rng.integers(0, 2**64, size=(1, 4), dtype=np.uint64)
        hex_hash = code.tobytes().hex()
        start = time.perf_counter()
        (entry_id,) = index.add_codes(code, "fresh")
        assert index.query(hex_hash, 0), "an added hash must be found"
        adds.append(time.perf_counter() - start)
        start = time.perf_counter()
        index.remove([int(entry_id)])
        assert not index.query(hex_hash, RADIUS), "a removed hash must not be found"
        removes.append(time.perf_counter() - start)
    bulk = rng.integers(0, 2**64, size=(10_000, 4), dtype=np.uint64)
    _, bulk_s = timed(lambda: index.add_codes(bulk, "fresh"))
    print(f"  add -> visible: median {np.median(adds) * 1e3:.2f} ms, worst {max(adds) * 1e3:.2f}"
          f" ms; remove -> gone: median {np.median(removes) * 1e3:.2f} ms, worst "
          f"{max(removes) * 1e3:.2f} ms (add+query, remove+query); add 10,000: {bulk_s:.2f} s")


def bench_gpu(n: int, n_queries: int, n_agree: int, rng: np.random.Generator) -> None:
    import torch

    mih, gpu = load_by_path("mih"), load_by_path("gpu")
    device = gpu.default_device()
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    codes = make_codes(n, rng)
    queries = make_queries(codes, n_queries, rng)
    widths = mih.substring_widths(mih.table_count(n))
    before = torch.cuda.memory_allocated() if device.type == "cuda" else rss_bytes()
    sync()
    tables, build_s = timed(lambda: gpu.TorchMihTables(codes, mih.ProbeLayout(widths), device))
    sync()
    after = torch.cuda.memory_allocated() if device.type == "cuda" else rss_bytes()
    print(f"{n:,} codes, TorchMihTables on {device} ({len(widths)} x {widths[-1]}-"
          f"{widths[0]} bits): build {build_s:.1f} s")
    print_memory("GPU allocated" if device.type == "cuda" else "RSS", after - before,
                 tables.nbytes, n)
    tables.search(queries[:1000], RADIUS)  # warm-up: kernels, plan
    sync()
    for batch in sorted({min(n_queries, b) for b in (1_000, 10_000, 100_000, n_queries)}):
        _, seconds = timed(lambda b=batch: [tables.search(queries[i:i + b], RADIUS)
                                            for i in range(0, n_queries - b + 1, b)])
        done = (n_queries // batch) * batch
        print(f"  MIH batched, batches of {batch:,}: {done / seconds:,.0f} queries/s")
    report_latency("MIH single query", latencies(lambda q: tables.search(q, RADIUS),
                                                 queries[:200]))
    words = gpu.to_device(codes, device)
    sample = gpu.to_device(queries[:1000], device)
    gpu.count_within(words, sample[:10], RADIUS)
    sync()
    _, brute_s = timed(lambda: (gpu.count_within(words, sample, RADIUS), sync()))
    print(f"  brute force (XOR+SWAR popcount, 1,000 queries): {1000 / brute_s:,.0f} queries/s")
    device_sample = 1000 if device.type == "cuda" else n_agree  # torch on a CPU is slow
    agreement_gpu(gpu, tables, words, codes, queries[:max(n_agree, device_sample)], device,
                  n_agree)
    visibility_gpu(gpu, tables, rng, device, sync)


def agreement_gpu(gpu: ModuleType, tables: Any, words: Any, codes: np.ndarray,
                  sample: np.ndarray, device: Any, n_numpy: int) -> None:
    query, row, distance = tables.search(sample, RADIUS)
    got = set(zip(query.tolist(), row.tolist(), distance.tolist(), strict=True))
    brute = gpu.search(words, gpu.to_device(sample, device), RADIUS)
    on_device = set(zip(*(part.tolist() for part in brute), strict=True))
    numpy_sample = min(len(sample), n_numpy)
    on_host = reference_hits(codes, sample[:numpy_sample])
    same_host = {hit for hit in got if hit[0] < numpy_sample} == on_host
    print(f"  agreement: MIH vs torch brute force on {len(sample)} queries "
          f"{'EXACT' if got == on_device else 'DIFFERENT'} ({len(got)} hits); vs NumPy brute "
          f"force on {numpy_sample}: {'EXACT' if same_host else 'DIFFERENT'}")


def visibility_gpu(gpu: ModuleType, tables: Any, rng: np.random.Generator, device: Any,
                   sync: Callable[[], None]) -> None:
    """What GpuPdqIndex does: an add re-uploads the small tail; a removal filters hits by id."""
    tail = rng.integers(0, 2**64, size=(1000, 4), dtype=np.uint64)
    adds, removes = [], []
    for _ in range(20):
        start = time.perf_counter()
        scan = gpu.TorchCodes(tail, device)
        assert len(scan.search(tail[-1:], 0)[0]) == 1
        sync()
        adds.append(time.perf_counter() - start)
        start = time.perf_counter()
        _, rows, _ = tables.search(tables.codes[:1], RADIUS)
        assert 0 not in rows[~np.isin(rows, np.array([0]))], "a removed row must be filtered"
        removes.append(time.perf_counter() - start)
    print(f"  add -> visible (tail of 1,000 re-uploaded + query): median "
          f"{np.median(adds) * 1e3:.2f} ms; remove -> gone (query + tombstone filter): median "
          f"{np.median(removes) * 1e3:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--queries", type=int, default=20_000, help="batched queries per size")
    parser.add_argument("--agree", type=int, default=20, help="queries checked by brute force")
    parser.add_argument("--gpu", action="store_true", help="torch searchers (numpy+torch only)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} CPUs, "
          f"python {platform.python_version()}, numpy {np.__version__}, load average "
          f"{os.getloadavg()[0]:.2f}")
    if args.gpu:
        import torch

        name = torch.cuda.get_device_name() if torch.cuda.is_available() else "none (CPU)"
        print(f"torch {torch.__version__}, CUDA device: {name}")
    for n in args.sizes:
        rng = np.random.default_rng(n)
        (bench_gpu if args.gpu else bench_cpu)(n, args.queries, args.agree, rng)
        print(f"  (load average now {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
