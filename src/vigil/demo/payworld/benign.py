"""The honest traffic that looks like buying: families, in-laws, donors and employers.

Every benign sender uses the buyers' corridor, channels, amounts (PHP 1,000-10,000) and cover
words; what differs is structure: a stable cadence to the same few kin, shared surnames where
they exist, salary days, and organisations that receive from many.
"""

from __future__ import annotations

import random
from datetime import datetime

from vigil.demo.payworld import calibration as cal
from vigil.demo.payworld.parties import (
    Account,
    AccountFactory,
    local_moment,
    surname_of,
)
from vigil.demo.payworld.txn import Txn, round_in


def _php(rng: random.Random) -> float:
    """A PHP-round allowance in US dollars (AMLC's PHP 1,000-10,000 band; vigil assumption)."""
    return rng.choice(cal.PHP_ROUND) * cal.PHILIPPINES.usd_per_unit


def _cadence(rng: random.Random, sender: Account, kin: list[Account], start: datetime,
             days: int, base_usd: float) -> list[Txn]:
    """Allowances on a payroll rhythm to the same kin, with occasional extras (birthdays,
    a medical emergency burst: several quick payments that look like escalation)."""
    low, high = rng.choice(cal.FAMILY_GAP_DAYS)
    day = rng.uniform(0, high)
    first = rng.uniform(0, days * 0.5) if rng.random() < 0.3 else 0.0
    day += first
    night = rng.random() < 0.12  # night-shift workers and carers (vigil assumption)
    txns = []
    while day < days:
        hours = cal.NIGHT_HOURS if night and rng.random() < 0.6 else cal.DAY_HOURS
        for person in (kin if rng.random() < 0.4 else [rng.choice(kin)]):
            usd = round_in(rng, base_usd * rng.uniform(0.85, 1.15), sender.country.usd_per_unit,
                           0.6)
            txns.append(Txn(sender, person, local_moment(rng, start, day, sender.country, hours),
                            round(usd, 2), rng.choice(cal.FAMILY_WORDS)))
        if rng.random() < 0.04:  # an emergency: three or four quick, growing payments
            for k in range(rng.randint(3, 4)):
                txns.append(Txn(sender, rng.choice(kin),
                                local_moment(rng, start, day + 1 + k, sender.country, hours),
                                round(base_usd * (1 + k * 0.5), 2), "medical bills"))
        day += rng.uniform(low, high)
    return txns


def family(factory: AccountFactory, start: datetime, days: int, extended: bool,
           ) -> tuple[list[Txn], list[Account]]:
    """A Filipino remitter abroad paying one or two kin (nuclear) or three to six (extended);
    kin share the sender's surname unless married out (extended: mostly different surnames).
    Some remitters are daughters married abroad, with a Western surname, and then a sister
    married abroad often pays the same parents: a common beneficiary of unrelated-looking
    senders, the facilitator's shape, made by kin."""
    rng = factory.rng
    sender = factory.filipino(factory.consumer_country())
    if not extended and rng.random() < MARRIED_OUT:
        return _married_out_sisters(factory, start, days)
    same = 0.3 if extended else 0.75
    kin = [factory.filipino(cal.PHILIPPINES,
                            surname_of(sender) if rng.random() < same else None)
           for _ in range(rng.randint(3, 6) if extended else rng.randint(1, 2))]
    base = _php(rng) if rng.random() < 0.6 else rng.uniform(*cal.FAMILY_USD)
    if rng.random() < 0.3:
        base = rng.uniform(20.0, 60.0)  # small allowances, the buyers' own range
    return _cadence(rng, sender, kin, start, days, base), kin


MARRIED_OUT = 0.12
"""Share of nuclear-family remitters who are daughters married abroad (vigil assumption)."""


def _married_out_sisters(factory: AccountFactory, start: datetime, days: int,
                         ) -> tuple[list[Txn], list[Account]]:
    rng = factory.rng
    parents = [factory.filipino(cal.PHILIPPINES) for _ in range(rng.randint(1, 2))]
    txns: list[Txn] = []
    for _ in range(rng.randint(2, 3)):
        sister = factory.western(factory.consumer_country())
        sister = Account(sister.account, f"{rng.choice(('Maria', 'Joy', 'Liza', 'Rowena'))} "
                         f"{surname_of(sister)}", sister.country)
        txns += _cadence(rng, sister, parents, start, days, rng.uniform(30.0, 150.0))
    return txns, parents


