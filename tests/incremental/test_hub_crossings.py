"""Incremental runs equal full runs when hubs cross their limit between runs.

With a low hub limit for payment accounts and phones, beneficiaries shared by a few senders
become hubs as batches arrive: the cases they held together split, other payments merge cases,
and reviewed cases pass their state on. Each incremental run must leave what a full run leaves
(ids, members, priorities, reasons, review state), while rebuilding only the cases it touched.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.incremental.helpers import add_batch, check_batches, pair, split_batches
from vigil.records import Record
from vigil.settings import Settings
from vigil.testing.scale_payments import payment_batches, payments_of

pytestmark = pytest.mark.heavy(seconds=60)

AS_OF = datetime(2024, 7, 1, tzinfo=UTC)


def _payments(total: int) -> list[Record]:
    return list(payments_of(next(payment_batches(total, seed=3))))


def _low_limits(folder: Path, limit: int) -> Settings:
    path = folder / f"linking-{limit}.yaml"
    path.write_text(f"version: 1\ndefault_max_degree: 12\nmax_degree:\n"
                    f"  payment_account: {limit}\n  phone: {limit}\n", "utf-8")
    return Settings(linking_config=path)


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(2, 6), batches=st.integers(2, 4), seed=st.integers(0, 2**16),
       review=st.booleans(), moving=st.booleans())
def test_low_hub_limits_in_batches(tmp_path: Path, limit: int, batches: int, seed: int,
                                   review: bool, moving: bool) -> None:
    """``moving``: no fixed ``as_of``, so a batch with a newer payment moves every case's
    recency (kept cases are re-scored, not relinked)."""
    check_batches(_payments(1500), None, batches, seed, None if moving else AS_OF, review,
                  _low_limits(tmp_path, limit))


def test_a_moving_moment_rescores_kept_cases(tmp_path: Path) -> None:
    payments = sorted(_payments(1500), key=lambda p: p.sent_at)
    incremental, full = pair(None, None, _low_limits(tmp_path, 4))
    for batch in (payments[:1000], payments[1000:]):
        for runner in (incremental, full):
            add_batch(runner.records, batch)
        assert incremental.run() == full.run()
    last = [e for e in incremental.store.audit_events() if e.action == "run"][-1].details
    assert isinstance(last["cases_rebuilt"], int)


def test_splits_and_merges_are_rebuilt_alone_and_logged(tmp_path: Path) -> None:
    """Limit 4 (3 before a hub's counterparties stopped being joined through a fan-in signal
    about it: at 3 those batches now merge cases but split none)."""
    incremental, full = pair(None, AS_OF, _low_limits(tmp_path, 4))
    for batch in split_batches(_payments(1500), 3, 11):
        for runner in (incremental, full):
            add_batch(runner.records, batch)
        assert incremental.run() == full.run()
    events = incremental.store.audit_events()
    actions = {e.action for e in events}
    assert {"merge_cases", "split_case"} <= actions
    last = [e for e in events if e.action == "run"][-1].details
    assert isinstance(last["cases_rebuilt"], int)
    assert 0 < last["cases_rebuilt"] < last["cases"]
