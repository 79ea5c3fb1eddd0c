"""The benign world around the rings: families, locals, a pooled account, everyday chats.

These are the hard negatives: family remittances with the same amounts and corridors as buyers,
chats that mention prices and apps, a carrier NAT address and a pooled remittance account that
would glue strangers together if linking did not suppress hubs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from vigil.demo.actors import (
    CARRIER_NAT_IP,
    CONSUMER_COUNTRIES,
    PHILIPPINES,
    Family,
    Person,
    draw_family,
)
from vigil.demo.chats import everyday_values, scripted
from vigil.demo.clock import DAYS, START, any_time, count_at_scale
from vigil.demo.media import benign_photo
from vigil.demo.money import (
    FAMILY_GAP_DAYS,
    POOL,
    Transfer,
    family_transfers,
    party,
    steady_transfers,
)
from vigil.demo.parts import WorldParts as Builder
from vigil.identifiers import EntityKind
from vigil.model import EntityRef

NAT_SHARE = 0.35
"""Share of Philippine benign users behind the one carrier NAT address (vigil assumption)."""
# Benign population and activity at scale 1 (vigil assumptions: enough to outnumber the rings'
# buyers about ten to one, and to put thousands of payments around them).
FAMILIES = 90
PH_LOCALS = 80
CONSUMER_LOCALS = 40
POOL_SENDERS = 40
DOMESTIC_PAIRS = 30
MARKET_CHATS = 25
FRIEND_CHATS = 40
PARENT_CHATS = 20
GAMING_CHATS = 15
SURPRISE_CHATS = 1
MIN_LOCALS = 8
"""Locals on each side at any scale: rings' bystanders, the weak-signal users and chat pairs."""
NOISE_REPORTS = 12
BENIGN_PHOTOS = 150
POOL_USD = (60.0, 300.0)
POOL_REFERENCES = ("", "deposit", "padala")
BILL_REFERENCES = ("rent share", "dinner", "tickets", "")
TUTOR_REFERENCES = ("tutoring fees", "english lessons", "")
SPONSOR_REFERENCES = ("scholarship", "school fees")


@dataclass(frozen=True)
class Population:
    """The benign users: families split across the corridor, and locals on both sides."""

    families: tuple[Family, ...]
    ph_locals: tuple[Person, ...]
    consumers: tuple[Person, ...]


def benign_people(builder: Builder, scale: float) -> Population:
    rng = builder.rng("benign-people")
    families = tuple(draw_family(rng, builder.factory, NAT_SHARE)
                     for _ in range(count_at_scale(FAMILIES, scale)))
    ph_locals = tuple(
        builder.factory.person(PHILIPPINES,
                            ip=CARRIER_NAT_IP if rng.random() < NAT_SHARE else None)
        for _ in range(count_at_scale(PH_LOCALS, scale, MIN_LOCALS)))
    consumers = tuple(builder.factory.person(rng.choice(CONSUMER_COUNTRIES))
                      for _ in range(count_at_scale(CONSUMER_LOCALS, scale, MIN_LOCALS)))
    return Population(families, ph_locals, consumers)

def benign_activity(builder: Builder, population: Population, scale: float) -> None:
    rng = builder.rng("benign")
    for family in population.families:
        _family(builder, rng, family)
    _pool(builder, rng, population, count_at_scale(POOL_SENDERS, scale))
    _everyday_chats(builder, rng, population, scale)
    _domestic_payments(builder, rng, population, count_at_scale(DOMESTIC_PAIRS, scale))
    _weak_signals(builder, rng, population, scale)
    _noise_reports(builder, rng, population, count_at_scale(NOISE_REPORTS, scale))
    owners = [p for p in _everyone(population) if p.account is not None]
    for _ in range(count_at_scale(BENIGN_PHOTOS, scale)):
        builder.media.append(benign_photo(rng, builder.factory.token("photo-"),
                                       rng.choice(owners), any_time(rng)))
    builder.hubs["carrier_nat_ip"] = str(EntityRef.of(EntityKind.IP, CARRIER_NAT_IP))

def _family(builder: Builder, rng: random.Random, family: Family) -> None:
    """Remittances from every relative abroad; the first one chats after some of them."""
    plans = [family_transfers(rng, sender, family.home, START, DAYS)
             for sender in family.abroad]
    builder.transfers += [t for plan in plans for t in plan]
    thread = builder.thread(family.abroad[0], family.home[0])
    if plans[0] and rng.random() < 0.3:
        scripted(rng, thread, "family_wallet",
                 plans[0][0].sent_at - timedelta(days=rng.uniform(1, 3)),
                 everyday_values(rng, family.home[0].payment_account))
    for transfer in plans[0][::3]:
        scripted(rng, thread, "family", transfer.sent_at + timedelta(hours=rng.uniform(1, 8)),
                 everyday_values(rng, None))

