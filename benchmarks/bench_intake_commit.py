"""Intake's database side without HTTP: reports/s, accept latency and CPU per report.

In one process, ``--producers`` asyncio tasks call :meth:`vigil.Intake.accept_async` (what
``POST /v1/reports`` calls) with generated reports, one report per call, each with its own
``Idempotency-Key`` and report id, against a new SQLite file and a new PostgreSQL schema
(127.0.0.1:5432, database ``test``; ``VIGIL_TEST_POSTGRES_URL`` sets another). Every call returns
only after the group commit holding its report has committed (SQLite ``synchronous=FULL``,
PostgreSQL ``synchronous_commit = on``), exactly as the route answers.

Each line gives reports/s, p50/p99 of one ``accept_async`` call, this process's CPU time per
report (user + system, all threads: the event loop and the group committer) and, on
PostgreSQL, the CPU time of this run's own backends per report (``/proc/<pid>/stat`` of the
backends ``pg_stat_activity`` lists under this run's ``application_name``) and of every
postgres process (WAL writer and checkpointer included; other users of the server add to it,
so on a shared machine read the first figure).
CPU time is what to compare on a loaded machine; throughput and latency move with the load.

``--profile FILE`` writes a cProfile of the event loop and the committer thread
(``python -m pstats FILE``). Run: ``python benchmarks/bench_intake_commit.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import platform
import pstats
import random
import secrets
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from vigil import (
    BankEntry,
    BankInfo,
    Intake,
    RecordKind,
    Settings,
    load_registry,
    open_store,
)

POSTGRES_URL = os.environ.get("VIGIL_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
TENANT = "bench"
TICK = os.sysconf("SC_CLK_TCK")


def report_body(number: int, run: str, frames: list[str]) -> dict[str, object]:
    """A neutral report like ``bench_api.py``'s; ``frames`` adds PDQ frame hashes to match."""
    body: dict[str, object] = {
        "report_id": f"{run}-{number}", "reporter": f"vidchat:viewer{number % 97}",
        "reported": f"vidchat:host{number % 13}", "session_id": f"s{number}",
        "reported_at": "2026-11-29T10:00:00Z", "reason": "asked my age"}
    if frames:
        body["frame_pdqs"] = [frames[number % len(frames)]]
    return body


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (0 if it is gone)."""
    with suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    return 0.0


def postgres_pids() -> list[int]:
    """Every postgres process on this machine (the server and its backends)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError):
                if (entry / "comm").read_text().strip() in {"postgres", "postmaster"}:
                    found.append(int(entry.name))
    return found


class BackendCpu:
    """CPU of this run's PostgreSQL backends (by ``application_name``) and of all postgres
    processes (per process, so that one ending during the run does not subtract)."""

    def __init__(self, admin: Engine | None, app_name: str) -> None:
        self._admin, self._app = admin, app_name
        self._own: dict[int, float] = {}
        self._all: dict[int, float] = {}

    def own_pids(self) -> list[int]:
        if self._admin is None:
            return []
        with self._admin.connect() as conn:
            return list(conn.scalars(text("SELECT pid FROM pg_stat_activity "
                                          "WHERE application_name = :app"), {"app": self._app}))

    def start(self) -> None:
        self._own = {pid: process_cpu_s(pid) for pid in self.own_pids()}
        self._all = {pid: process_cpu_s(pid) for pid in postgres_pids()}

    def spent(self) -> tuple[float, float]:
        """(own backends, all postgres processes) CPU seconds since :meth:`start`."""
        own = sum(process_cpu_s(pid) - self._own.get(pid, 0.0) for pid in self.own_pids())
        every = sum(max(0.0, process_cpu_s(pid) - self._all.get(pid, 0.0))
                    for pid in postgres_pids())
        return own, every


def fill_bank(store: Any, size: int, rng: random.Random) -> list[str]:
    hashes = [f"{rng.getrandbits(256):064x}" for _ in range(size)]
    store.add_bank(BankInfo("bench"))
    store.add_bank_entries([BankEntry("bench", h, "pdq", label=f"bench {n}")
                            for n, h in enumerate(hashes)])
    return hashes


