"""API load benchmark: reports/s and PDQ lookups/s with p50/p99, on SQLite and PostgreSQL.

Starts ``vigil serve --workers N`` (127.0.0.1) as a separate process over a new store, fills a
bank of ``--bank-size`` random PDQ hashes, then drives it from a second process on loopback for
``--seconds`` or ``--count`` requests per phase, whichever ends first: ``POST /v1/reports`` (one
report per request, each with its own Idempotency-Key, answered after its commit) and
``GET /m/lookup`` (HMA's lookup; half the hashes near a bank entry). The load comes from ``wrk``
(``--client wrk``, the default where it is installed: ``apt-get install wrk``; Lua scripts in
benchmarks/wrk/), which costs the shared cores far less than Python client threads
(``--client threads``: httpx, in this process). Each line also gives the CPU time the server's
processes (and the client) spent per request, which other load on the machine disturbs less
than throughput. ``--workers 1 2`` measures both in one run. Background runs are put off
(``VIGIL_INTAKE_RERUN_DELAY_S=600``) so that the phase measures intake, not detection.
``--batch N`` sends N reports per intake request (threads client only). Run with
``make bench-api``; loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import closing, suppress
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from vigil import (
    BankEntry,
    BankInfo,
    Scope,
    Settings,
    TenantStores,
    create_key,
    key_store_for,
    load_registry,
    open_store,
)

TENANT = "bench"
WRK_SCRIPTS = Path(__file__).parent / "wrk"
POSTGRES_URL = os.environ.get("VIGIL_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fill_bank(main_url: str, size: int, rng: random.Random) -> list[str]:
    hashes = [f"{rng.getrandbits(256):064x}" for _ in range(size)]
    tenants = TenantStores(main_url, Settings(database_url=main_url), load_registry,
                           background=False)
    try:
        store = tenants.get(TENANT).store  # creates the tenant's PostgreSQL schema if needed
        store.add_bank(BankInfo("bench"))
        for start in range(0, size, 50_000):
            store.add_bank_entries([BankEntry("bench", h, "pdq")
                                    for h in hashes[start:start + 50_000]])
    finally:
        tenants.close()
    return hashes


def start_server(main_url: str, port: int, folder: Path, workers: int,
                 variant: dict[str, str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "VIGIL_DATABASE_URL": main_url, "VIGIL_INTAKE_RERUN_DELAY_S": "600",
           "VIGIL_API_RATE_PER_S": "1000000", "VIGIL_MEDIA_INDEX": "mih", **variant}
    log = open(folder / f"server-{workers}.log", "wb")  # noqa: SIM115 - the server holds it
    server = subprocess.Popen(
        [sys.executable, "-c", "from vigil.cli.main import app; app()", "serve",
         "--port", str(port), "--workers", str(workers)], env=env, stdout=log, stderr=log,
        start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).is_success:
                return server
        time.sleep(0.1)
    stop(server)
    raise RuntimeError(f"server did not start; see {folder / f'server-{workers}.log'}")


def load(send: Callable[[httpx.Client, int], int], concurrency: int, seconds: float,
         count: int) -> tuple[int, float, list[float], int]:
    """Run ``send`` from threads; (requests, seconds, latencies in s, failures)."""
    latencies: list[float] = []
    failures = [0]
    counter = iter(range(count))
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        with httpx.Client(timeout=30) as http:
            while time.monotonic() < stop:
                with lock:
                    number = next(counter, None)
                if number is None:
                    return
                started = time.perf_counter()
                status = send(http, number)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    failures[0] += status >= 300

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), time.monotonic() - began, latencies, failures[0]


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 \
        else values[0]


def report_body(number: int, run: str) -> dict[str, object]:
    return {"report_id": f"{run}-{number}", "reporter": f"vidchat:viewer{number % 97}",
            "reported": f"vidchat:host{number % 13}", "session_id": f"s{number}",
            "reported_at": "2026-11-29T10:00:00Z", "reason": "asked my age"}


def near(hash_hex: str, rng: random.Random) -> str:
    value = int(hash_hex, 16) ^ (1 << rng.randrange(256))
    return f"{value:064x}"


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its descendants (uvicorn's workers)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
                times[int(entry.name)] = (int(fields[11]) + int(fields[12])) \
                    / os.sysconf("SC_CLK_TCK")
    tree, grew = {pid}, True
    while grew:
        found = {child for child, parent in parents.items() if parent in tree}
        grew = not found <= tree
        tree |= found
    return sum(times.get(p, 0.0) for p in tree)


def run_wrk(script: str, base: str, script_args: list[str],
            args: argparse.Namespace) -> tuple[int, float, float, float, int]:
    """wrk as the client: (requests, seconds, p50 s, p99 s, failures)."""
    threads = min(2, args.concurrency)
    command = ["wrk", "-t", str(threads), "-c", str(args.concurrency), "-d",
               f"{args.seconds:g}s", "--timeout", "30s", "-s", str(WRK_SCRIPTS / script), base,
               "--", *script_args, str(-(-args.count // threads))]
    output = subprocess.run(command, capture_output=True, text=True, check=True,
                            timeout=args.seconds + 120).stdout
    line = next(x for x in output.splitlines() if x.startswith("WRK "))
    got = json.loads(line[4:])
    return (got["requests"], got["duration_us"] / 1e6, got["p50_us"] / 1e6,
            got["p99_us"] / 1e6, got["status_errors"] + got["socket_errors"])


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def warm_up(base: str, headers: dict[str, str]) -> None:
    """Every worker builds its index before the clock starts: /readyz over fresh connections."""
    def ready() -> None:
        httpx.get(f"{base}/readyz", headers=headers, timeout=600)

    threads = [threading.Thread(target=ready) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def bench_backend(label: str, main_url: str, args: argparse.Namespace) -> None:
    rng = random.Random(7)
    with closing(open_store(main_url)) as main:
        _key, token = create_key(key_store_for(main), TENANT, [Scope.INTAKE, Scope.LOOKUP],
                                 rate_per_s=1e6, burst=10**6)
    began = time.monotonic()
    hashes = fill_bank(main_url, args.bank_size, rng)
    filled = time.monotonic() - began
    queries = [near(rng.choice(hashes), rng) if i % 2 else f"{rng.getrandbits(256):064x}"
               for i in range(min(args.count, 100_000))]
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "queries.txt").write_text("\n".join(queries) + "\n")
        for workers in args.workers:
            for _round in range(args.rounds):
                for name, variant in parse_variants(args.variants):
                    bench_server(f"{label} {name}".strip(), main_url, token, queries,
                                 Path(folder), workers, args, variant)
    print(f"{label}: bank of {args.bank_size:,} hashes filled in {filled:.1f} s", flush=True)


def bench_server(label: str, main_url: str, token: str, queries: list[str], folder: Path,
                 workers: int, args: argparse.Namespace, variant: dict[str, str]) -> None:
    port = free_port()
    server = start_server(main_url, port, folder, workers, variant)
    try:
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {token}"}
        warm_up(base, headers)
        run = uuid.uuid4().hex[:8]

        def post(http: httpx.Client, n: int) -> int:
            body = [report_body(n * args.batch + j, run) for j in range(args.batch)]
            return http.post(f"{base}/v1/reports", json=body, headers={
                **headers, "Idempotency-Key": f"{run}-{n}"}).status_code

        def lookup(http: httpx.Client, n: int) -> int:
            return http.get(f"{base}/m/lookup", headers=headers, params={
                "signal_type": "pdq", "signal": queries[n % len(queries)]}).status_code

        phases = (("reports", post, "reports.lua", [run, token]),
                  ("lookups", lookup, "lookups.lua", [str(folder / "queries.txt"), token]))
        for name, send, script, script_args in phases:
            server_cpu, client_cpu, own_cpu = tree_cpu_s(server.pid), children_cpu_s(), \
                time.process_time()
            if args.client == "wrk":
                done, spent, p50, p99, failed = run_wrk(script, base, script_args, args)
            else:
                done, spent, latencies, failed = load(send, args.concurrency, args.seconds,
                                                      args.count)
                p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
            server_cpu = tree_cpu_s(server.pid) - server_cpu
            client_cpu = children_cpu_s() - client_cpu + time.process_time() - own_cpu
            per = args.batch if name == "reports" else 1
            print(f"{label:10} {name:8} workers {workers}  {done * per / spent:6.0f}/s  p50 "
                  f"{p50 * 1000:6.1f} ms  p99 {p99 * 1000:6.1f} ms  CPU/request: server "
                  f"{server_cpu / max(done, 1) * 1000:.2f} ms, client "
                  f"{client_cpu / max(done, 1) * 1000:.2f} ms  ({done} requests, {failed} "
                  f"failed, {args.client} x{args.concurrency}, {per} per request, bank "
                  f"{args.bank_size:,}, load {os.getloadavg()[0]:.1f})", flush=True)
    finally:
        stop(server)


def stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL to the server's process group: its shutdown would run the put-off
    background run over every report of the phase, which measures nothing here."""
    server.terminate()
    with suppress(subprocess.TimeoutExpired):
        server.wait(10)
    with suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(30)


