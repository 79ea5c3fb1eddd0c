"""Pipeline benchmark: stage timings on the demo world at growing scale, and linking vs a reference.

Prints, for each scale, records/s per stage (import validation, each detector, linking, triage),
and the ratio of igraph linking to a plain-Python union-find reference measured in the same run
(both must give the same groups). Run with ``make bench``.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import TypeVar

from vigil.demo.files import write_world
from vigil.demo.run import load_world
from vigil.demo.world import generate_world
from vigil.linking import LinkingConfig, find_hubs, link, load_linking_config
from vigil.model import Signal
from vigil.pipeline import detect_all, read_records
from vigil.registry import load_registry
from vigil.settings import Settings
from vigil.store.memory import MemoryStore
from vigil.triage import load_triage_config, triage_all

T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def union_find_groups(signals: Sequence[Signal], config: LinkingConfig) -> set[frozenset[str]]:
    """The obviously-correct reference: union-find over signals sharing a non-hub identifier."""
    hubs = find_hubs(signals, config)
    parent = list(range(len(signals)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_seen: dict[object, int] = {}
    for index, signal in enumerate(signals):
        for subject in signal.subjects:
            if subject in hubs:
                continue
            other = first_seen.setdefault(subject, index)
            parent[root(index)] = root(other)
    groups: dict[int, set[str]] = {}
    for index, signal in enumerate(signals):
        groups.setdefault(root(index), set()).add(signal.id)
    return {frozenset(g) for g in groups.values()}


def bench_scale(scale: float) -> None:
    world, generate_s = timed(lambda: generate_world(7, scale))
    registry = load_registry()
    store = MemoryStore()
    with TemporaryDirectory() as tmp:
        files = write_world(world, Path(tmp))
        _, import_s = timed(lambda: load_world(store, files, registry))
    records = len(world.records())
    print(f"scale {scale:g}: {records} records; generate {generate_s:.2f} s; "
          f"import {import_s:.2f} s ({records / import_s:,.0f} records/s)")
    settings = Settings()
    records = read_records(store)
    signals: list[Signal] = []
    for name, cls in sorted(registry.detectors.items()):
        detector = cls.from_settings(settings)
        found, seconds = timed(lambda d=detector: detect_all(records, store, [d]))  # type: ignore[misc]
        count = len(records[cls.consumes])
        signals.extend(found[name])
        print(f"  {name:24s} {count:7d} records {seconds:6.2f} s "
              f"({count / seconds:,.0f}/s) -> {len(found[name])} signals")
    config = load_linking_config()
    groups, link_s = timed(lambda: link(signals, config))
    reference, ref_s = timed(lambda: union_find_groups(sorted(signals, key=lambda s: s.id),
                                                       config))
    same = {frozenset(s.id for s in g.signals) for g in groups} == reference
    print(f"  link (igraph) {link_s:.3f} s vs union-find reference {ref_s:.3f} s: "
          f"ratio {ref_s / link_s:.2f}x, same groups: {same}")
    _, triage_s = timed(lambda: triage_all(groups, load_triage_config(), world.end))
    print(f"  triage {len(groups)} groups {triage_s:.3f} s")
    if not same:
        raise SystemExit("linking disagrees with the reference")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 4.0])
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {platform.processor() or ''} python "
          f"{platform.python_version()}")
    for scale in args.scales:
        bench_scale(scale)


if __name__ == "__main__":
    main()
