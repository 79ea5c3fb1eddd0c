"""The crash loop: reports sent with retries while the server is ``kill -9``ed at random moments.

Every iteration starts a server (a separate process, uvicorn on 127.0.0.1), sends a few reports
from this process with an ``Idempotency-Key`` each, kills the server with SIGKILL at a random
moment (before, during or after the sends), and starts the next one. A report whose request
failed is sent again, with the same key, in later iterations until it is acknowledged. One
acknowledged report per iteration is also sent again, to check that the answer is replayed.
At the end every acknowledged report must be stored exactly once, and nothing twice.

``python -m tests.durability.crashloop`` (``make soak``) runs ``SOAK_ITERATIONS`` (1,000)
iterations and prints ``acknowledged=N lost=0 duplicated=0``.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from vigil import RecordKind, Scope, create_key, key_store_for, open_store, tenant_store_url

REPORTS_PER_ITERATION = 3
SEND_S = 0.03
"""About how long one acknowledged report takes on loopback (SQLite, synchronous=FULL)."""
KILL_SPREAD = 1.5
"""Kill moments are uniform in [0, this x the iteration's expected send time] after the server
answers, so kills land before, between and inside requests, and sometimes after all of them."""
TENANT = "crash"
ROOT = Path(__file__).resolve().parents[2]
TLS = httpx.create_ssl_context()
"""One TLS context for every client here: httpx builds a new one (about 20 ms of CPU, loading the
CA bundle) for each client otherwise, and every request in this loop is plain HTTP on loopback."""


@dataclass
class Outcome:
    """What the loop saw and what the store holds at the end."""

    iterations: int
    acknowledged: int
    lost: int
    duplicated: int
    replays_checked: int
    retried: int
    seconds: float
    wrong_replays: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"acknowledged={self.acknowledged} lost={self.lost} duplicated={self.duplicated}"


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Servers:
    """The zygote process, and the server it forked last."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self._log = open(folder / "server.log", "ab")  # noqa: SIM115 - closed in close()
        self._zygote = subprocess.Popen(
            [sys.executable, "-m", "tests.durability.zygote"], cwd=ROOT, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log)
        self.port = free_port()
        self.pid: int | None = None

    def start(self) -> None:
        assert self._zygote.stdin is not None and self._zygote.stdout is not None
        self._zygote.stdin.write(f"{self.port}\n")
        self._zygote.stdin.flush()
        self.pid = int(self._zygote.stdout.readline())
        deadline = time.monotonic() + 30
        with httpx.Client(timeout=1, verify=TLS) as http:
            while time.monotonic() < deadline:
                with suppress(httpx.HTTPError):
                    if http.get(f"http://127.0.0.1:{self.port}/healthz").is_success:
                        return
                time.sleep(0.005)
        raise RuntimeError("the server did not start; see server.log")

    def kill(self) -> None:
        if self.pid is not None:
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            _wait_gone(self.pid)
            self.pid = None

    def close(self) -> None:
        self.kill()
        for pipe in (self._zygote.stdin, self._zygote.stdout):
            if pipe is not None:
                pipe.close()  # end of input: the zygote leaves its loop and exits
        try:
            self._zygote.wait(10)
        except subprocess.TimeoutExpired:
            self._zygote.kill()
            self._zygote.wait(10)
        self._log.close()


def _wait_gone(pid: int) -> None:
    for _ in range(2000):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.001)


def _report(number: int) -> dict[str, object]:
    return {"report_id": f"crash-{number}", "reporter": f"vidchat:viewer{number % 17}",
            "reported": f"vidchat:host{number % 5}", "session_id": f"s{number}",
            "reported_at": "2026-11-29T10:00:00Z", "reason": "asked my age"}


