"""Signing on through an identity provider, end to end through the pages, against a local fake
provider (tests/accounts/fake_idp.py): success with and without the provider's MFA, and every
refusal (nonce, audience, expiry, signature, unknown user, replayed or foreign state), each a
clear page, audited, and counted towards the lockout where a checked token names the account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from httpx import Response

from tests.accounts.fake_idp import CLIENT_ID, ISSUER, FakeIdp
from tests.web.page_world import OWN, FakeClock, PageWorld, page_world
from vigil import IdentityProvider, Role


@pytest.fixture
def idp_world(tmp_path: Path) -> Iterator[tuple[FakeIdp, PageWorld]]:
    made: dict[str, FakeIdp] = {}

    def build(clock: FakeClock) -> IdentityProvider:
        made["idp"] = FakeIdp(clock)
        return made["idp"].provider()

    world = page_world(tmp_path, {"ana": (Role.ANALYST, OWN), "off": (Role.ANALYST, OWN)},
                       provider=build)
    yield made["idp"], world
    world.client.close()


def _start(world: PageWorld) -> str:
    answer = world.client.get("/ui/oidc/start", follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"].startswith(f"{ISSUER}/auth?")
    return str(answer.headers["location"])


def _back(world: PageWorld, url: str, code: str) -> Response:
    state = parse_qs(urlsplit(url).query)["state"][0]
    return world.client.get("/ui/oidc/callback", params={"code": code, "state": state},
                            follow_redirects=False)


def _sign_in(idp: FakeIdp, world: PageWorld, username: str = "ana", **how: Any) -> Response:
    url = _start(world)
    return _back(world, url, idp.authorise(url, username, **how))


def _logons(world: PageWorld, username: str) -> list[tuple[str, str]]:
    return [(e.outcome, str(e.details.get("reason", e.details.get("mfa", ""))))
            for e in world.main.audit_events() if e.action == "logon" and e.target == username]


def test_the_login_page_offers_the_provider_only_when_configured(
        idp_world: tuple[FakeIdp, PageWorld], tmp_path: Path) -> None:
    _idp, world = idp_world
    assert "Sign in with NGO sign-in" in world.client.get("/ui/login").text
    (tmp_path / "plain").mkdir()
    plain = page_world(tmp_path / "plain", {})
    with plain.client:
        assert "Sign in with" not in plain.client.get("/ui/login").text
        assert plain.client.get("/ui/oidc/start", follow_redirects=False).status_code == 404


def test_a_provider_that_did_mfa_starts_the_session(idp_world: tuple[FakeIdp, PageWorld],
                                                    ) -> None:
    idp, world = idp_world
    url = _start(world)
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["client_id"] == [CLIENT_ID]
    answer = _back(world, url, idp.authorise(url, "ana", amr=["pwd", "otp", "mfa"]))
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/queue"
    assert "ana · analyst" in world.client.get("/ui/queue").text
    assert _logons(world, "ana") == [("success", "idp")]


def test_es256_tokens_are_checked_too(idp_world: tuple[FakeIdp, PageWorld]) -> None:
    idp, world = idp_world
    assert _sign_in(idp, world, amr=["mfa"], key="ec").headers["location"] == "/ui/queue"


def test_without_the_providers_mfa_vigil_asks_for_its_totp_code(
        idp_world: tuple[FakeIdp, PageWorld]) -> None:
    idp, world = idp_world
    answer = _sign_in(idp, world)
    assert answer.headers["location"] == "/ui/oidc/code"
    assert world.client.get("/ui/queue", follow_redirects=False).status_code == 303  # not yet
    form = world.client.get("/ui/oidc/code").text
    token = form.split('name="token" value="')[1].split('"')[0]
    wrong = world.client.post("/ui/oidc/code", data={"code": "000000", "token": token},
                              follow_redirects=False)
    assert wrong.status_code == 401 and "did not log you on" in wrong.text
    right = world.client.post("/ui/oidc/code", data={"code": world.code("ana"), "token": token},
                              follow_redirects=False)
    assert right.status_code == 303 and right.headers["location"] == "/ui/queue"
    assert world.client.get("/ui/queue").status_code == 200
    assert [o for o, _why in _logons(world, "ana")] == ["failed", "success"]
    assert world.accounts.accounts()[0].failed_logons == ()


@pytest.mark.parametrize(("spoil", "says"), [
    ({"nonce": "not-the-nonce"}, "nonce"),
    ({"aud": "another-client"}, "aud"),
    ({"iss": "https://evil.example"}, "iss"),
    ({"exp": "late"}, "exp"),
    ({"key": "stranger"}, "signature"),
], ids=["wrong nonce", "wrong audience", "wrong issuer", "expired", "bad signature"])
def test_a_token_that_fails_a_check_is_refused_audited_and_counted(
        idp_world: tuple[FakeIdp, PageWorld], spoil: dict[str, Any], says: str) -> None:
    idp, world = idp_world
    if spoil.get("exp") == "late":
        spoil = {"exp": int(world.clock().timestamp()) - 120}  # past the 60 s leeway
        says = "expired"
    answer = _sign_in(idp, world, amr=["mfa"], **spoil)
    assert answer.status_code == 401 and says in answer.text
    assert "did not work" in answer.text and "vigil_session" not in answer.cookies
    assert world.client.get("/ui/queue", follow_redirects=False).status_code == 303
    refused = _logons(world, "ana") if says != "signature" else _logons(world, "unknown")
    assert len(refused) == 1 and says in refused[0][1]
    counted = world.accounts.accounts()[0].failed_logons
    assert len(counted) == (0 if says == "signature" else 1)  # a forged token names nobody


def test_an_unknown_user_is_refused_and_audited(idp_world: tuple[FakeIdp, PageWorld]) -> None:
    idp, world = idp_world
    answer = _sign_in(idp, world, "mallory", amr=["mfa"])
    assert answer.status_code == 401 and "no open local account" in answer.text
    assert _logons(world, "mallory")[0][0] == "denied"


def test_a_replayed_or_foreign_state_is_refused(idp_world: tuple[FakeIdp, PageWorld]) -> None:
    idp, world = idp_world
    url = _start(world)
    code = idp.authorise(url, "ana", amr=["mfa"])
    assert _back(world, url, code).status_code == 303
    replay = _back(world, url, code)
    assert replay.status_code == 400 and "finished already" in replay.text
    other = _start(world)
    forged = world.client.get("/ui/oidc/callback", follow_redirects=False,
                              params={"code": idp.authorise(other, "ana"), "state": "guess"})
    assert forged.status_code == 400 and "state" in forged.text
    assert idp.token_calls == 1  # neither refusal reached the provider


def test_five_refused_tokens_lock_the_account(idp_world: tuple[FakeIdp, PageWorld]) -> None:
    idp, world = idp_world
    for _ in range(5):
        assert _sign_in(idp, world, amr=["mfa"], nonce="wrong").status_code == 401
    assert world.accounts.accounts()[0].locked
    assert _sign_in(idp, world, amr=["mfa"]).status_code == 401
    assert any(e.action == "account.lock" for e in world.main.audit_events())
