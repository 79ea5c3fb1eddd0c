"""A generated transfer, priced in the sender's currency, and how the world records who is who."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from vigil.demo.payworld.parties import Account


@dataclass(frozen=True)
class Txn:
    """One transfer before it gets an id: the canonical CSV row minus ``txn_id``."""

    sender: Account
    beneficiary: Account
    sent_at: datetime
    amount_usd: float
    reference: str = ""
    channel: str = ""

    def row(self, txn_id: str) -> dict[str, str]:
        """The canonical payment CSV row (docs/payments.md), amounts in the sender's currency."""
        country = self.sender.country
        amount = round(self.amount_usd / country.usd_per_unit, 2)
        return {
            "txn_id": txn_id, "sender": self.sender.account,
            "beneficiary": self.beneficiary.account, "amount": f"{amount:.2f}",
            "currency": country.currency,
            "amount_usd": f"{round(amount * country.usd_per_unit, 2):.2f}",
            "sender_country": country.code, "beneficiary_country": self.beneficiary.country.code,
            "sent_at": self.sent_at.isoformat(),
            "channel": self.channel or self.sender.account.split(":", 1)[0],
            "sender_type": self.sender.kind, "beneficiary_type": self.beneficiary.kind,
            "reference": self.reference, "sender_name": self.sender.name,
            "beneficiary_name": self.beneficiary.name,
        }


CSV_FIELDS = ("txn_id", "sender", "beneficiary", "amount", "currency", "amount_usd",
              "sender_country", "beneficiary_country", "sent_at", "channel", "sender_type",
              "beneficiary_type", "reference", "sender_name", "beneficiary_name")


def round_in(rng: random.Random, usd: float, usd_per_unit: float, chance: float) -> float:
    """``usd`` rounded to a whole 10 (or 5 under 50) of the sender's currency with ``chance``;
    FATF 2025: even amounts. Families round as often as anyone."""
    if rng.random() >= chance:
        return usd
    local = usd / usd_per_unit
    step = 5.0 if local < 50 else 10.0
    return max(step, round(local / step) * step) * usd_per_unit


@dataclass(frozen=True)
class Role:
    """Ground truth for one account: what it is in the world (never read by the detector)."""

    account: str
    role: str
    group: str
