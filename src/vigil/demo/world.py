"""The demo world: planted rings among benign look-alikes, with the ground truth to score against.

Everything comes from ``random.Random`` streams named after the seed and the part they feed
(``"7/ring-3"``, ``"7/benign"``), never from global random state, so one seed gives the same world
on every run and machine, and adding benign users does not reshuffle the rings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from vigil.demo.actors import (
    CARRIER_NAT_IP,
    IdentityFactory,
    Person,
    Ring,
    draw_ring,
)
from vigil.demo.benign import benign_activity, benign_people
from vigil.demo.chats import Thread, grooming_contact, negotiation
from vigil.demo.clock import DAYS, START, midnight
from vigil.demo.lookalikes import lookalike_activity, lookalike_people
from vigil.demo.media import (
    KnownPicture,
    Painter,
    bank_entries,
    known_pictures,
    shared_file,
    stream,
)
from vigil.demo.money import (
    BuyerHabit,
    Transfer,
    buyer_transfers,
    to_payments,
)
from vigil.demo.reports import ReportDesk
from vigil.demo.truth import PlantedRing, Truth, entity_strings
from vigil.identifiers import EntityKind
from vigil.media.banks.records import BankEntry
from vigil.records import (
    ChatMessage,
    MediaObservation,
    PanicReport,
    Payment,
    Record,
    identifiers_of,
)

RINGS_AT_SCALE_1 = 8
KNOWN_MATERIAL_SHARE = 0.5
"""Share of rings whose streams re-broadcast known (banked) material. Known-hash matching of live
frames only catches re-broadcast known material: live-streamed abuse of a child is new content;
the share itself is a vigil assumption, half so that the demo shows both paths
and a ranking cannot lean on bank matches alone."""
PROLIFIC_SHARE = 0.25
"""Share of buyers who pay prolifically; AIC T&I 589: 3 % of senders made 50 % of transactions,
so a few prolific buyers carry most of a ring's payments."""


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
    population = benign_people(builder, scale)
    lookalikes = lookalike_people(builder, scale)
    bystanders = [*population.ph_locals, *population.consumers, *lookalikes.witnesses()]
    builder.rng("bystanders").shuffle(bystanders)
    rings = max(1, round(RINGS_AT_SCALE_1 * scale))
    for index in range(rings):
        builder.plant_ring(index, on_nat=index == rings // 2, bystanders=bystanders)
    benign_activity(builder, population, scale)
    lookalike_activity(builder, lookalikes, scale)
    return builder.finish(scale)


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
        start = min(START, midnight(min(times)))
        end = max(START + timedelta(days=DAYS), midnight(max(times)) + timedelta(days=1))
        return World(self.seed, scale, start, end, tuple(media),
                     tuple(messages), tuple(payments), tuple(reports),
                     tuple(bank_entries(self.pictures)),
                     Truth(rings, dict(sorted(self.hubs.items())), tuple(self.weak)))
