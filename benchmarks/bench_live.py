"""Live-stream monitoring: frames/s per core for N concurrent 720p streams, latency, decode vs hash.

Streams are H.264 720p MPEG-TS held in memory: the benign clips of /work/shared/data/videos
transcoded to 1280x720 (``--source clips``), or drawn scenes panned across the frame at 30 fps
(``--source synthetic``, always available). Nothing is written to disk.

Three measurements, all at vPDQ's 1 frame/s sampling:

1. throughput: N streams read as fast as possible (files, so back-pressure waits instead of
   dropping); decoded frames per second of wall time and per CPU-second (= per core);
2. latency: N streams paced at their own frame rate, as live streams arrive, with the live
   drop-oldest policy; p50/p99 from frame decoded to verdict (event for matches), and drops;
3. the split: per sampled frame, time decoding (all 30 frames of the second) vs hashing vs
   matching (pdq/cpp/hashing/README.md: decoding dominates).

Usage: ``.venv/bin/python benchmarks/bench_live.py [--source clips|synthetic] [--streams 1 2 4 8]``
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # tiny hash matmuls; see the report line

import argparse  # noqa: E402
import io  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import av  # noqa: E402
import numpy as np  # noqa: E402

from vigil.media.banks.matcher import BankMatcher  # noqa: E402
from vigil.media.banks.records import BankEntry, BankInfo  # noqa: E402
from vigil.media.video.frames import Sampling, hash_sampled, sample_frames  # noqa: E402
from vigil.monitor import Backpressure, StreamMonitor, StreamStats  # noqa: E402
from vigil.testing.streams import SceneVideo, encode_frames, scene_frames  # noqa: E402

VIDEOS = Path("/work/shared/data/videos")
WIDTH, HEIGHT = 1280, 720
ENCODER = {"preset": "veryfast"}
"""A common live-streaming x264 preset (CABAC, B-frames): decodes slower than ultrafast, as real
streams do."""


def _transcoded(path: Path, seconds: float) -> bytes:
    """The clip's first ``seconds`` as 720p H.264 MPEG-TS in memory."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate or 25)
        frames: list[np.ndarray] = []
        for frame in container.decode(stream):
            if frame.time is not None and frame.time >= seconds:
                break
            frames.append(frame.to_ndarray(width=WIDTH, height=HEIGHT, format="rgb24"))
    buffer = io.BytesIO()
    encode_frames(iter(frames), buffer, "mpegts", round(fps), ENCODER)
    return buffer.getvalue()


