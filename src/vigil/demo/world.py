"""The demo world: planted rings among benign look-alikes, with the ground truth to score against.

Everything comes from ``random.Random`` streams named after the seed and the part they feed
(``"7/ring-3"``, ``"7/benign"``), never from global random state, so one seed gives the same world
on every run and machine, and adding benign users does not reshuffle the rings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from vigil.demo.actors import (
    CARRIER_NAT_IP,
    CONSUMER_COUNTRIES,
    PHILIPPINES,
    Family,
    IdentityFactory,
    Person,
    Ring,
    draw_family,
    draw_ring,
)
from vigil.demo.chats import Thread, everyday_values, grooming_contact, negotiation, scripted
from vigil.demo.media import (
    KnownPicture,
    Painter,
    bank_entries,
    benign_photo,
    known_pictures,
    shared_file,
    stream,
)
from vigil.demo.money import (
    FAMILY_GAP_DAYS,
    POOL,
    BuyerHabit,
    Transfer,
    buyer_transfers,
    family_transfers,
    party,
    steady_transfers,
    to_payments,
)
from vigil.demo.reports import ReportDesk
from vigil.demo.truth import PlantedRing, Truth, entity_strings
from vigil.identifiers import EntityKind
from vigil.model import EntityRef
from vigil.records import (
    ChatMessage,
    MediaObservation,
    PanicReport,
    Payment,
    Record,
    identifiers_of,
)
from vigil.store.interfaces import BankEntry

START = datetime(2026, 1, 5, tzinfo=UTC)
DAYS = 180
RINGS_AT_SCALE_1 = 8
KNOWN_MATERIAL_SHARE = 0.75
"""Share of rings whose streams re-broadcast known (banked) material. media.md §6: "known-hash
matching of live frames only catches re-broadcast known material. Live-streamed abuse of a child
is new content"; the share itself is a vigil assumption, set high so the demo shows both paths."""
PROLIFIC_SHARE = 0.25
"""Share of buyers who pay prolifically; AIC T&I 589: 3 % of senders made 50 % of transactions,
so a few prolific buyers carry most of a ring's payments."""
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
class World:
    """All records of one generated world, the known bank, and what was planted in it.

    ``start`` and ``end`` are midnights (UTC) that bound every record's time; ``end`` is the
    natural "now" for a run over the world.
    """

    seed: int
    scale: float
    start: datetime
    end: datetime
    media: tuple[MediaObservation, ...]
    messages: tuple[ChatMessage, ...]
    payments: tuple[Payment, ...]
    reports: tuple[PanicReport, ...]
    bank: tuple[BankEntry, ...]
    truth: Truth

    def records(self) -> list[Record]:
        """Every record of every kind (media, messages, payments, reports, in that order)."""
        return [*self.media, *self.messages, *self.payments, *self.reports]


