"""The authorisation matrix of the workspace pages: every role x every page route x (own case,
another case of the tenant, another tenant's case) -> the expected status, from the policy table
written out in tests/accounts/test_policy.py; zero unexpected 2xx.

"own" is a case the account holds (assigned to it); "other case" a case of its tenant that
someone else holds; "other tenant" a case in another tenant's store. A refusal is 404 for another
tenant's object (nothing reveals that it exists) and 403 within the tenant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from tests.accounts.test_policy import EXPECTED_ALLOWS
from tests.web.page_world import OTHER, OWN, PageWorld, add_cases, hold, page_world
from vigil import Role
from vigil.web.pages import ROUTERS

Send = Callable[[TestClient, str, str, dict[str, str]], Response]
SCOPES = ("own", "other_case", "other_tenant")


def _post(path: str, **data: str) -> Send:
    def send(client: TestClient, case: str, me: str, headers: dict[str, str]) -> Response:
        form = {key: value.format(me=me, case=case) for key, value in data.items()}
        return client.post(path.format(case=case), data=form, headers=headers,
                           follow_redirects=False)
    return send


def _get(path: str, **query: str) -> Send:
    def send(client: TestClient, case: str, me: str, headers: dict[str, str]) -> Response:
        return client.get(path.format(case=case), params=query, follow_redirects=False)
    return send


# (method, route) -> (the policy action it needs, how to call it on a case)
PAGE_ROUTES: dict[tuple[str, str], tuple[str, Send]] = {
    ("GET", "/ui/cases/{case_id}"): ("case.view", _get("/ui/cases/{case}", why="audit test")),
    ("POST", "/ui/cases/{case_id}/claim"): ("case.claim", _post(
        "/ui/cases/{case}/claim", claim_justification="matrix test")),
    ("POST", "/ui/cases/{case_id}/release"): ("case.claim", _post("/ui/cases/{case}/release")),
    ("POST", "/ui/cases/{case_id}/confirm"): ("case.confirm", _post(
        "/ui/cases/{case}/confirm", note="agreed", viewed="no")),
    ("POST", "/ui/cases/{case_id}/dismiss"): ("case.dismiss", _post(
        "/ui/cases/{case}/dismiss", note="false alarm")),
    ("POST", "/ui/cases/{case_id}/assign"): ("case.assign", _post(
        "/ui/cases/{case}/assign", assignee="{me}", note="mine")),
    ("POST", "/ui/cases/{case_id}/note"): ("case.note", _post(
        "/ui/cases/{case}/note", text="a note")),
    ("POST", "/ui/cases/{case_id}/export"): ("case.export", _post(
        "/ui/cases/{case}/export", format="json")),
    ("POST", "/ui/cases/{case_id}/file"): ("case.file", _post(
        "/ui/cases/{case}/file", destination="partner")),
    ("POST", "/ui/cases/{case_id}/messages/{message_id}/reveal"): ("message.reveal", _post(
        "/ui/cases/{case}/messages/m-{case}/reveal", justification="checking")),
    ("POST", "/ui/queue/dismiss"): ("case.dismiss", _post(
        "/ui/queue/dismiss", case_id="{case}", justification="bulk false alarm")),
    ("GET", "/ui/cases/{case_id}/trail"): ("audit.view", _get("/ui/cases/{case}/trail")),
}
TENANT_ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/ui/queue"): "queue.view", ("GET", "/ui/status"): "bank.view",
    ("GET", "/ui/outbox"): "outbox.view",
}
"""Routes on the account's own tenant, not a case (the queue also takes ``?tenant=``)."""

ADMIN_ROUTES: dict[tuple[str, str], tuple[str, dict[str, str]]] = {
    ("GET", "/ui/admin/accounts"): ("", {}),
    ("POST", "/ui/admin/accounts"): ("", {"username": "new-{role}", "role": "reviewer"}),
    ("POST", "/ui/admin/accounts/{username}/role"): ("/{target}/role", {"role": "reviewer"}),
    ("POST", "/ui/admin/accounts/{username}/{action}"): ("/{target}/disable", {}),
}
"""The admins' account page: (path under /ui/admin/accounts, form) per route; each change is
sent for an account of the own tenant and one of another tenant (``{target}``)."""

PUBLIC_PAGES = {("GET", "/ui"), ("GET", "/ui/login"), ("POST", "/ui/login"),
                ("POST", "/ui/logout"), ("GET", "/ui/oidc/start"), ("GET", "/ui/oidc/callback"),
                ("GET", "/ui/oidc/code"), ("POST", "/ui/oidc/code")}
"""Routes any browser may reach (logout ends only the caller's own session; the OIDC steps
act only on the logon the caller's own pre-login cookie started: tests/web/test_page_oidc.py)."""


def expected(role: Role, action: str, scope: str) -> str:
    if not action.startswith(("case.", "message.")) and scope == "other_case":
        scope = "own"  # a tenant-wide right (audit.view): any case of the own tenant
    if f"{action}@{scope}" in EXPECTED_ALLOWS[role]:
        return "2xx"
    return "404" if scope == "other_tenant" else "403"