def postgres_schema_url() -> tuple[str, Callable[[], None]]:
    schema = f"vigil_bench_{secrets.token_hex(4)}"
    admin = create_engine(make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(text(f'DROP SCHEMA IF EXISTS "vigil_tenant_{TENANT}" CASCADE'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


def parse_variants(given: list[str]) -> list[tuple[str, dict[str, str]]]:
    """``LABEL:NAME=VALUE,NAME=VALUE`` per server variant (``--variants``)."""
    variants = []
    for text_ in given:
        name, _, settings = text_.partition(":")
        variants.append((name, dict(pair.split("=", 1) for pair in settings.split(",") if pair)))
    return variants


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--bank-size", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1,
                        help="reports per intake request (threads client)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="uvicorn worker processes; each is measured in turn")
    parser.add_argument("--client", choices=["wrk", "threads"],
                        default="wrk" if shutil.which("wrk") else "threads")
    parser.add_argument("--variants", nargs="+", default=[""], metavar="LABEL:NAME=VALUE,...",
                        help="servers to compare on one bank, alternated, each with these "
                        "environment variables, e.g. lane: 'full:VIGIL_API_FAST_LANE=false'")
    parser.add_argument("--rounds", type=int, default=1, help="times each variant is run")
    args = parser.parse_args()
    if args.client == "wrk" and args.batch != 1:
        parser.error("--batch needs --client threads")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}", flush=True)
    for backend in args.backends:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                bench_backend("SQLite", f"sqlite:///{folder}/vigil.db", args)
        else:
            url, drop = postgres_schema_url()
            try:
                bench_backend("PostgreSQL", url, args)
            finally:
                drop()


if __name__ == "__main__":
    main()