def generate_world(seed: int = 7, scale: float = 1.0) -> World:
    """A world with about ``8 * scale`` rings and ``300 * scale`` benign users over 180 days."""
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    builder = Builder(seed)
    population = builder.benign_people(scale)
    bystanders = [*population.ph_locals, *population.consumers]
    builder.rng("bystanders").shuffle(bystanders)
    rings = max(1, round(RINGS_AT_SCALE_1 * scale))
    for index in range(rings):
        builder.plant_ring(index, on_nat=index == rings // 2, bystanders=bystanders)
    builder.benign_activity(population, scale)
    return builder.finish(scale)


@dataclass(frozen=True)
class Population:
    """The benign users: families split across the corridor, and locals on both sides."""

    families: tuple[Family, ...]
    ph_locals: tuple[Person, ...]
    consumers: tuple[Person, ...]


class Builder:
    """Collects the records of a world as rings and benign users act, then freezes them."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.factory = IdentityFactory(self.rng("identities"))
        self.painter = Painter()
        self.desk = ReportDesk(self.rng("reports"))
        self.transfers: list[Transfer] = []
        self.threads: list[Thread] = []
        self.media: list[MediaObservation] = []
        self.reports: list[PanicReport] = []
        self.pictures: list[KnownPicture] = []
        self.planted: list[tuple[Ring, set[str]]] = []
        self.hubs: dict[str, str] = {}
        self.bystanders: set[str] = set()
        self.weak: list[str] = []

    def rng(self, part: str) -> random.Random:
        """A generator for one part of the world, independent of every other part."""
        return random.Random(f"vigil.demo/{self.seed}/{part}")

    def thread(self, first: Person, second: Person) -> Thread:
        thread = Thread(self.factory.token("vidchat:c-"), first, second)
        self.threads.append(thread)
        return thread

    def plant_ring(self, index: int, on_nat: bool, bystanders: list[Person]) -> None:
        rng = self.rng(f"ring-{index}")
        ring = draw_ring(rng, self.factory, f"ring-{index + 1:02d}",
                         CARRIER_NAT_IP if on_nat else None)
        plans = [(buyer, self._buyer_plan(rng, ring, buyer)) for buyer in ring.buyers]
        extras = self._ring_chats(rng, ring, plans)
        bystander = bystanders.pop()
        self.bystanders.add(bystander.account or "")
        extras |= self._ring_media(rng, ring, plans, bystander)
        self.planted.append((ring, extras))

    def _buyer_plan(self, rng: random.Random, ring: Ring, buyer: Person) -> list[Transfer]:
        fan_out = len(ring.wallets) > 1 and rng.random() < 0.5
        habit = BuyerHabit(prolific=rng.random() < PROLIFIC_SHARE, escalating=rng.random() < 0.4)
        wallets = ring.wallets if fan_out else (ring.facilitator,)
        transfers = buyer_transfers(rng, buyer, wallets, START, DAYS, habit)
        self.transfers += transfers
        return transfers

    def _ring_chats(self, rng: random.Random, ring: Ring,
                    plans: list[tuple[Person, list[Transfer]]]) -> set[str]:
        """Negotiation with every buyer; one or two buyers contact each victim's account."""
        threads = []
        for buyer, transfers in plans:
            threads.append(self.thread(buyer, ring.facilitator))
            negotiation(rng, threads[-1], buyer, ring.facilitator, transfers)
        for victim in ring.victims:
            for buyer, transfers in rng.sample(plans, k=min(len(plans), rng.randint(1, 2))):
                threads.append(self.thread(buyer, victim))
                at = rng.choice(transfers).sent_at + timedelta(hours=rng.uniform(2, 30))
                grooming_contact(rng, threads[-1], buyer, victim, at, rng.random() < 0.3)
                if rng.random() < 0.4:
                    self.reports.append(self.desk.victim(
                        victim, buyer, at + timedelta(hours=rng.uniform(1, 48))))
        return {f"conversation:{t.conversation_id}" for t in threads}

    def _ring_media(self, rng: random.Random, ring: Ring,
                    plans: list[tuple[Person, list[Transfer]]], bystander: Person) -> set[str]:
        """Streams after paid sessions, now and then a shared file and a bystander's report.

        A quarter of the rings stream only new material that no bank holds, as most live abuse
        is: those rings must be found from chat and payments alone.
        """
        pictures: list[KnownPicture] = []
        if rng.random() < KNOWN_MATERIAL_SHARE:
            pictures = known_pictures(rng, self.painter, rng.randint(3, 4), len(self.pictures) + 1)
            self.pictures += pictures
        paid = sorted((t for _, transfers in plans for t in transfers), key=lambda t: t.sent_at)
        frames: list[MediaObservation] = []
        for session in rng.sample(paid, k=min(len(paid), rng.randint(2, 4))):
            at = session.sent_at + timedelta(hours=rng.uniform(0.5, 3))
            frames += stream(rng, self.painter, ring.facilitator, pictures, at,
                             self.factory.token("live-"))
        if pictures and rng.random() < 0.35:
            frames.append(shared_file(self.factory.token("file-"), ring.facilitator,
                                      rng.choice(pictures), rng.choice(frames).observed_at))
        self.media += frames
        if rng.random() < 0.6:
            shown = rng.sample(frames, k=min(2, len(frames)))
            self.reports.append(self.desk.bystander(
                bystander, ring.facilitator, max(f.observed_at for f in shown),
                [f.pdq for f in shown if f.pdq is not None]))
        hashes = [("pdq", f.pdq) for f in frames] + [("md5", f.md5) for f in frames]
        hashes += [("pdq", p.pdq) for p in pictures] + [("md5", p.md5) for p in pictures]
        return set(entity_strings((EntityKind.MEDIA, f"{algorithm}:{value}")
                                  for algorithm, value in hashes if value is not None))

    def benign_people(self, scale: float) -> Population:
        rng = self.rng("benign-people")
        families = tuple(draw_family(rng, self.factory, NAT_SHARE)
                         for _ in range(_count(FAMILIES, scale)))
        ph_locals = tuple(
            self.factory.person(PHILIPPINES,
                                ip=CARRIER_NAT_IP if rng.random() < NAT_SHARE else None)
            for _ in range(_count(PH_LOCALS, scale, MIN_LOCALS)))
        consumers = tuple(self.factory.person(rng.choice(CONSUMER_COUNTRIES))
                          for _ in range(_count(CONSUMER_LOCALS, scale, MIN_LOCALS)))
        return Population(families, ph_locals, consumers)

    def benign_activity(self, population: Population, scale: float) -> None:
        rng = self.rng("benign")
        for family in population.families:
            self._family(rng, family)
        self._pool(rng, population, _count(POOL_SENDERS, scale))
        self._everyday_chats(rng, population, scale)
        self._domestic_payments(rng, population, _count(DOMESTIC_PAIRS, scale))
        self._weak_signals(rng, population, scale)
        self._noise_reports(rng, population, _count(NOISE_REPORTS, scale))
        owners = [p for p in _everyone(population) if p.account is not None]
        for _ in range(_count(BENIGN_PHOTOS, scale)):
            self.media.append(benign_photo(rng, self.factory.token("photo-"),
                                           rng.choice(owners), _any_time(rng)))
        self.hubs["carrier_nat_ip"] = str(EntityRef.of(EntityKind.IP, CARRIER_NAT_IP))

    def _family(self, rng: random.Random, family: Family) -> None:
        """Remittances from every relative abroad; the first one chats after some of them."""
        plans = [family_transfers(rng, sender, family.home, START, DAYS)
                 for sender in family.abroad]
        self.transfers += [t for plan in plans for t in plan]
        thread = self.thread(family.abroad[0], family.home[0])
        if plans[0] and rng.random() < 0.3:
            scripted(rng, thread, "family_wallet",
                     plans[0][0].sent_at - timedelta(days=rng.uniform(1, 3)),
                     everyday_values(rng, family.home[0].payment_account))
        for transfer in plans[0][::3]:
            scripted(rng, thread, "family", transfer.sent_at + timedelta(hours=rng.uniform(1, 8)),
                     everyday_values(rng, None))

    def _pool(self, rng: random.Random, population: Population, senders: int) -> None:
        """Unrelated senders paying the remittance company's pooled collection account."""
        abroad = [person for family in population.families for person in family.abroad]
        payers: list[Person] = rng.sample(abroad, k=min(len(abroad), senders // 2))
        payers += [self.factory.person(rng.choice(CONSUMER_COUNTRIES), platform=False)
                   for _ in range(senders - len(payers))]
        for payer in payers:
            self.transfers += steady_transfers(rng, payer, [POOL], START, DAYS,
                                               FAMILY_GAP_DAYS[0], POOL_USD, POOL_REFERENCES)
        self.hubs["pooled_collection_account"] = str(
            EntityRef.of(EntityKind.PAYMENT_ACCOUNT, POOL.payment_account))

    def _everyday_chats(self, rng: random.Random, population: Population, scale: float) -> None:
        """Market deals (some paid by e-wallet), friends, parents and gamers: the bait."""
        at_home = [*population.ph_locals, *(p for f in population.families for p in f.home)]
        for _ in range(_count(MARKET_CHATS, scale)):
            buyer, seller = rng.sample(population.ph_locals, 2)
            values = everyday_values(rng, seller.payment_account)
            at = scripted(rng, self.thread(buyer, seller), "market", _any_time(rng), values)
            if rng.random() < 0.6:
                self.transfers.append(Transfer(party(buyer), party(seller), at, int(
                    values["php"]) * PHILIPPINES.usd_per_unit, values["item"]))
        for script, pool, chats in (("friends", at_home, FRIEND_CHATS),
                                    ("parents", population.ph_locals, PARENT_CHATS),
                                    ("gaming", population.consumers, GAMING_CHATS)):
            for _ in range(_count(chats, scale)):
                thread = self.thread(*rng.sample(pool, 2))
                for _ in range(rng.randint(1, 3)):
                    scripted(rng, thread, script, _any_time(rng), everyday_values(rng, None))

    def _domestic_payments(self, rng: random.Random, population: Population, pairs: int) -> None:
        """Friends in one country splitting bills: volume that never crosses a corridor."""
        by_country: dict[str, list[Person]] = {}
        for person in population.consumers:
            by_country.setdefault(person.country.code, []).append(person)
        groups = [group for _, group in sorted(by_country.items()) if len(group) > 1]
        for _ in range(pairs if groups else 0):
            sender, receiver = rng.sample(rng.choice(groups), 2)
            self.transfers += steady_transfers(rng, sender, [party(receiver)], START, DAYS,
                                               (20.0, 40.0), (10.0, 80.0), BILL_REFERENCES)

    def _weak_signals(self, rng: random.Random, population: Population, scale: float) -> None:
        """A tutor paid by unrelated parents abroad (fan-in), a sponsor of three scholars
        (fan-out) and a surprise party kept secret: benign, each with one weak signal."""
        locals_ = [p for p in population.ph_locals if p.account not in self.bystanders]
        tutor = rng.choice(locals_)
        for _ in range(4):
            parent = self.factory.person(rng.choice(CONSUMER_COUNTRIES), platform=False)
            self.transfers += steady_transfers(rng, parent, [party(tutor)], START, DAYS,
                                               (13.0, 16.0), (20.0, 50.0), TUTOR_REFERENCES)
        sponsor = rng.choice([p for p in population.consumers
                              if p.account not in self.bystanders])
        for _ in range(3):
            scholar = self.factory.person(PHILIPPINES, platform=False)
            self.transfers += steady_transfers(rng, sponsor, [party(scholar)], START, DAYS,
                                               FAMILY_GAP_DAYS[0], (30.0, 80.0),
                                               SPONSOR_REFERENCES)
        planners = rng.sample([p for p in locals_ if p is not tutor],
                              2 * _count(SURPRISE_CHATS, scale))
        for first, second in zip(planners[::2], planners[1::2], strict=True):
            scripted(rng, self.thread(first, second), "surprise", _any_time(rng),
                     everyday_values(rng, None))
        self.weak += [str(EntityRef.of(EntityKind.PAYMENT_ACCOUNT, p.payment_account or ""))
                      for p in (tutor, sponsor)]
        self.weak.append(str(EntityRef.of(EntityKind.ACCOUNT, planners[0].account or "")))

    def _noise_reports(self, rng: random.Random, population: Population, count: int) -> None:
        """Spam and rudeness reports, mostly against users behind the carrier NAT; each user is
        in at most one, and none is a ring's bystander or a planted weak-signal user."""
        involved = set(self.bystanders) | set(self.weak)
        for _ in range(count):
            free = [p for p in _everyone(population)
                    if p.account is not None and f"account:{p.account}" not in involved
                    and p.account not in involved]
            behind_nat = [p for p in free if p.ip == CARRIER_NAT_IP]
            reported = rng.choice(behind_nat if behind_nat and rng.random() < 0.75 else free)
            reporter = rng.choice([p for p in free if p is not reported])
            involved |= {reported.account or "", reporter.account or ""}
            self.reports.append(self.desk.noise(reporter, reported, _any_time(rng)))
        self.weak.append(str(EntityRef.of(EntityKind.ACCOUNT, self.reports[-1].reported)))

    def finish(self, scale: float) -> World:
        payments = to_payments(self.rng("pricing"), self.transfers)
        messages = sorted((m for t in self.threads for m in t.messages),
                          key=lambda m: (m.sent_at, m.conversation_id, m.message_id))
        media = sorted(self.media, key=lambda m: (m.observed_at, m.observation_id))
        reports = sorted(self.reports, key=lambda r: (r.reported_at, r.report_id))
        seen = {str(ref) for record in (*media, *messages, *payments, *reports)
                for ref in identifiers_of(record)}
        rings = tuple(
            PlantedRing(ring.ring_id, frozenset(
                ({str(ref) for person in ring.people() for ref in person.refs()} & seen | extras)
                - set(self.hubs.values())))
            for ring, extras in self.planted)
        times = [*(m.observed_at for m in media), *(m.sent_at for m in messages),
                 *(p.sent_at for p in payments), *(r.reported_at for r in reports)]
        start = min(START, _midnight(min(times)))
        end = max(START + timedelta(days=DAYS), _midnight(max(times)) + timedelta(days=1))
        return World(self.seed, scale, start, end, tuple(media),
                     tuple(messages), tuple(payments), tuple(reports),
                     tuple(bank_entries(self.pictures)),
                     Truth(rings, dict(sorted(self.hubs.items())), tuple(self.weak)))


def _count(at_scale_1: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(at_scale_1 * scale))


def _midnight(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _any_time(rng: random.Random) -> datetime:
    return START + timedelta(days=rng.uniform(0, DAYS - 1))


def _everyone(population: Population) -> list[Person]:
    homes = [p for family in population.families for p in (*family.abroad, *family.home)]
    return [*homes, *population.ph_locals, *population.consumers]


