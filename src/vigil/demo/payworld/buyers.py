"""The offending side: buyers paying facilitators, and sextortion victims paying extorters.

Buyers follow AIC T&I 589 and 634: Pareto-like activity (3 % of senders make half the payments),
escalation of amount and frequency, gaps under 20 days for the prolific, late-night payments in
the sender's zone (FATF 2025), several non-family facilitators (AMLC, Westpac) and the same
cover words families use (AUSTRAC).
"""

from __future__ import annotations

import math
import random
from datetime import datetime

from vigil.demo.payworld import calibration as cal
from vigil.demo.payworld.parties import Account, AccountFactory, local_moment
from vigil.demo.payworld.txn import Role, Txn, round_in


def facilitators(factory: AccountFactory, count: int) -> list[list[Account]]:
    """Facilitator households: one to three wallets sharing a surname (AMLC: family clusters of
    receivers), mostly in the Philippines."""
    rng = factory.rng
    households = []
    for _ in range(count):
        country = cal.PHILIPPINES if rng.random() < 0.85 else rng.choice(cal.OTHER_HIGH_RISK)
        surname = rng.choice(("Reyes", "Cruz", "Garcia", "Santos", "Ramos", "Flores"))
        households.append([factory.filipino(country, surname)
                           for _ in range(rng.randint(1, 3))])
    return households


def payment_count(rng: random.Random) -> int:
    draw = (1.0 - rng.random()) ** (-1.0 / cal.BUYER_COUNT_PARETO)
    return min(cal.BUYER_MAX_PAYMENTS, int(math.floor(draw)))


def buyer_txns(rng: random.Random, buyer: Account, wallets: list[Account], start: datetime,
               days: int) -> list[Txn]:
    """One buyer's payments: amount grows and gap shrinks by the escalation factor over them."""
    count = payment_count(rng)
    escalation = rng.uniform(*cal.BUYER_ESCALATION) if count >= 4 else 1.0
    gap = rng.uniform(*cal.BUYER_START_GAP_DAYS)
    if count > 20:
        gap = min(gap, rng.uniform(6.0, 19.0))  # AIC T&I 634: prolific gaps under 20 days
    span = sum(gap / (1 + (escalation - 1) * i / count) for i in range(count))
    day = rng.uniform(0, max(1.0, days - span - 1))
    base = rng.uniform(*cal.BUYER_START_USD)
    night = rng.random() < 0.8
    txns = []
    for i in range(count):
        factor = 1 + (escalation - 1) * i / max(1, count - 1)
        hours = cal.NIGHT_HOURS if night and rng.random() < cal.BUYER_NIGHT_SHARE + 0.2 \
            else cal.DAY_HOURS
        usd = round_in(rng, base * factor * rng.uniform(0.8, 1.2), buyer.country.usd_per_unit,
                       0.5)
        reference = rng.choice(cal.COVER_WORDS) if rng.random() < 0.5 else ""
        txns.append(Txn(buyer, rng.choice(wallets),
                        local_moment(rng, start, min(day, days - 1), buyer.country, hours),
                        round(usd, 2), reference))
        day += gap / factor * rng.uniform(0.4, 1.6)
    return txns


def buyers(factory: AccountFactory, count: int, start: datetime, days: int,
           ) -> tuple[list[Txn], list[Role]]:
    """``count`` buyers sharing facilitator households (AUSTRAC: a common beneficiary)."""
    rng = factory.rng
    households = facilitators(factory, max(1, count // cal.BUYERS_PER_FACILITATOR))
    txns: list[Txn] = []
    roles = [Role(w.account, "facilitator", f"ring{h}")
             for h, house in enumerate(households) for w in house]
    for b in range(count):
        buyer = factory.western()
        chosen = rng.sample(households, min(len(households), rng.randint(*cal.BUYER_FACILITATORS)))
        wallets = [wallet for house in chosen for wallet in house]
        txns += buyer_txns(rng, buyer, wallets, start, days)
        roles.append(Role(buyer.account, "buyer", f"buyer{b}"))
    return txns, roles


def victims(factory: AccountFactory, count: int, start: datetime, days: int,
            ) -> tuple[list[Txn], list[Role]]:
    """R16: a young account pays an extorter abroad several times within a day or two, starting
    under EUR 250 and stopping by EUR 1,500 (FATF 2025, FINTRAC 2025)."""
    rng = factory.rng
    txns: list[Txn] = []
    roles = []
    for v in range(count):
        victim = factory.western()
        country = rng.choice((*cal.WEST_AFRICA, cal.PHILIPPINES))
        extorter = factory.make(country, f"{rng.choice(('Ken', 'Sam', 'Jay'))} "
                                f"{rng.choice(('Obi', 'Mensah', 'Reyes', 'Kone'))}")
        day, total = rng.uniform(0, days - 5), 0.0
        amount = rng.uniform(*cal.SEXTORTION_FIRST_USD)
        for _ in range(rng.randint(2, 6)):
            if total + amount > cal.SEXTORTION_TOTAL_USD:
                break
            txns.append(Txn(victim, extorter, local_moment(rng, start, day, victim.country,
                                                           (15.0, 27.0)),
                            round(amount, 2), rng.choice(("", "", "gift card", "please"))))
            total += amount
            day += rng.uniform(0.05, 0.8)
            amount *= rng.uniform(0.8, 1.5)
        roles += [Role(victim.account, "victim", f"victim{v}"),
                  Role(extorter.account, "extorter", f"victim{v}")]
    return txns, roles