def _pool(builder: Builder, rng: random.Random, population: Population,
        senders: int) -> None:
    """Unrelated senders paying the remittance company's pooled collection account."""
    abroad = [person for family in population.families for person in family.abroad]
    payers: list[Person] = rng.sample(abroad, k=min(len(abroad), senders // 2))
    payers += [builder.factory.person(rng.choice(CONSUMER_COUNTRIES), platform=False)
               for _ in range(senders - len(payers))]
    for payer in payers:
        builder.transfers += steady_transfers(rng, payer, [POOL], START, DAYS,
                                           FAMILY_GAP_DAYS[0], POOL_USD, POOL_REFERENCES)
    builder.hubs["pooled_collection_account"] = str(
        EntityRef.of(EntityKind.PAYMENT_ACCOUNT, POOL.payment_account))

def _everyday_chats(builder: Builder, rng: random.Random, population: Population,
        scale: float) -> None:
    """Market deals (some paid by e-wallet), friends, parents and gamers: the bait."""
    at_home = [*population.ph_locals, *(p for f in population.families for p in f.home)]
    for _ in range(count_at_scale(MARKET_CHATS, scale)):
        buyer, seller = rng.sample(population.ph_locals, 2)
        values = everyday_values(rng, seller.payment_account)
        at = scripted(rng, builder.thread(buyer, seller), "market", any_time(rng), values)
        if rng.random() < 0.6:
            builder.transfers.append(Transfer(party(buyer), party(seller), at, int(
                values["php"]) * PHILIPPINES.usd_per_unit, values["item"]))
    for script, pool, chats in (("friends", at_home, FRIEND_CHATS),
                                ("parents", population.ph_locals, PARENT_CHATS),
                                ("gaming", population.consumers, GAMING_CHATS)):
        for _ in range(count_at_scale(chats, scale)):
            thread = builder.thread(*rng.sample(pool, 2))
            for _ in range(rng.randint(1, 3)):
                scripted(rng, thread, script, any_time(rng), everyday_values(rng, None))

def _domestic_payments(builder: Builder, rng: random.Random, population: Population,
        pairs: int) -> None:
    """Friends in one country splitting bills: volume that never crosses a corridor."""
    by_country: dict[str, list[Person]] = {}
    for person in population.consumers:
        by_country.setdefault(person.country.code, []).append(person)
    groups = [group for _, group in sorted(by_country.items()) if len(group) > 1]
    for _ in range(pairs if groups else 0):
        sender, receiver = rng.sample(rng.choice(groups), 2)
        builder.transfers += steady_transfers(rng, sender, [party(receiver)], START, DAYS,
                                           (20.0, 40.0), (10.0, 80.0), BILL_REFERENCES)

def _weak_signals(builder: Builder, rng: random.Random, population: Population,
        scale: float) -> None:
    """A tutor paid by unrelated parents abroad (fan-in), a sponsor of three scholars
    (fan-out) and a surprise party kept secret: benign, each with one weak signal."""
    locals_ = [p for p in population.ph_locals if p.account not in builder.bystanders]
    tutor = rng.choice(locals_)
    for _ in range(4):
        parent = builder.factory.person(rng.choice(CONSUMER_COUNTRIES), platform=False)
        builder.transfers += steady_transfers(rng, parent, [party(tutor)], START, DAYS,
                                           (13.0, 16.0), (20.0, 50.0), TUTOR_REFERENCES)
    sponsor = rng.choice([p for p in population.consumers
                          if p.account not in builder.bystanders])
    for _ in range(3):
        scholar = builder.factory.person(PHILIPPINES, platform=False)
        builder.transfers += steady_transfers(rng, sponsor, [party(scholar)], START, DAYS,
                                           FAMILY_GAP_DAYS[0], (30.0, 80.0),
                                           SPONSOR_REFERENCES)
    planners = rng.sample([p for p in locals_ if p is not tutor],
                          2 * count_at_scale(SURPRISE_CHATS, scale))
    for first, second in zip(planners[::2], planners[1::2], strict=True):
        scripted(rng, builder.thread(first, second), "surprise", any_time(rng),
                 everyday_values(rng, None))
    builder.weak += [str(EntityRef.of(EntityKind.PAYMENT_ACCOUNT, p.payment_account or ""))
                  for p in (tutor, sponsor)]
    builder.weak.append(str(EntityRef.of(EntityKind.ACCOUNT, planners[0].account or "")))

def _noise_reports(builder: Builder, rng: random.Random, population: Population,
        count: int) -> None:
    """Spam and rudeness reports, mostly against users behind the carrier NAT; each user is
    in at most one, and none is a ring's bystander or a planted weak-signal user."""
    involved = set(builder.bystanders) | set(builder.weak)
    for _ in range(count):
        free = [p for p in _everyone(population)
                if p.account is not None and f"account:{p.account}" not in involved
                and p.account not in involved]
        behind_nat = [p for p in free if p.ip == CARRIER_NAT_IP]
        reported = rng.choice(behind_nat if behind_nat and rng.random() < 0.75 else free)
        reporter = rng.choice([p for p in free if p is not reported])
        involved |= {reported.account or "", reporter.account or ""}
        builder.reports.append(builder.desk.noise(reporter, reported, any_time(rng)))
    builder.weak.append(str(EntityRef.of(EntityKind.ACCOUNT, builder.reports[-1].reported)))


def _everyone(population: Population) -> list[Person]:
    homes = [p for family in population.families for p in (*family.abroad, *family.home)]
    return [*homes, *population.ph_locals, *population.consumers]
