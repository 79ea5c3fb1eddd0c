"""The admins' account page through the pages: create (credentials shown once, and they work),
change role, disable and enable, unlock, reset TOTP, each audited with its justification; and
the refusals (no justification, one's own account, another tenant's account, no CSRF token)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from httpx import Response

from tests.web.page_world import OTHER, OWN, PageWorld, page_world
from vigil import Role


@pytest.fixture
def world(tmp_path: Path) -> Iterator[PageWorld]:
    built = page_world(tmp_path, {"boss": (Role.ADMIN, OWN), "ana": (Role.ANALYST, OWN),
                                  "far": (Role.ANALYST, OTHER)})
    assert built.log_in("boss") == 303
    yield built
    built.client.close()


def _post(world: PageWorld, path: str, **form: str) -> Response:
    return world.client.post(f"/ui/admin/accounts{path}", data={"csrf": world.csrf(), **form},
                             follow_redirects=False)


def _audited(world: PageWorld, action: str) -> list[tuple[str, str, str]]:
    return [(e.actor, e.target, e.justification) for e in world.main.audit_events()
            if e.action == action]


def test_the_page_lists_the_own_tenants_accounts(world: PageWorld) -> None:
    page = world.client.get("/ui/admin/accounts").text
    assert 'id="account-ana"' in page and 'id="account-boss"' in page
    assert "far" not in page  # another tenant's account
    assert "2026-11-30 09:00 UTC" in page  # boss's last logon
    assert 'href="/ui/admin/accounts"' in page  # in the nav


def test_a_created_accounts_one_time_credentials_work(world: PageWorld) -> None:
    answer = _post(world, "", username="rev", role="reviewer", justification="new starter")
    assert answer.status_code == 200
    password = re.search(r'id="new-password">([^<]+)<', answer.text)
    secret = re.search(r'id="new-secret">([^<]+)<', answer.text)
    assert password and secret and "otpauth://totp/" in answer.text
    assert _audited(world, "account.create")[-1] == ("boss", "rev", "new starter")
    rev = [a for a in world.accounts.accounts() if a.username == "rev"][0]
    assert rev.role == Role.REVIEWER and rev.tenant == OWN
    assert password.group(1) not in world.client.get("/ui/admin/accounts").text  # once only
    world.client.cookies.clear()
    world.secrets["rev"] = secret.group(1)
    assert world.log_in("rev", password=password.group(1)) == 303


def test_role_disable_enable_unlock_and_totp_reset(world: PageWorld) -> None:
    assert _post(world, "/ana/role", role="auditor", justification="moved").status_code == 200
    assert _post(world, "/ana/disable", justification="left").status_code == 200
    ana = [a for a in world.accounts.accounts() if a.username == "ana"][0]
    assert ana.role == Role.AUDITOR and ana.disabled
    assert _post(world, "/ana/enable", justification="back").status_code == 200
    for _ in range(5):
        _fail(world, "ana")
    assert "locked" in world.client.get("/ui/admin/accounts").text
    assert _post(world, "/ana/unlock", justification="called me").status_code == 200
    old = world.secrets["ana"]
    answer = _post(world, "/ana/totp", justification="lost phone")
    new = re.search(r'id="new-secret">([^<]+)<', answer.text)
    assert new and new.group(1) != old
    events = [(e.action, e.justification) for e in world.main.audit_events()
              if e.target == "ana" and e.actor == "boss"]
    assert events == [("account.role", "moved"), ("account.disable", "left"),
                      ("account.enable", "back"), ("account.unlock", "called me"),
                      ("account.totp_reset", "lost phone")]
    world.client.cookies.clear()
    world.clock.advance(seconds=60)
    assert world.log_in("ana") == 401  # the old secret's code
    world.secrets["ana"] = new.group(1)
    assert world.log_in("ana", code=pyotp.TOTP(new.group(1)).at(world.clock())) == 303


def _fail(world: PageWorld, username: str) -> None:
    from vigil import LoginRefused

    with pytest.raises(LoginRefused):
        world.accounts.login(username, "wrong password", "000000")


def test_refusals(world: PageWorld) -> None:
    assert _post(world, "/ana/disable", justification=" ").status_code == 422
    assert _post(world, "/boss/disable", justification="oops").status_code == 422
    assert _post(world, "/boss/role", role="analyst", justification="oops").status_code == 422
    assert _post(world, "/far/disable", justification="not mine").status_code == 404
    assert _post(world, "/nobody/unlock", justification="who").status_code == 404
    assert _post(world, "", username="bad name!", justification="x").status_code == 422
    assert _post(world, "", username="ana", justification="again").status_code == 422
    no_csrf = world.client.post("/ui/admin/accounts/ana/disable",
                                data={"justification": "forged"}, follow_redirects=False)
    assert no_csrf.status_code == 403
    assert not [a for a in world.accounts.accounts() if a.disabled]
