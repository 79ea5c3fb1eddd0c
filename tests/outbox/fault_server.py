"""A fault-injecting receiver on 127.0.0.1: it files each delivery once per Idempotency-Key.

Each request meets the next fault of a seeded plan: ``ok``, ``error`` (503), ``slow`` (answers
after the client's timeout), ``truncated`` (promises more bytes than it sends), ``lost_ack``
(files, then answers 500 as if the answer was lost), ``bad_ack`` (200 without the echo),
``refuse`` (400). A repeat of a filed key is acknowledged again without a second filing.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ("ok", "error", "slow", "truncated", "lost_ack", "bad_ack")


class Receiver:
    """What the server saw: filings per key (a second filing would be a duplicate)."""

    def __init__(self, plan: Iterator[str], slow_s: float) -> None:
        self.plan, self.slow_s = plan, slow_s
        self.filings: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self.headers: list[dict[str, str]] = []
        self.lock = threading.Lock()

    def next_fault(self) -> str:
        with self.lock:
            return next(self.plan)

    def file(self, key: str) -> None:
        with self.lock:
            if self.filings[key] == 0:  # a repeat is acknowledged, never filed again
                self.filings[key] += 1


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            key = self.headers.get("Idempotency-Key", "")
            with receiver.lock:
                receiver.requests[key] += 1
                receiver.headers.append(dict(self.headers.items()))
            fault = receiver.next_fault()
            if fault in ("ok", "slow", "truncated", "lost_ack"):
                receiver.file(key)
            if fault == "slow":
                time.sleep(receiver.slow_s)
            if fault == "refuse":
                return self._answer(400, b'{"error": "bad report"}')
            if fault in ("error", "lost_ack"):
                return self._answer(503 if fault == "error" else 500, b"oops")
            body = json.dumps({"delivery_id": key if fault != "bad_ack" else "other",
                               "report": f"r-{key[:8]}"}).encode()
            if fault == "truncated":
                return self._answer(200, body[: len(body) // 2], length=len(body))
            self._answer(200, body)

        def _answer(self, status: int, body: bytes, length: int | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(length or len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
            except OSError:
                pass  # the client gave up (timeout); the filing above still stands
            self.close_connection = True

    return Handler


def seeded_plan(seed: int, faults: tuple[str, ...] = FAULTS) -> Iterator[str]:
    rng = random.Random(seed)
    while True:
        yield rng.choice(faults)


@contextmanager
def fault_server(plan: Iterator[str], slow_s: float = 0.5) -> Iterator[tuple[str, Receiver]]:
    """A running server's URL and its receiver; stopped on exit."""
    receiver = Receiver(plan, slow_s)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/reports", receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