def _synthetic(seed: int, seconds: float) -> bytes:
    video = SceneVideo(seeds=tuple(range(seed, seed + int(seconds // 5))), seconds_per_scene=5,
                       fps=30, width=WIDTH, height=HEIGHT, pan_px_per_s=40)
    buffer = io.BytesIO()
    encode_frames(scene_frames(video), buffer, "mpegts", video.fps, ENCODER)
    return buffer.getvalue()


def build_streams(source: str, seconds: float) -> tuple[list[bytes], str]:
    clips = sorted(p for p in VIDEOS.glob("*") if p.suffix in (".mp4", ".mkv")
                   and p.stat().st_size > 400_000) if VIDEOS.is_dir() else []
    if source == "clips" and clips:
        made = [_transcoded(path, seconds) for path in clips]
        names = ", ".join(p.name for p in clips)
        label = f"benign clips ({names}) transcoded to 720p, first {seconds:g} s"
    else:
        made = [_synthetic(seed, seconds) for seed in (1000, 2000)]
        label = f"synthetic drawn scenes, 720p30, panned, {seconds:g} s"
    return made, label


def bank(size: int) -> BankMatcher:
    """``size`` random PDQ hashes: matching cost as with a real bank, matches only by chance."""
    rng = random.Random(7)
    entries = [BankEntry("bench", f"{rng.getrandbits(256):064x}", "pdq") for _ in range(size)]
    return BankMatcher([BankInfo("bench")], entries)


def _streams(data: list[bytes], count: int) -> Iterator[io.BytesIO]:
    for index in range(count):
        yield io.BytesIO(data[index % len(data)])


def run_monitor(data: list[bytes], count: int, matcher: BankMatcher, *, paced: bool
                ) -> tuple[list[StreamStats], float, float]:
    """Stats of ``count`` streams, wall seconds and process CPU seconds."""
    sampling = Sampling(decode_threads=1)
    policy = Backpressure.DROP_OLDEST if paced else Backpressure.BLOCK
    wall, cpu = time.perf_counter(), time.process_time()
    with StreamMonitor(lambda pdq: matcher.match("pdq", pdq), sampling=sampling) as monitor:
        for index, stream in enumerate(_streams(data, count)):
            monitor.add_stream(stream, f"s{index}", backpressure=policy, realtime=paced)
        monitor.wait()
        stats = list(monitor.stats().values())
    return stats, time.perf_counter() - wall, time.process_time() - cpu


def throughput(data: list[bytes], counts: list[int], matcher: BankMatcher) -> None:
    print("\n1. Throughput, streams read as fast as they decode (1 decoder thread each)")
    print(f"{'N':>3} {'decoded f/s':>12} {'per core':>10} {'sampled f/s':>12} {'CPU %':>7} "
          f"{'30-fps streams/core':>20}")
    for count in counts:
        stats, wall, cpu = run_monitor(data, count, matcher, paced=False)
        decoded = sum(s.frames_decoded for s in stats)
        sampled = sum(s.frames_hashed for s in stats)
        per_core = decoded / cpu
        print(f"{count:>3} {decoded / wall:>12.0f} {per_core:>10.0f} {sampled / wall:>12.1f} "
              f"{100 * cpu / wall:>7.0f} {per_core / 30:>20.1f}")


def latency(data: list[bytes], counts: list[int], matcher: BankMatcher,
            seconds: float) -> None:
    print(f"\n2. Latency, streams paced in real time for {seconds:g} s, live drop-oldest policy")
    print(f"{'N':>3} {'hashed':>7} {'drops':>6} {'p50 ms':>8} {'p99 ms':>8} {'slowest s':>10}")
    for count in counts:
        stats, wall, _ = run_monitor(data, count, matcher, paced=True)
        latencies = [s for s in stats if s.latency_p99_s is not None]
        p50 = float(np.median([s.latency_p50_s or 0.0 for s in latencies]))
        p99 = max(s.latency_p99_s or 0.0 for s in latencies)
        slowest = max(s.elapsed_s for s in stats)
        print(f"{count:>3} {sum(s.frames_hashed for s in stats):>7} "
              f"{sum(s.drops for s in stats):>6} {p50 * 1000:>8.1f} {p99 * 1000:>8.1f} "
              f"{slowest:>10.2f}")
    print(f"   (slowest: seconds the slowest stream took for {seconds:g} s of video; its last "
          "sample is due 1 s before the end, so more than the video means decoding fell behind)")


def split(data: bytes, matcher: BankMatcher) -> None:
    print("\n3. Where the time goes, one stream, one thread, per sampled frame")
    for skip in (False, True):
        sampling = Sampling(decode_threads=1, skip_nonref=skip)
        decode = hashing = matching = 0.0
        count = 0
        frames = sample_frames(io.BytesIO(data), sampling)
        while True:
            started = time.perf_counter()
            frame = next(frames, None)
            decode += time.perf_counter() - started
            if frame is None:
                break
            started = time.perf_counter()
            [pdq] = hash_sampled([frame])
            hashing += time.perf_counter() - started
            started = time.perf_counter()
            matcher.match("pdq", pdq.hex)
            matching += time.perf_counter() - started
            count += 1
        total = decode + hashing + matching
        print(f"   skip_nonref={skip!s:5}: decode {decode / count * 1000:6.1f} ms "
              f"({100 * decode / total:4.1f} %), hash {hashing / count * 1000:5.2f} ms "
              f"({100 * hashing / total:4.1f} %), match {matching / count * 1000:5.2f} ms "
              f"({100 * matching / total:4.1f} %) over {count} sampled frames")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("clips", "synthetic"), default="synthetic")
    parser.add_argument("--streams", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--bank-size", type=int, default=100_000)
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    data, label = build_streams(args.source, args.seconds)
    matcher = bank(args.bank_size)
    print(f"streams: {label}; {len(data)} distinct, {sum(map(len, data)) / 1e6:.1f} MB in memory")
    print(f"sampling 1 frame/s; bank {args.bank_size:,} PDQ hashes (brute force); "
          f"{os.cpu_count()} CPUs; OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")
    throughput(data, args.streams, matcher)
    if not args.skip_latency:
        latency(data, args.streams, matcher, args.seconds)
    split(data[0], matcher)


if __name__ == "__main__":
    main()
