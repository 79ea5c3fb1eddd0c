"""Incremental runs after each arrival batch of a generated payment world leave what full runs
leave (the same check as :mod:`tests.incremental.test_incremental_equals_full`, which holds the
demo world's): on the default pack and on the R1-R5 pack.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.incremental.helpers import check_batches
from vigil.records import Record
from vigil.settings import Settings
from vigil.testing.scale_payments import payment_batches, payments_of

pytestmark = pytest.mark.heavy(seconds=150)


@pytest.mark.parametrize("pack", [None, Path("payment_rules.yaml")], ids=["R1-R16", "R1-R5"])
@settings(max_examples=4, deadline=None, derandomize=True)
@given(batches=st.integers(2, 4), seed=st.integers(0, 2**16), review=st.booleans())
def test_generated_payments_in_batches(batches: int, seed: int, review: bool,
                                       pack: Path | None) -> None:
    """On the default pack (R15 keyed payer: its findings and the typology score follow the
    senders of every beneficiary new payments reach) and on the R1-R5 pack."""
    payments: list[Record] = list(payments_of(next(payment_batches(4000, seed=3))))
    check_batches(payments, None, batches, seed, datetime(2024, 7, 1, tzinfo=UTC), review,
                  Settings() if pack is None else Settings(payment_rules=pack))
