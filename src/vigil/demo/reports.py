"""Panic-button reports of the demo world: the ones that point at a ring, and everyday noise.

A real report queue is mostly noise (spam, rudeness, scams), and the few reports that matter often
carry the only frame of evidence; so ring reports come from a victim's account or a bystander who
landed in a facilitator's stream, some with the frame hashes of what was on screen, while noise
reports name benign accounts with reasons no analyst would escalate.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

from vigil.demo.actors import Person
from vigil.records import PanicReport

BYSTANDER_REASONS = ("minor at risk", "child in danger during call", "possible exploitation")
VICTIM_REASONS = ("asked my age and to keep it secret", "threatened to share my photos",
                  "made me uncomfortable")
NOISE_REASONS = ("spam", "rude language", "scam link", "fake profile", "spam")


class ReportDesk:
    """Numbers reports and call sessions in the order they are filed."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._count = 0

    def file(self, reporter: Person, reported: Person, at: datetime, reason: str,
             frame_pdqs: Sequence[str] = ()) -> PanicReport:
        """A report by ``reporter`` about ``reported`` during a call, with what was on screen."""
        if reporter.account is None or reported.account is None:
            raise ValueError("reports are filed between platform accounts")
        self._count += 1
        return PanicReport(
            report_id=f"rep-{self._count:05d}", reporter=reporter.account,
            reported=reported.account, session_id=f"call-{self._rng.getrandbits(40):010x}",
            reported_at=at, reason=reason, frame_pdqs=tuple(frame_pdqs),
            reported_ip=reported.ip, reported_device=reported.device)

    def bystander(self, reporter: Person, facilitator: Person, at: datetime,
                  frame_pdqs: Sequence[str]) -> PanicReport:
        """Someone who landed in a facilitator's stream and pressed the button."""
        return self.file(reporter, facilitator, at, self._rng.choice(BYSTANDER_REASONS),
                         frame_pdqs)

    def victim(self, victim: Person, buyer: Person, at: datetime) -> PanicReport:
        """A victim's account reporting a buyer who contacted it."""
        return self.file(victim, buyer, at, self._rng.choice(VICTIM_REASONS))

    def noise(self, reporter: Person, reported: Person, at: datetime) -> PanicReport:
        return self.file(reporter, reported, at, self._rng.choice(NOISE_REASONS))
