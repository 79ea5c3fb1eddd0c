"""Payments of the demo world: buyers paying facilitators, and benign traffic that looks alike.

The benign side is deliberately hard: family remittances to the Philippines use the same channels,
amounts and cover words as buyers (AUSTRAC's cover words - "school fees", "medical bills",
"gift" - are family words too). What separates them is what AUSTRAC and
Westpac describe - shared surnames, one or two beneficiaries, a monthly rhythm - versus several
unrelated buyers, short gaps and escalation.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from vigil.demo.actors import PHILIPPINES, Country, Person
from vigil.records import Payment

BUYER_USD = (15.0, 90.0)
"""Per-session price: AUSTRAC case study A$10-100 and "AUD 20-80 per session"; IJM/Rights Lab
"Scale of Harm" (2023): as little as AUD 40."""
PROLIFIC_MAX_USD = 34.0
"""AIC T&I 634: high-volume live streamers spend under AUD 55 (about US$36)."""
# Days between a buyer's payments. AIC T&I 634: high-volume buyers pay at intervals of less than
# 20 days (one AUSTRAC case reached about twice a day); prolific buyers
# here make more than 20 payments (AIC (Wolbers): more than 20 sessions).
PROLIFIC_GAP_DAYS = (2.0, 10.0)
OCCASIONAL_GAP_DAYS = (6.0, 19.0)
ESCALATION = (1.0, 3.0)
"""AIC T&I 589: median amount rises and payments become more frequent (the ratio has not
been checked); here amount grows and the gap shrinks by this factor from first to last payment."""
FAMILY_GAP_DAYS = ((27.0, 33.0), (13.0, 17.0))
"""Monthly or semi-monthly allowances (vigil assumption: typical payroll rhythms)."""
LATE_NIGHT_HOURS = (22, 28)
"""FATF 2025: repeated payments late at night or early morning in the sender's time zone."""
DAYTIME_HOURS = (8, 22)

BUYER_REFERENCES = ("", "", "gift", "school fees", "medical bills", "family support", "allowance")
"""AUSTRAC and FATF (2025) cover words: the same words families use, on purpose."""
FAMILY_REFERENCES = ("", "family support", "school fees", "allowance", "for mama", "birthday",
                     "medical bills", "groceries")


@dataclass(frozen=True)
class Party:
    """One side of a transfer as the institution's KYC records hold it."""

    payment_account: str
    name: str
    country: Country
    phone: str | None = None
    email: str | None = None
    kind: str = "individual"


def party(person: Person) -> Party:
    if person.payment_account is None:
        raise ValueError(f"{person.full_name} has no payment account")
    return Party(person.payment_account, person.full_name, person.country, person.phone,
                 person.email)


@dataclass(frozen=True)
class Transfer:
    """A payment before it is priced in the sender's currency and given an id."""

    sender: Party
    beneficiary: Party
    sent_at: datetime
    amount_usd: float
    reference: str = ""


@dataclass(frozen=True)
class BuyerHabit:
    """How one buyer pays: prolific (many small, short gaps) or occasional; escalating or not."""

    prolific: bool
    escalating: bool


def _moment(rng: random.Random, start: datetime, day: float, country: Country,
            hours: tuple[int, int]) -> datetime:
    """A time on ``day`` at a local hour in ``hours`` (may run past midnight), as UTC."""
    local_hour = rng.uniform(*hours)
    midnight = start + timedelta(days=int(day))
    return midnight + timedelta(hours=local_hour - country.utc_offset_hours)


def buyer_transfers(rng: random.Random, buyer: Person, wallets: Sequence[Person],
                    start: datetime, days: int, habit: BuyerHabit) -> list[Transfer]:
    """One buyer's payments to a ring's wallets; several wallets make a fan-out (R3)."""
    gaps = PROLIFIC_GAP_DAYS if habit.prolific else OCCASIONAL_GAP_DAYS
    top = PROLIFIC_MAX_USD if habit.prolific else BUYER_USD[1]
    base = rng.uniform(BUYER_USD[0], (BUYER_USD[0] + top) / 2)
    first_day = day = rng.uniform(0, days * 0.3)
    last_day = days - 1 if habit.prolific else min(days - 1, day + rng.uniform(60, 150))
    transfers: list[Transfer] = []
    while day < last_day:
        progress = (day - first_day) / (last_day - first_day)
        factor = ESCALATION[0] + (ESCALATION[1] - ESCALATION[0]) * progress
        usd = base * factor if habit.escalating else rng.uniform(BUYER_USD[0], top)
        hours = LATE_NIGHT_HOURS if rng.random() < 0.7 else DAYTIME_HOURS
        transfers.append(Transfer(party(buyer), party(rng.choice(wallets)),
                                  _moment(rng, start, day, buyer.country, hours),
                                  min(usd, BUYER_USD[1]), rng.choice(BUYER_REFERENCES)))
        gap = rng.uniform(*gaps)
        day += gap / factor if habit.escalating else gap
    return transfers


