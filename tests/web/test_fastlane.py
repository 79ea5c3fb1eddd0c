"""The fast lane answers exactly as FastAPI does: the same requests, lane on and off, compared.

Two services over two stores built the same way get the same sequence of requests (good, bad,
unauthorised, wrong scope, other tenant, oversize, rate-limited, idempotent replay, unknown
parameters); every answer's status, headers and body, the access log lines and the request
counters must be equal. A spy behind the lane records which requests reached FastAPI, so the
test also proves the lane served the common case (and handed the others on).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.web.conftest import KNOWN, add_known_bank, report, service
from vigil import Scope as KeyScope
from vigil import Settings, create_key, verify_key
from vigil.web.app import create_app
from vigil.web.fastlane import FastLane

KEYS: dict[str, tuple[str, tuple[str, ...], float, int]] = {
    "alpha": ("alpha", ("intake", "lookup"), 1000.0, 1000),
    "alpha_lookup": ("alpha", ("lookup",), 1000.0, 1000),
    "alpha_intake": ("alpha", ("intake",), 1000.0, 1000),
    "beta": ("beta", ("intake", "lookup"), 1000.0, 1000),
    "limited": ("alpha", ("lookup", "intake"), 0.001, 2),
    "revoked": ("alpha", ("lookup",), 1000.0, 1000),
}
"""Name: tenant, scopes, rate per second, burst."""

LOOKUP = "/m/lookup"
NEAR = "f" * 15 + "e" + "0" * 48
"""One bit from :data:`KNOWN`."""


@dataclass
class World:
    """One service, its keys by name, and what reached FastAPI behind the lane."""

    client: TestClient
    tokens: dict[str, str]
    key_ids: dict[str, str]
    behind_lane: list[str] = field(default_factory=list)

    def headers(self, key: str | None, step: int, extra: dict[str, str]) -> dict[str, str]:
        sent = {"X-Request-ID": f"step{step}", **extra}
        if key == "forged":
            sent["Authorization"] = "Bearer vgl_" + "0" * 16 + "_nosecret"
        elif key is not None:
            sent["Authorization"] = f"Bearer {self.tokens[key]}"
        return sent


@pytest.fixture(params=["memory", "sqlite"])
def make_world(request: pytest.FixtureRequest, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[bool], World]]:
    monkeypatch.setattr("vigil.web.app.KEY_CACHE_S", 600.0)  # no expiry while the test runs
    opened: list[TestClient] = []

    def make(lane: bool) -> World:
        home = tmp_path / ("lane" if lane else "full")  # tenants' stores sit beside the main
        home.mkdir()
        url = "memory://" if request.param == "memory" else f"sqlite:///{home / 'vigil.db'}"
        settings = Settings(database_url=url, media_index="brute", api_max_batch=5,
                            api_max_body_bytes=4096, api_fast_lane=lane)
        client = TestClient(create_app(settings, background=False),
                            raise_server_exceptions=False).__enter__()
        opened.append(client)
        tokens, key_ids = {}, {}
        for name, (tenant, scopes, rate, burst) in KEYS.items():
            key, tokens[name] = create_key(service(client).keys, tenant,
                                           [KeyScope(s) for s in scopes], name=name,
                                           rate_per_s=rate, burst=burst)
            key_ids[name] = key.key_id
            assert verify_key(service(client).keys, tokens[name])  # read once: cached now
        add_known_bank(client, "alpha")
        world = World(client, tokens, key_ids)
        _spy_behind_lane(client, world.behind_lane, expected=lane)
        return world

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def _spy_behind_lane(client: TestClient, seen: list[str], *, expected: bool) -> None:
    """Record the request ids that pass the lane to FastAPI's router."""
    node: Any = client.app.middleware_stack  # type: ignore[attr-defined]
    while node is not None and not isinstance(node, FastLane):
        node = getattr(node, "app", None)
    assert (node is not None) == expected
    if node is None:
        return
    inner: ASGIApp = node.app

    async def spy(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            seen.append(dict(scope["headers"]).get(b"x-request-id", b"").decode())
        await inner(scope, receive, send)

    node.app = spy


Step = tuple[str | None, str, str, dict[str, Any], bool]
"""Key name, method, path, httpx arguments, whether the lane answers it itself."""


def _lookup(signal: str = KNOWN, **more: str) -> dict[str, Any]:
    return {"params": {"signal": signal, "signal_type": "pdq", **more}}


def _post(body: Any, key: str | None = None, **more: Any) -> dict[str, Any]:
    return {"json": body, "headers": {"Idempotency-Key": key} if key else {}, **more}


STEPS: list[Step] = [
    ("alpha", "GET", LOOKUP, _lookup(), True),
    ("alpha", "GET", LOOKUP, _lookup(NEAR), True),
    ("alpha", "GET", LOOKUP, _lookup("0" * 64), True),
    ("alpha", "GET", LOOKUP, _lookup(banks="known,other"), True),
    ("alpha", "GET", LOOKUP, _lookup(banks="other"), True),
    ("alpha", "GET", LOOKUP, _lookup("xyz"), True),  # HMA's 400
    ("alpha", "GET", LOOKUP, {"params": {"signal": KNOWN, "signal_type": "tmk"}}, True),
    ("alpha", "GET", LOOKUP, {"params": {"signal": KNOWN, "signal_type": "video_md5"}}, True),
    ("alpha", "GET", LOOKUP, {"params": {"signal_type": "pdq"}}, False),  # 422
    ("alpha", "GET", LOOKUP, {"params": {"signal": KNOWN}}, False),
    ("alpha", "GET", "/m/raw_lookup", _lookup(include_distance="true"), True),
    ("alpha", "GET", "/m/raw_lookup", _lookup(NEAR), True),
    (None, "GET", LOOKUP, _lookup(), False),  # 401
    ("forged", "GET", LOOKUP, _lookup(), False),
    ("alpha_intake", "GET", LOOKUP, _lookup(), False),  # 403
    ("beta", "GET", LOOKUP, _lookup(), False),  # beta's tenant not open yet
    ("beta", "GET", LOOKUP, _lookup(), True),  # other tenant: no match
    ("alpha", "POST", LOOKUP, {}, False),  # another route of the path
    ("alpha", "GET", LOOKUP + "/", _lookup(), False),
    ("alpha", "POST", "/v1/reports", _post(report(1), "k1"), True),
    ("alpha", "POST", "/v1/reports", _post(report(1), "k1"), True),  # replay
    ("alpha", "POST", "/v1/reports", _post(report(2), "k1"), True),  # 409: key reused
    ("alpha", "POST", "/v1/reports", _post(report(1)), True),  # same record id, no key
    ("alpha", "POST", "/v1/reports", _post([report(3, frame_pdqs=[KNOWN]), report(4)]), True),
    ("alpha", "POST", "/v1/reports", _post(report(5, reason="élan ✓")), True),
    ("alpha", "POST", "/v1/reports", _post({**report(6), "reporter": ""}), True),  # 422
    ("alpha", "POST", "/v1/reports", _post([report(7), {"report_id": 8}]), True),
    ("alpha", "POST", "/v1/reports", _post({**report(9), "extra": 1}, "k9"), True),
    ("alpha", "POST", "/v1/reports", _post([report(10 + n) for n in range(6)]), True),  # 413
    ("alpha", "POST", "/v1/reports", _post(report(20, reason="x" * 5000)), True),  # 413
    # chunked, no Content-Length: 413 once past the limit
    ("alpha", "POST", "/v1/reports", {"chunks": [b"[" + b" " * 3000, b" " * 3000]}, True),
    ("alpha", "POST", "/v1/reports", {"content": b"{not json"}, True),
    ("alpha", "POST", "/v1/reports", {"content": b"[]"}, True),
    ("alpha", "POST", "/v1/reports",
     {"content": (json.dumps(report(21)) + "\n" + json.dumps(report(22))).encode(),
      "headers": {"Content-Type": "application/x-ndjson"}}, True),
    ("alpha", "POST", "/v1/reports", _post(report(23), "k" * 256), False),  # 422 header
    ("alpha", "POST", "/v1/reports", _post(report(24), "k" * 255), True),
    ("alpha_lookup", "POST", "/v1/reports", _post(report(25)), False),  # 403
    (None, "POST", "/v1/reports", _post(report(25)), False),
    ("beta", "POST", "/v1/reports", _post(report(1), "k1"), True),  # other tenant: new
    ("alpha", "POST", "/v1/media/observations",
     _post({"account": "vidchat:host", "pdq": KNOWN, "observed_at": "2026-11-29T09:00:00Z",
            "observation_id": "o1"}),
     True),
    ("alpha", "POST", "/v1/messages", _post({
        "message_id": "m1", "conversation_id": "vidchat:c1", "sender": "vidchat:host",
        "recipient": "vidchat:v1", "sent_at": "2026-11-29T09:00:00Z", "text": "hi"}), True),
    ("limited", "GET", LOOKUP, _lookup(), True),
    ("limited", "POST", "/v1/reports", _post(report(30)), True),
    ("limited", "GET", LOOKUP, _lookup(), False),  # 429, Retry-After
    ("limited", "POST", "/v1/reports", _post(report(31)), False),
    ("revoked", "GET", LOOKUP, _lookup(), True),
    ("REVOKE revoked", "GET", LOOKUP, _lookup(), False),  # 401 at once
]


def _run(world: World) -> list[tuple[int, dict[str, str], bytes]]:
    answers = []
    for step, (key, method, path, arguments, _lane) in enumerate(STEPS):
        if key is not None and key.startswith("REVOKE "):
            key = key.removeprefix("REVOKE ")
            assert service(world.client).keys.revoke_key(world.key_ids[key])
        sent = dict(arguments)
        if "chunks" in sent:
            sent["content"] = iter(sent.pop("chunks"))
        sent["headers"] = world.headers(key, step, arguments.get("headers", {}))
        answer = world.client.request(method, path, **sent)
        answers.append((answer.status_code, dict(answer.headers), answer.content))
    return answers


def _log_lines(caplog: pytest.LogCaptureFixture, world: World) -> list[dict[str, Any]]:
    names = {key_id: name for name, key_id in world.key_ids.items()}
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "vigil.web.access"]
    caplog.clear()
    return [{**{k: v for k, v in line.items() if k not in {"at", "ms"}},
             "key": names.get(line["key"], line["key"])} for line in lines]


