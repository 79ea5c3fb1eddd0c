"""The HTTP layer's CPU per request, in-process: the ASGI app called in a loop, no socket.

Steadier than ``bench_api.py`` on a busy machine (no other process between client and server):
``time.process_time()`` per ``GET /m/lookup`` and per ``POST /v1/reports`` (16 at a time, the
group-commit thread included) against a bank of ``--bank-size`` random PDQ hashes (``mih``,
SQLite). Compare code or settings by running it alternately, e.g. with
``VIGIL_API_FAST_LANE=false`` or another ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
import uuid
from typing import Any

from vigil import BankEntry, BankInfo, Scope, Settings, create_key
from vigil.web.app import create_app

REPORT = {"reporter": "vidchat:v1", "reported": "vidchat:host", "session_id": "s1",
          "reported_at": "2026-11-29T10:00:00Z", "reason": "asked my age"}


def build(folder: str, bank_size: int) -> tuple[Any, list[tuple[bytes, bytes]], list[str]]:
    app = create_app(Settings(database_url=f"sqlite:///{folder}/vigil.db", media_index="mih",
                              intake_rerun_delay_s=600), background=False)
    state = app.state.vigil
    _key, token = create_key(state.keys, "bench", [Scope.INTAKE, Scope.LOOKUP],
                             rate_per_s=1e9, burst=10**9)
    tenant = state.tenants.get("bench")
    rng = random.Random(1)
    hashes = [f"{rng.getrandbits(256):064x}" for _ in range(bank_size)]
    tenant.store.add_bank(BankInfo("bench"))
    for start in range(0, bank_size, 50_000):
        tenant.store.add_bank_entries([BankEntry("bench", h, "pdq")
                                       for h in hashes[start:start + 50_000]])
    tenant.intake.lookups.invalidate()
    tenant.intake.lookups.get()
    return app, [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())], hashes


async def call(app: Any, auth: list[tuple[bytes, bytes]], method: str, path: str,
               query: bytes = b"", body: bytes = b"",
               headers: tuple[tuple[bytes, bytes], ...] = ()) -> int:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
               "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
               "query_string": query, "root_path": "", "headers": [*auth, *headers],
               "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {}},
              receive, send)
    status: int = sent[0]["status"]
    return status


async def measure(app: Any, auth: list[tuple[bytes, bytes]], hashes: list[str],
                  count: int) -> None:
    queries = [f"signal={h}&signal_type=pdq".encode() for h in hashes[:200]]
    for query in queries[:50]:  # warm
        await call(app, auth, "GET", "/m/lookup", query)
    began = time.process_time()
    for n in range(count):
        assert await call(app, auth, "GET", "/m/lookup", queries[n % 200]) == 200
    print(f"lookups: {(time.process_time() - began) / count * 1000:.3f} ms CPU / request")

    async def post() -> None:
        body = json.dumps({**REPORT, "report_id": f"r{uuid.uuid4().hex}"}).encode()
        assert await call(app, auth, "POST", "/v1/reports", body=body, headers=(
            (b"content-type", b"application/json"),
            (b"idempotency-key", uuid.uuid4().hex.encode()))) == 201

    began = time.process_time()
    for _ in range(0, count, 16):
        await asyncio.gather(*(post() for _ in range(16)))
    print(f"reports: {(time.process_time() - began) / (count // 16 * 16) * 1000:.3f} ms CPU / "
          "request (16 at a time, commit thread included)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bank-size", type=int, default=100_000)
    parser.add_argument("--count", type=int, default=3_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app, auth, hashes = build(folder, args.bank_size)

        async def run() -> None:
            async with app.router.lifespan_context(app):
                await measure(app, auth, hashes, args.count)

        asyncio.run(run())


if __name__ == "__main__":
    main()