def steady_transfers(rng: random.Random, sender: Person | Party,
                     beneficiaries: Sequence[Party], start: datetime, days: int,
                     gap_days: tuple[float, float], usd: tuple[float, float],
                     references: Sequence[str]) -> list[Transfer]:
    """Regular payments at a payroll-like rhythm: families, tutoring fees, a pooled account."""
    payer = party(sender) if isinstance(sender, Person) else sender
    day = rng.uniform(0, gap_days[1])
    transfers: list[Transfer] = []
    while day < days - 1:
        hours = DAYTIME_HOURS if rng.random() < 0.85 else LATE_NIGHT_HOURS
        transfers.append(Transfer(payer, rng.choice(beneficiaries),
                                  _moment(rng, start, day, payer.country, hours),
                                  rng.uniform(*usd), rng.choice(references)))
        day += rng.uniform(*gap_days)
    return transfers


def family_transfers(rng: random.Random, sender: Person, home: Sequence[Person],
                     start: datetime, days: int) -> list[Transfer]:
    """A relative abroad sending the same sums as a buyer, monthly, to one or two relatives."""
    gaps = FAMILY_GAP_DAYS[0] if rng.random() < 0.7 else FAMILY_GAP_DAYS[1]
    return steady_transfers(rng, sender, [party(p) for p in home], start, days, gaps,
                            BUYER_USD, FAMILY_REFERENCES)


_CHANNELS = {"wise": "remittance", "remitly": "remittance", "worldremit": "remittance",
             "paypal": "p2p", "gcash": "e-wallet", "maya": "e-wallet"}


def _local_amount(rng: random.Random, usd: float, country: Country) -> float:
    """Price ``usd`` in the sender's currency; most are even amounts (FATF 2025: even amounts)."""
    local = usd / country.usd_per_unit
    step = 5 if local < 1000 else 50
    if rng.random() < 0.7:
        return float(max(step, round(local / step) * step))
    return round(max(local, 1.0), 2)


def to_payments(rng: random.Random, transfers: Sequence[Transfer]) -> list[Payment]:
    """Payment records in time order, priced in the sender's currency, numbered ``txn-NNNNNN``."""
    ordered = sorted(transfers, key=lambda t: (t.sent_at, t.sender.payment_account,
                                               t.beneficiary.payment_account))
    payments: list[Payment] = []
    for number, transfer in enumerate(ordered, start=1):
        sender, beneficiary = transfer.sender, transfer.beneficiary
        amount = _local_amount(rng, transfer.amount_usd, sender.country)
        provider = sender.payment_account.partition(":")[0]
        payments.append(Payment(
            txn_id=f"txn-{number:06d}", sender=sender.payment_account,
            beneficiary=beneficiary.payment_account, amount=amount,
            currency=sender.country.currency,
            amount_usd=round(amount * sender.country.usd_per_unit, 2),
            sender_country=sender.country.code, beneficiary_country=beneficiary.country.code,
            sent_at=transfer.sent_at, channel=_CHANNELS.get(provider, "bank_transfer"),
            sender_type=sender.kind, beneficiary_type=beneficiary.kind,
            reference=transfer.reference, sender_name=sender.name,
            beneficiary_name=beneficiary.name, sender_phone=sender.phone,
            sender_email=sender.email, beneficiary_phone=beneficiary.phone,
            beneficiary_email=beneficiary.email))
    return payments


POOL = Party("unionbank:0012-3456-7890", "Padala Express Remittance Corp", PHILIPPINES,
             kind="business")
"""A remittance company's pooled collection account: many unrelated senders, one account (a hub
that must not link them; linking.yaml)."""
