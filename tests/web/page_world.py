"""A small workspace world for the page tests: two tenants, accounts of every role, a fake
clock, and cases with one masked message each, built straight through the library."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from fastapi.testclient import TestClient

from vigil import (
    AccountService,
    Case,
    EntityRef,
    IdentityProvider,
    Reason,
    Role,
    Settings,
    Signal,
    SignalKind,
    Store,
    account_store,
    assign_and_hand_over,
    claim_store,
    confirm_case,
    open_store,
)
from vigil.records import ChatMessage
from vigil.web.app import create_app

PASSWORD = "correct horse battery"
CHEAP_HASHER = PasswordHasher.from_parameters(CHEAPEST)
OWN, OTHER = "ngo1", "ngo2"
START = datetime(2026, 11, 30, 9, 0, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_case(case_id: str) -> tuple[Case, ChatMessage]:
    """A case with one conversation signal that matched one message."""
    suspect, victim = EntityRef.of("account", "vidchat:s-" + case_id), EntityRef.of(
        "account", "vidchat:v-" + case_id)
    message = ChatMessage(conversation_id=f"vidchat:conv-{case_id}", message_id=f"m-{case_id}",
                          sender=suspect.value, recipient=victim.value,
                          sent_at=START - timedelta(days=1), text="please keep it secret")
    signal = Signal("conversation.lexicon", SignalKind.CONVERSATION, (suspect, victim), 0.8,
                    START - timedelta(days=1),
                    {"matched_messages": [{"message_id": message.message_id,
                                           "categories": {"secrecy": ["keep it secret"]}}]},
                    "secrecy asked in chat", "test-1")
    reason = Reason("indicators", 0.8, 0.5, 0.4, "secrecy asked in chat")
    return Case(case_id, (suspect, victim), (signal,), 0.4, (reason,)), message


def add_cases(store: Store, case_ids: Iterable[str]) -> None:
    built = [make_case(case_id) for case_id in case_ids]
    store.add_records([message for _case, message in built])
    store.replace_cases([case for case, _message in built])


@dataclass
class PageWorld:
    client: TestClient
    clock: FakeClock
    accounts: AccountService
    main: Store
    secrets: dict[str, str]

    def tenant_store(self, tenant: str) -> Store:
        return self.client.app.state.vigil.tenants.get(tenant).store  # type: ignore[attr-defined]

    def code(self, username: str) -> str:
        return pyotp.TOTP(self.secrets[username]).at(self.clock())

    def log_in(self, username: str, *, code: str | None = None,
               password: str = PASSWORD) -> int:
        """Log on through the form; the HTTP status of the answer (303 on success)."""
        form = self.client.get("/ui/login").text
        token = re.search(r'name="login_token" value="([^"]+)"', form)
        assert token is not None
        answer = self.client.post("/ui/login", data={
            "username": username, "password": password, "code": code or self.code(username),
            "login_token": token.group(1)}, follow_redirects=False)
        return answer.status_code

    def csrf(self) -> str:
        page = self.client.get("/ui/queue")
        found = re.search(r'data-csrf="([^"]+)"', page.text)
        assert found is not None, page.status_code
        return found.group(1)


def page_world(tmp_path: Path, usernames: dict[str, tuple[Role, str]], *,
               base_url: str = "http://testserver",
               provider: Callable[[FakeClock], IdentityProvider] | None = None,
               **changes: object) -> PageWorld:
    """A fresh app over memory stores with ``usernames`` (name -> role, tenant), offering the
    identity provider ``provider`` builds on the world's clock, if given."""
    destinations = tmp_path / "destinations.yaml"
    destinations.write_text("destinations:\n  - name: partner\n    kind: webhook\n"
                            "    url: https://partner.example/hook\n    format: json\n",
                            encoding="utf-8")
    settings = Settings(database_url="memory://", media_index="brute",
                        outbox_destinations=destinations, **changes)
    clock = FakeClock()
    main = open_store("memory://")
    accounts = AccountService(account_store(main), main, clock=clock, hasher=CHEAP_HASHER)
    secrets = {name: accounts.create_account(name, role, tenant, PASSWORD,
                                             created_by="test").secret
               for name, (role, tenant) in usernames.items()}
    app = create_app(settings, main_store=main, background=False, accounts=accounts, clock=clock,
                     identity_provider=provider(clock) if provider is not None else None)
    client = TestClient(app, raise_server_exceptions=True, base_url=base_url)
    return PageWorld(client, clock, accounts, main, secrets)


def hold(store: Store, case_id: str, holder: str) -> None:
    """Make ``holder`` the case's holder (an assignment), and confirm it so it can be exported."""
    assign_and_hand_over(claim_store(store), store, store, case_id, holder, actor="lead")
    confirm_case(store, store, case_id, actor="lead", role="analyst", note="set-up")