def _counters(world: World) -> list[str]:
    text = world.client.get("/metrics").text
    return sorted(line for line in text.splitlines()
                  if line.startswith("vigil_http_requests_total"))


def test_the_lane_answers_as_fastapi_does(make_world: Callable[[bool], World],
                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="vigil.web.access")
    full = make_world(False)
    expected, expected_log = _run(full), _log_lines(caplog, full)
    lane = make_world(True)
    answers, log = _run(lane), _log_lines(caplog, lane)
    for step, (want, got) in enumerate(zip(expected, answers, strict=True)):
        assert got == want, (step, STEPS[step])
    assert log == expected_log
    assert _counters(lane) == _counters(full)
    handed_on = {f"step{n}" for n, step in enumerate(STEPS) if not step[4]}
    assert {n for n in lane.behind_lane if n.startswith("step")} == handed_on
    assert answers[20][0] == 200 and answers[20][1]["idempotent-replayed"] == "true"
    assert answers[43][0] == 429 and "retry-after" in answers[43][1]
    statuses = {status for status, _, _ in answers}
    assert {200, 201, 400, 401, 403, 409, 413, 422, 429} <= statuses


def test_an_unexpected_error_in_the_lane_is_the_same_500(make_world: Callable[[bool], World],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("/srv/secret/path")

    monkeypatch.setattr("vigil.web.routes.hma.hma_lookup", broken)
    answers = []
    for lane in (False, True):
        world = make_world(lane)
        world.client.get(LOOKUP, **_lookup(), headers=world.headers("alpha", 0, {}))
        answer = world.client.get(LOOKUP, **_lookup(), headers=world.headers("alpha", 1, {}))
        answers.append((answer.status_code, dict(answer.headers), answer.content))
        assert world.behind_lane == []
    assert answers[0] == answers[1] and answers[0][0] == 500
    assert b"secret" not in answers[1][2]