async def drive(intake: Intake, producers: int, count: int, run: str,
                frames: list[str]) -> tuple[list[float], float]:
    """``count`` reports from ``producers`` tasks: (latency of each call, wall seconds)."""
    latencies: list[float] = []
    numbers = iter(range(count))

    async def producer() -> None:
        for number in numbers:
            body = report_body(number, run, frames)
            started = time.perf_counter()
            receipt = await intake.accept_async(RecordKind.REPORT, [body], f"{run}-k{number}")
            latencies.append(time.perf_counter() - started)
            assert not receipt.replayed and receipt.body["accepted"] == 1

    started = time.perf_counter()
    await asyncio.gather(*(producer() for _ in range(producers)))
    return latencies, time.perf_counter() - started


@contextmanager
def profiled(path: str | None) -> Iterator[None]:
    """cProfile over the event loop and every thread started inside (the committer)."""
    if path is None:
        yield
        return
    profiles = [cProfile.Profile()]

    def in_thread(*_: Any) -> None:
        profile = cProfile.Profile()
        profiles.append(profile)
        profile.enable()  # replaces this hook in this thread

    threading.setprofile(in_thread)
    profiles[0].enable()
    try:
        yield
    finally:
        threading.setprofile(None)
        for profile in profiles:
            profile.disable()
        merged = pstats.Stats(profiles[0])
        for other in profiles[1:]:
            merged.add(other)
        merged.dump_stats(path)
        print(f"profile of {len(profiles)} threads written to {path}", flush=True)


def bench_store(label: str, url: str, admin: Engine | None, app_name: str,
                args: argparse.Namespace) -> None:
    rng = random.Random(7)
    with closing(open_store(url)) as store:
        bank = fill_bank(store, args.bank_size, rng)
        frames = bank[:256] if args.frames else []
        settings = Settings(database_url=url, media_index="mih")
        intake = Intake(store, settings, load_registry(), background=False, tenant=TENANT)
        profile = args.profile if args.profile and label == args.profile_backend else None
        try:
            with profiled(profile):  # from the warm-up on, so that the committer is profiled
                asyncio.run(drive(intake, args.producers, 64, "warm", frames))  # pool, index
                cpu = BackendCpu(admin, app_name)
                cpu.start()
                before = time.process_time()
                latencies, wall = asyncio.run(drive(intake, args.producers, args.count,
                                                    secrets.token_hex(3), frames))
                own = time.process_time() - before
                backends, everything = cpu.spent()
        finally:
            intake.close()
    n = len(latencies)
    cuts = statistics.quantiles(latencies, n=100)
    pg = (f", PostgreSQL backends {backends / n * 1e3:.3f} ms/report (all postgres "
          f"{everything / n * 1e3:.3f})") if admin is not None else ""
    print(f"{label}: {n} reports, {args.producers} producers, {n / wall:,.0f} reports/s, "
          f"p50 {cuts[49] * 1e3:.1f} ms, p99 {cuts[98] * 1e3:.1f} ms, "
          f"this process {own / n * 1e3:.3f} ms CPU/report{pg}, "
          f"load {os.getloadavg()[0]:.1f}", flush=True)


def postgres_schema(app_name: str) -> tuple[str, Engine, Callable[[], None]]:
    schema = f"vigil_bench_{secrets.token_hex(4)}"
    admin = create_engine(make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({
        "options": f"-csearch_path={schema}", "application_name": app_name})

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return url.render_as_string(hide_password=False), admin, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--producers", type=int, default=32)
    parser.add_argument("--count", type=int, default=5000, help="reports per backend")
    parser.add_argument("--bank-size", type=int, default=1000)
    parser.add_argument("--frames", action="store_true",
                        help="one PDQ frame hash per report, matched against the bank")
    parser.add_argument("--profile", help="write a cProfile of one backend's run here")
    parser.add_argument("--profile-backend", default="postgresql")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}", flush=True)
    for backend in args.backends:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                bench_store("sqlite", f"sqlite:///{folder}/vigil.db", None, "", args)
            continue
        app_name = f"vigil-bench-{secrets.token_hex(4)}"
        url, admin, drop = postgres_schema(app_name)
        try:
            bench_store("postgresql", url, admin, app_name, args)
        finally:
            drop()


if __name__ == "__main__":
    main()