def _case(route: tuple[str, str], scope: str) -> str:
    index = sorted(PAGE_ROUTES).index(route)
    return f"case-{index}-{scope}"


@pytest.fixture(scope="module", params=list(Role), ids=lambda role: role.value)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          ) -> Iterator[tuple[Role, PageWorld]]:
    role: Role = request.param
    me = f"{role.value}-me"
    built = page_world(tmp_path_factory.mktemp(role.value),
                       {me: (role, OWN), "someone-else": (Role.ANALYST, OWN),
                        "stranger": (Role.ANALYST, OTHER), "target-own": (Role.ANALYST, OWN),
                        "target-other": (Role.ANALYST, OTHER)})
    own, other = built.tenant_store(OWN), built.tenant_store(OTHER)
    add_cases(own, [_case(r, s) for r in PAGE_ROUTES for s in ("own", "other_case")])
    add_cases(other, [_case(r, "other_tenant") for r in PAGE_ROUTES])
    for route in PAGE_ROUTES:
        hold(own, _case(route, "own"), me)
        hold(own, _case(route, "other_case"), "someone-else")
        hold(other, _case(route, "other_tenant"), me)
    assert built.log_in(me) == 303
    yield role, built
    built.client.close()


def test_every_page_route_is_in_the_matrix() -> None:
    routes = {(method, route.path) for router in ROUTERS for route in router.routes
              for method in getattr(route, "methods", set()) or set()}
    assert routes == set(PAGE_ROUTES) | set(TENANT_ROUTES) | PUBLIC_PAGES | set(ADMIN_ROUTES)


@pytest.mark.parametrize("route", sorted(PAGE_ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_the_page_authorisation_matrix(world: tuple[Role, PageWorld],
                                       route: tuple[str, str]) -> None:
    role, built = world
    action, send = PAGE_ROUTES[route]
    headers = {"X-CSRF-Token": built.csrf(), "HX-Request": "true"}
    got = {}
    for scope in SCOPES:
        answer = send(built.client, _case(route, scope), f"{role.value}-me", headers)
        got[scope] = "2xx" if 200 <= answer.status_code < 300 else str(answer.status_code)
    assert got == {scope: expected(role, action, scope) for scope in SCOPES}


@pytest.mark.parametrize("route", sorted(TENANT_ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_the_tenant_pages(world: tuple[Role, PageWorld], route: tuple[str, str]) -> None:
    role, built = world
    status = built.client.get(route[1], follow_redirects=False).status_code
    want = "2xx" if f"{TENANT_ROUTES[route]}@own" in EXPECTED_ALLOWS[role] else "403"
    assert ("2xx" if 200 <= status < 300 else str(status)) == want


def test_the_queue_of_each_tenant(world: tuple[Role, PageWorld]) -> None:
    role, built = world
    assert built.client.get("/ui/queue").status_code == 200
    assert built.client.get("/ui/queue", params={"tenant": OTHER}).status_code == 404
    page = built.client.get("/ui/queue").text
    assert "case-0-other_tenant" not in page
    shown_other = "case-0-other_case" in page
    assert shown_other == ("case.view@other_case" in EXPECTED_ALLOWS[role])


def test_a_state_change_without_the_csrf_token_is_refused(
        world: tuple[Role, PageWorld]) -> None:
    role, built = world
    case = _case(("POST", "/ui/cases/{case_id}/note"), "own")
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        answer = built.client.post(f"/ui/cases/{case}/note", data={"text": "x"},
                                   headers=headers, follow_redirects=False)
        assert answer.status_code == 403, role


def test_without_a_session_every_page_sends_to_the_login(tmp_path: Path) -> None:
    built = page_world(tmp_path, {})
    add_cases(built.tenant_store(OWN), ["case-x"])
    with built.client:
        for (method, _path), (_action, send) in PAGE_ROUTES.items():
            answer = send(built.client, "case-x", "nobody", {})
            assert answer.status_code == 303, method
            assert answer.headers["location"] == "/ui/login"
        assert built.client.get("/ui/queue", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("route", sorted(ADMIN_ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_the_account_pages(world: tuple[Role, PageWorld], route: tuple[str, str]) -> None:
    """admin.accounts on an account of the own tenant and of another; a role without the
    right gets 403 whatever the target (it learns nothing of other tenants)."""
    role, built = world
    path, form = ADMIN_ROUTES[route]
    got, want = {}, {}
    for scope, target in (("own", "target-own"), ("other_tenant", "target-other")):
        url = "/ui/admin/accounts" + path.format(target=target)
        data = {k: v.format(role=role.value) + (scope if k == "username" else "")
                for k, v in {**form, "justification": "matrix test", "csrf": built.csrf()
                             }.items()}
        answer = (built.client.get(url, follow_redirects=False) if route[0] == "GET" else
                  built.client.post(url, data=data, follow_redirects=False))
        got[scope] = "2xx" if 200 <= answer.status_code < 300 else str(answer.status_code)
        if "admin.accounts@own" not in EXPECTED_ALLOWS[role]:
            want[scope] = "403"
        elif "{target}" in path and scope == "other_tenant":
            want[scope] = "404"
        else:
            want[scope] = "2xx"  # the page and creation act on the admin's own tenant only
    assert got == want
