"""Incremental runs equal full runs when a fan-in beneficiary crosses the hub limit.

Below the limit an R4 fan-in signal joins the beneficiary's senders in one case (the
beneficiary is an ordinary identifier); once more senders make it a hub, the signal joins none of
them (:func:`vigil.linking.edge_subjects`), so that case splits, and each sender's case, which
does not name the beneficiary, must be relinked too. The incremental run must leave what a full
run leaves after each batch.
"""

from __future__ import annotations

from pathlib import Path

from tests.incremental.helpers import REGISTRY, Runner, add_batch
from tests.payments.helpers import pay
from vigil.model import Case
from vigil.records import Payment, Record
from vigil.settings import Settings
from vigil.store.memory import MemoryStore

HUB = "gcash:hub"


def _sender(number: int, day: float) -> list[Payment]:
    """Sender ``number`` pays the hub once and its own beneficiary three times."""
    sender, name = f"bank:s{number}", f"Al Name{number}"
    own = [pay(f"own{number}-{i}", day + i, sender=sender, sender_name=name,
               beneficiary=f"gcash:own{number}", beneficiary_name=f"Bo Name{number}")
           for i in range(3)]
    return [pay(f"hub{number}", day, sender=sender, sender_name=name, beneficiary=HUB,
                beneficiary_name="Liza Ramos"), *own]


def _fan_in_case(cases: list[Case]) -> Case:
    """The case of the R4 signal about the hub."""
    return next(c for c in cases for s in c.signals
                if s.evidence.get("rule") == "R4" and any(e.value == HUB for e in s.subjects))


def test_a_fan_in_beneficiary_crossing_the_hub_limit(tmp_path: Path) -> None:
    path = tmp_path / "linking.yaml"
    path.write_text("version: 1\nmax_degree:\n  payment_account: 4\n", "utf-8")
    settings = Settings(linking_config=path)
    incremental_store, full_store = MemoryStore(), MemoryStore()
    incremental = Runner(incremental_store, incremental_store, settings, REGISTRY, False, None)
    full = Runner(full_store, full_store, settings, REGISTRY, True, None)
    batches: list[list[Record]] = [[p for n in range(3) for p in _sender(n, n)],
                                   [p for n in range(3, 6) for p in _sender(n, n)]]
    joined = []
    for batch in batches:
        for store in (incremental_store, full_store):
            add_batch(store, batch)
        assert incremental.run() == full.run()
        case = _fan_in_case(incremental_store.cases())
        joined.append(sorted(e.value for e in case.entities if e.value.startswith("bank:")))
    assert joined[0] == ["bank:s0", "bank:s1", "bank:s2"]
    assert joined[1] == []
    last = [e for e in incremental_store.audit_events() if e.action == "run"][-1].details
    assert isinstance(last["cases_rebuilt"], int)