def in_laws(factory: AccountFactory, start: datetime, days: int) -> tuple[list[Txn], list[Account]]:
    """A Western spouse of a Filipina paying her parents and siblings: no shared surname, Westpac's
    "no apparent family ties" on paper, but a stable cadence to the same people for years."""
    rng = factory.rng
    sender = factory.western()
    maiden = factory.rng.choice(("Manalo", "Soriano", "Valdez", "Dizon", "Pascual"))
    kin = [factory.filipino(cal.PHILIPPINES, maiden) for _ in range(rng.randint(1, 3))]
    return _cadence(rng, sender, kin, start, days, rng.uniform(30.0, 250.0)), kin


def charities(factory: AccountFactory, count: int) -> list[Account]:
    """Organisations in the Philippines that receive many small foreign donations; some are
    registered as businesses, some as a person's account with an organisation's name."""
    names = ("Hope Children Foundation", "St. Joseph Parish", "Bayanihan Relief Inc",
             "Little Stars Learning Center", "Tahanan Shelter", "Mercy Feeding Program")
    return [factory.make(cal.PHILIPPINES, names[i % len(names)],
                         "business" if i % 2 == 0 else "individual") for i in range(count)]


def donor(factory: AccountFactory, orgs: list[Account], start: datetime, days: int) -> list[Txn]:
    """One donor: a one-off gift, a few appeals, or a monthly pledge, in round amounts."""
    rng = factory.rng
    sender = factory.western()
    org = rng.choice(orgs)
    usd = rng.choice(cal.CHARITY_DONATIONS_USD)
    kind = rng.random()
    count = 1 if kind < 0.4 else rng.randint(2, 5) if kind < 0.75 else rng.randint(6, 24)
    step = 30.0 if kind >= 0.75 else rng.uniform(20.0, 120.0)
    day = rng.uniform(0, max(1.0, days - step * count))
    reference = rng.choice(("donation", "", "typhoon relief", "sponsorship", "gift"))
    return [Txn(sender, org, local_moment(rng, start, day + i * step, sender.country,
                                          cal.DAY_HOURS if rng.random() < 0.85
                                          else cal.NIGHT_HOURS),
                round(usd / sender.country.usd_per_unit) * sender.country.usd_per_unit,
                reference) for i in range(count)]


def employer(factory: AccountFactory, start: datetime, days: int,
             ) -> tuple[list[Txn], list[Account]]:
    """A small business or sole trader paying two to eight remote assistants every week or
    fortnight on the same weekday, a fixed amount each (vigil assumption)."""
    rng = factory.rng
    sole_trader = rng.random() < 0.6
    boss = factory.western() if sole_trader else factory.make(
        factory.consumer_country(), f"{rng.choice(('Bright', 'Nova', 'Apex'))} Digital Ltd",
        "business")
    assistants = [factory.filipino(cal.PHILIPPINES) for _ in range(rng.randint(2, 8))]
    every = rng.choice((7.0, 14.0))
    pay = {a.account: rng.uniform(*cal.ASSISTANT_WEEKLY_USD) * every / 7 for a in assistants}
    txns = []
    hired = {a.account: rng.uniform(0, days * 0.6) for a in assistants}
    day = rng.uniform(0, 7)
    while day < days:
        for a in assistants:
            if day >= hired[a.account]:
                txns.append(Txn(boss, a, local_moment(rng, start, day, boss.country, (9.0, 18.0)),
                                round(pay[a.account], 2), rng.choice(("invoice", "salary",
                                                                      "VA services", ""))))
        day += every
    return txns, assistants


def background(factory: AccountFactory, start: datetime, days: int) -> list[Txn]:
    """Other senders: remittances elsewhere (India, Mexico) or a one-off gift to the
    Philippines (a first-time sender to the corridor, sometimes late at night)."""
    rng = factory.rng
    sender = factory.western() if rng.random() < 0.5 else factory.filipino(
        factory.consumer_country())
    if rng.random() < 0.4:
        friend = factory.filipino(cal.PHILIPPINES)
        hours = cal.NIGHT_HOURS if rng.random() < 0.3 else cal.DAY_HOURS
        return [Txn(sender, friend, local_moment(rng, start, rng.uniform(0, days), sender.country,
                                                 hours),
                    round(rng.uniform(20.0, 150.0), 2), rng.choice(cal.FAMILY_WORDS))
                for _ in range(rng.randint(1, 2))]
    country = rng.choice(cal.ELSEWHERE)
    payee = factory.make(country, "Ravi Kumar" if country.code == "IN" else "Luis Ortega")
    step = rng.uniform(14.0, 45.0)
    return [Txn(sender, payee, local_moment(rng, start, i * step, sender.country, cal.DAY_HOURS),
                round(rng.uniform(50.0, 400.0), 2), "family support")
            for i in range(int(days / step))]
