"""Every PDQ index hands back a paused bank entry as paused, so bank policies hold its matches
back whichever index is configured (the segmented indexes used to drop the pause)."""

from datetime import UTC, datetime

import pytest

from vigil.media.banks.matcher import BankMatcher
from vigil.media.banks.query import match_variants, police
from vigil.media.banks.records import BankEntry, BankInfo

PAUSED = BankEntry("known", "ab" * 32, "pdq", "x", "list", enabled=False, state_reason="flood",
                   state_by="flood check")
ACTIVE = BankEntry("known", "cd" * 32, "pdq", "y", "list")


@pytest.mark.parametrize("index", ["brute", "mih"])
def test_paused_entries_stay_paused_in_every_index(index: str) -> None:
    banks = [BankInfo("known")]
    matcher = BankMatcher(banks, [PAUSED, ACTIVE], index)
    assert [m.entry for m in matcher.match("pdq", PAUSED.hash)] == [PAUSED]
    found = match_variants(matcher, "pdq", [("r0", PAUSED.hash)])
    outcome = police(found, {b.name: b for b in banks}, None, datetime.now(UTC))
    assert outcome.kept == [] and "paused (flood)" in outcome.suppressed[0].reason
    assert [m.entry for m in matcher.match("pdq", ACTIVE.hash)] == [ACTIVE]