class Client:
    """Sends reports with keys; remembers what was acknowledged and what must be retried."""

    def __init__(self, port: int, token: str) -> None:
        self.url = f"http://127.0.0.1:{port}/v1/reports"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.acknowledged: dict[int, str] = {}
        self.pending: list[int] = []
        self.retried = 0
        self.wrong_replays: list[str] = []

    def send(self, http: httpx.Client, number: int) -> bool:
        headers = {**self.headers, "Idempotency-Key": f"key-{number}"}
        try:
            answer = http.post(self.url, json=_report(number), headers=headers)
        except httpx.HTTPError:
            return False
        if answer.status_code not in (200, 201):
            return False  # 503 while the store was busy counts as not acknowledged
        record_hash = answer.json()["records"][0]["record_hash"]
        known = self.acknowledged.get(number)
        if known is not None and known != record_hash:
            self.wrong_replays.append(f"crash-{number}")
        self.acknowledged[number] = record_hash
        return True

    def iteration(self, http: httpx.Client, numbers: list[int], rng: random.Random,
                  parallel: bool = False) -> None:
        """Send the retries, the new reports and one replay: one after another, or all at
        once from threads (``parallel``: they then share group commits)."""
        retry, self.pending = self.pending, []
        self.retried += len(retry)
        replay = [rng.choice(sorted(self.acknowledged))] if self.acknowledged else []
        sends = [*retry, *numbers, *replay]  # distinct numbers: independent requests
        if parallel:
            with ThreadPoolExecutor(len(sends)) as pool:
                sent = list(pool.map(lambda number: self.send(http, number), sends))
        else:
            sent = [self.send(http, number) for number in sends]
        self.pending += [n for n, ok in zip(sends, sent, strict=True)
                         if not ok and n not in self.acknowledged]


def run_crash_loop(folder: Path, iterations: int, seed: int = 0, *,
                   main_url: str | None = None, tenant: str = TENANT,
                   parallel: bool = False) -> Outcome:
    """Run the loop in ``folder`` (a new SQLite store there, or the store at ``main_url``) and
    count what was kept; ``parallel`` sends each iteration's requests at once."""
    started = time.monotonic()
    rng = random.Random(seed)
    main_url = main_url or f"sqlite:///{folder / 'vigil.db'}"
    with closing(open_store(main_url)) as main:
        _key, token = create_key(key_store_for(main), tenant, [Scope.INTAKE], name="crash",
                                 rate_per_s=1e6, burst=1_000_000)
    env = {**os.environ, "VIGIL_DATABASE_URL": main_url, "VIGIL_CRASH_TENANT": tenant,
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    servers = Servers(folder, env)
    client = Client(servers.port, token)
    try:
        for iteration in range(iterations):
            numbers = [iteration * REPORTS_PER_ITERATION + j for j in range(REPORTS_PER_ITERATION)]
            servers.start()
            sends = len(client.pending) + len(numbers) + 1
            killer = threading.Timer(rng.uniform(0, KILL_SPREAD * SEND_S * sends), servers.kill)
            killer.start()
            with httpx.Client(timeout=10, verify=TLS) as http:
                client.iteration(http, numbers, rng, parallel)
            killer.join()
            servers.kill()
        servers.start()
        with httpx.Client(timeout=10, verify=TLS) as http:
            for number in list(client.pending):
                client.send(http, number)
    finally:
        servers.close()
    return _count(main_url, tenant, client, iterations, time.monotonic() - started)


def _count(main_url: str, tenant: str, client: Client, iterations: int,
           seconds: float) -> Outcome:
    with closing(open_store(tenant_store_url(main_url, tenant))) as store:
        stored = Counter(str(r.report_id) for r in store.records(RecordKind.REPORT))
    acknowledged = {f"crash-{n}" for n in client.acknowledged}
    lost = len(acknowledged - set(stored))
    duplicated = sum(count - 1 for count in stored.values())
    replays = iterations - 1
    return Outcome(iterations, len(acknowledged), lost, duplicated, replays, client.retried,
                   seconds, client.wrong_replays)


def main() -> None:
    iterations = int(os.environ.get("SOAK_ITERATIONS", "1000"))
    with tempfile.TemporaryDirectory(prefix="vigil-soak-") as folder:
        outcome = run_crash_loop(Path(folder), iterations, seed=int(time.time()))
    sys.stdout.write(f"iterations={outcome.iterations} retried={outcome.retried} "
                     f"seconds={outcome.seconds:.1f}\n{outcome.line()}\n")
    if outcome.lost or outcome.duplicated or outcome.wrong_replays:
        sys.exit(1)


if __name__ == "__main__":
    main()
