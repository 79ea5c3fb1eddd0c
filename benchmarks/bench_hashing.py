"""Hashing benchmark: vigil's fast PDQ against the reference ``pdqhash`` on the same inputs.

Workloads: 1920x1080 RGB frames (drawn at that size, and benign photos scaled to cover 1080p) and
JPEG bytes (the photo set as stored, and the same photos as 1080p JPEGs), decode included on both
sides (reference: Pillow full decode to RGB + ``pdqhash.compute``). One core: BLAS and OpenMP are
held to one thread before NumPy loads. Each round alternates the two sides item by item, so load
from other processes falls on both alike; the speed-up is the median of the per-round ratios.
Prints the bit distance to the reference (median, p90, p99, max) and a markdown table.
Run: ``.venv/bin/python benchmarks/bench_hashing.py [--rounds 5] [--sweep]``.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import io  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import TypeVar  # noqa: E402

import numpy as np  # noqa: E402
import pdqhash  # noqa: E402
from _images import decoded, drawn_1080p, load_images, to_1080p  # noqa: E402
from PIL import Image  # noqa: E402

from vigil.media.hashing import fast as fasthash  # noqa: E402
from vigil.media.hashing.pdq import PdqHash, bits_to_hex, hamming_hex  # noqa: E402

T = TypeVar("T")


@dataclass(frozen=True)
class Result:
    workload: str
    items: int
    reference_per_s: float
    vigil_per_s: float
    speedup: float
    distances: list[int]
    quality_gap: int


def reference_of_pixels(pixels: np.ndarray) -> PdqHash:
    bits, quality = pdqhash.compute(pixels)
    return PdqHash(bits_to_hex(np.asarray(bits)), int(quality))


def reference_of_jpeg(data: bytes) -> PdqHash:
    with Image.open(io.BytesIO(data)) as image:
        return reference_of_pixels(np.asarray(image.convert("RGB")))


def interleaved(first: Callable[[T], object], second: Callable[[T], object],
                items: Sequence[T]) -> tuple[float, float]:
    """Total seconds of each action, alternating item by item so both see the same load."""
    totals = [0.0, 0.0]
    for item in items:
        for side, action in enumerate((first, second)):
            start = time.perf_counter()
            action(item)
            totals[side] += time.perf_counter() - start
    return totals[0], totals[1]


def compare(workload: str, items: Sequence[T], reference: Callable[[T], PdqHash],
            vigil: Callable[[T], PdqHash], rounds: int) -> Result:
    ratios, reference_rates, vigil_rates = [], [], []
    reference(items[0]), vigil(items[0])  # warm caches (per-size operators) outside the clock
    for _ in range(rounds):
        slow, fast = interleaved(reference, vigil, items)
        ratios.append(slow / fast)
        reference_rates.append(len(items) / slow)
        vigil_rates.append(len(items) / fast)
    pairs = [(reference(item), vigil(item)) for item in items]
    return Result(workload, len(items), statistics.median(reference_rates),
                  statistics.median(vigil_rates), statistics.median(ratios),
                  [hamming_hex(a.hex, b.hex) for a, b in pairs],
                  max(abs(a.quality - b.quality) for a, b in pairs))


def jpeg_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def spread(distances: list[int]) -> str:
    p50, p90, p99 = np.percentile(distances, [50, 90, 99])
    return f"{p50:.0f} / {p90:.0f} / {p99:.0f} / {max(distances)}"


def print_table(results: list[Result]) -> None:
    print("| workload | items | reference /s | vigil /s | speed-up | bits to reference "
          "(median / p90 / p99 / max) | max quality gap |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r.workload} | {r.items} | {r.reference_per_s:.1f} | {r.vigil_per_s:.1f} | "
              f"{r.speedup:.1f}x | {spread(r.distances)} | {r.quality_gap} |")


def sweep(frames: list[np.ndarray], jpegs: list[bytes], rounds: int) -> None:
    """The trade-off behind REDUCED_SIDE and DRAFT_SIDE, measured in this run."""
    print("\n| setting | workload | speed-up | bits to reference (median / p90 / p99 / max) |")
    print("|---|---|---|---|")
    default = fasthash.REDUCED_SIDE
    for side in (128, 256, 384, 512):
        fasthash.REDUCED_SIDE = side
        r = compare("frames", frames, reference_of_pixels, fasthash.hash_frame, rounds)
        print(f"| REDUCED_SIDE={side} | 1080p frames | {r.speedup:.1f}x | {spread(r.distances)} |")
    fasthash.REDUCED_SIDE = default
    for draft in (128, 256, 100_000):
        r = compare("jpeg", jpegs, reference_of_jpeg,
                    lambda data, d=draft: fasthash.hash_jpeg(data, d), rounds)
        label = "full decode" if draft == 100_000 else f"DRAFT_SIDE={draft}"
        print(f"| {label} | photo JPEGs | {r.speedup:.1f}x | {spread(r.distances)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--drawn-frames", type=int, default=8)
    parser.add_argument("--photo-frames", type=int, default=40)
    parser.add_argument("--photos", type=int, default=None, help="JPEGs to use (default all)")
    parser.add_argument("--sweep", action="store_true", help="also sweep the two size settings")
    args = parser.parse_args()

    images = load_images(args.photos)
    print(f"# vigil hashing benchmark\n\nmachine: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, one thread; "
          f"REDUCED_SIDE={fasthash.REDUCED_SIDE}, DRAFT_SIDE={fasthash.DRAFT_SIDE}\n"
          f"images: {images.source}\n")
    drawn = [np.asarray(drawn_1080p(seed)) for seed in range(args.drawn_frames)]
    photo_frames = [np.asarray(to_1080p(decoded(j))) for j in images.jpegs[:args.photo_frames]]
    hd_jpegs = [jpeg_bytes(Image.fromarray(frame)) for frame in photo_frames]
    batched = [drawn[i:i + 4] for i in range(0, len(drawn), 4)]

    results = [
        compare("1080p frames, drawn", drawn, reference_of_pixels, fasthash.hash_frame,
                args.rounds),
        compare("1080p frames, photos scaled to 1080p", photo_frames, reference_of_pixels,
                fasthash.hash_frame, args.rounds),
        compare("JPEG bytes, photo set as stored (<= 512 px)", images.jpegs, reference_of_jpeg,
                fasthash.hash_jpeg, args.rounds),
        compare("JPEG bytes, photos as 1080p q90", hd_jpegs, reference_of_jpeg,
                fasthash.hash_jpeg, args.rounds),
    ]
    print_table(results)
    single, batch = zip(*(interleaved(lambda group: [fasthash.hash_frame(f) for f in group],
                                      fasthash.hash_frames, batched) for _ in range(args.rounds)),
                        strict=True)
    print(f"\nvigil on drawn 1080p frames, one by one: {len(drawn) / statistics.median(single):.1f}"
          f" frames/s; hash_frames in batches of 4: {len(drawn) / statistics.median(batch):.1f}")
    if args.sweep:
        sweep(drawn + photo_frames[:8], images.jpegs[:150], max(2, args.rounds // 2))


if __name__ == "__main__":
    main()
