"""Session rules through the pages, with a fake clock: lockout after 5 failed logons in 15
minutes, idle timeout 30 minutes, lifetime 12 hours, logout ends the session on the server;
cookie flags and the security headers of every page; the reveal cap's break prompt."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.page_world import OWN, PageWorld, add_cases, hold, page_world
from vigil import Role


@pytest.fixture
def world(tmp_path: Path) -> PageWorld:
    built = page_world(tmp_path, {"ana": (Role.ANALYST, OWN)}, reveal_daily_cap=1)
    add_cases(built.tenant_store(OWN), ["case-a"])
    hold(built.tenant_store(OWN), "case-a", "ana")
    return built


def _queue(world: PageWorld) -> int:
    return world.client.get("/ui/queue", follow_redirects=False).status_code


def test_five_failures_in_fifteen_minutes_lock_the_account(world: PageWorld) -> None:
    for _ in range(5):
        assert world.log_in("ana", code="000000") == 401
        world.clock.advance(minutes=2)
    world.clock.advance(minutes=1)
    assert world.log_in("ana") == 401  # the right code, but the account is locked
    assert "locked" not in world.client.get("/ui/login").text  # the page never says why


def test_failures_spread_out_do_not_lock(world: PageWorld) -> None:
    for _ in range(5):
        assert world.log_in("ana", password="wrong password") == 401
        world.clock.advance(minutes=4)
    assert world.log_in("ana") == 303


def test_idle_for_thirty_minutes_ends_the_session(world: PageWorld) -> None:
    assert world.log_in("ana") == 303
    world.clock.advance(minutes=29)
    assert _queue(world) == 200
    world.clock.advance(minutes=30, seconds=1)
    assert _queue(world) == 303
    world.clock.advance(seconds=1)
    assert _queue(world) == 303  # ended for good, not only while idle


def test_a_session_ends_twelve_hours_after_logon_even_in_use(world: PageWorld) -> None:
    assert world.log_in("ana") == 303
    for _ in range(35):  # active every 20 minutes for 11 h 40 min
        world.clock.advance(minutes=20)
        assert _queue(world) == 200
    world.clock.advance(minutes=20, seconds=1)
    assert _queue(world) == 303


def test_logout_invalidates_the_session_on_the_server(world: PageWorld) -> None:
    assert world.log_in("ana") == 303
    stolen = world.client.cookies.get("vigil_session")
    answer = world.client.post("/ui/logout", data={"csrf": world.csrf()},
                               follow_redirects=False)
    assert answer.status_code == 303
    assert _queue(world) == 303
    world.client.cookies.set("vigil_session", stolen or "", path="/ui")
    assert _queue(world) == 303  # the same id, presented again, is refused


def test_session_cookie_flags(tmp_path: Path) -> None:
    built = page_world(tmp_path, {"ana": (Role.ANALYST, OWN)}, base_url="https://testserver")
    form = built.client.get("/ui/login").text
    token = re.search(r'name="login_token" value="([^"]+)"', form)
    assert token is not None
    answer = built.client.post("/ui/login", follow_redirects=False, data={
        "username": "ana", "password": "correct horse battery", "code": built.code("ana"),
        "login_token": token.group(1)})
    cookie = next(v for v in answer.headers.get_list("set-cookie")
                  if v.startswith("vigil_session="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=strict", "path=/ui"} <= flags


def test_login_without_its_form_token_is_refused(world: PageWorld) -> None:
    answer = world.client.post("/ui/login", data={
        "username": "ana", "password": "correct horse battery", "code": world.code("ana")},
        follow_redirects=False)
    assert answer.status_code in (400, 422)
    assert "vigil_session" not in world.client.cookies


def test_every_page_has_the_security_headers(world: PageWorld) -> None:
    assert world.log_in("ana") == 303
    for path in ("/ui/login", "/ui/queue", "/ui/cases/case-a?why=checking",
                 "/ui/cases/case-a"):
        headers = world.client.get(path).headers
        assert headers["cache-control"] == "no-store", path
        assert headers["x-frame-options"] == "DENY"
        csp = headers["content-security-policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_reveals_past_the_daily_cap_prompt_a_break(world: PageWorld) -> None:
    assert world.log_in("ana") == 303
    headers = {"X-CSRF-Token": world.csrf(), "HX-Request": "true"}
    url = "/ui/cases/case-a/messages/m-case-a/reveal"
    first = world.client.post(url, data={"justification": "checking"}, headers=headers)
    assert "please keep it secret" in first.text and "take a break" not in first.text
    second = world.client.post(url, data={"justification": "checking again"}, headers=headers)
    assert "Reveal 2 of 1 today." in second.text and "take a break" in second.text
    refused = world.client.post(url, data={"justification": " "}, headers=headers)
    assert refused.status_code == 422 and "please keep it secret" not in refused.text
    other = world.client.post("/ui/cases/case-a/messages/m-elsewhere/reveal",
                              data={"justification": "x"}, headers=headers)
    assert other.status_code == 404


def test_opening_a_case_asks_why_before_showing_it(world: PageWorld) -> None:
    assert world.log_in("ana") == 303
    form = world.client.get("/ui/cases/case-a").text
    assert "Justification" in form and "secrecy asked in chat" not in form
    page = world.client.get("/ui/cases/case-a", params={"why": "triage"}).text
    assert "secrecy asked in chat" in page and "please keep it secret" not in page
    views = [e for e in world.tenant_store(OWN).audit_events() if e.action == "view_case"]
    assert [(e.actor, e.justification) for e in views] == [("ana", "triage")]
