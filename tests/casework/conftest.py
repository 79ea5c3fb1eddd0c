"""The demo world, run once per session into a memory store, with a little review history.

The scenario the view tests read: the top case viewed, noted and confirmed, the second dismissed,
and two deliveries of the top case in the outbox, one pending and one dead. Tests only read this
store; a test that changes state builds a store of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from vigil.audit import AuditEvent
from vigil.confirmation import confirm_case, dismiss_case
from vigil.demo.files import write_world
from vigil.demo.run import load_world
from vigil.demo.world import World, generate_world
from vigil.model import Case
from vigil.outbox.model import Delivery
from vigil.registry import Registry, load_registry
from vigil.review import add_case_note, open_case
from vigil.runs import run
from vigil.settings import Settings
from vigil.store.interfaces import Store
from vigil.store.open import open_store

NOW = datetime(2026, 7, 4, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Demo:
    world: World
    store: Store
    registry: Registry
    cases: list[Case]


def _delivery(case_id: str, name: str, created: datetime) -> Delivery:
    return Delivery(id=f"dlv-{name}", destination="hotline", format="json",
                    case_ids=(case_id,), sha256="0" * 64, payload="{}",
                    media_type="application/json", created_at=created, next_attempt_at=created)


def _history(store: Store, cases: list[Case]) -> None:
    top, second = cases[0].id, cases[1].id
    open_case(store, store, top, actor="ana", reason="morning queue")
    add_case_note(store, store, top, "payments match the chat's price talk", actor="ana")
    confirm_case(store, store, top, actor="ana", role="analyst", note="corroborated by 4 kinds",
                 now=NOW)
    dismiss_case(store, store, second, actor="ben", note="family remittances", now=NOW)
    for name, offset in (("pending", 1), ("dead", 2)):
        delivery = _delivery(top, name, NOW + timedelta(minutes=offset))
        store.enqueue_delivery(delivery, AuditEvent("ana", "enqueue", delivery.id, NOW,
                                                    case_id=top))
    dead = store.delivery("dlv-dead")
    assert dead is not None
    store.save_delivery(dead.failed("HTTP 410 from hotline", NOW, None), AuditEvent(
        "system:outbox", "dead_letter", dead.id, NOW, case_id=top, outcome="failed",
        justification="HTTP 410 from hotline"))


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    world = generate_world(7, scale=0.25)
    files = write_world(world, Path(tmp_path_factory.mktemp("world")))
    store = open_store("memory://")
    registry = load_registry()
    load_world(store, files, registry)
    run(store, Settings(), registry, as_of=world.end)
    cases = store.cases()
    _history(store, cases)
    return Demo(world, store, registry, store.cases())


@pytest.fixture(scope="session")
def partials() -> Environment:
    """The partial templates as the workspace pages load them: autoescaped, and strict about
    undefined names, so a partial cannot lean on a name its context lacks."""
    return Environment(loader=PackageLoader("vigil.web", "templates"),
                       autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)
