"""Benign look-alikes that trip several kinds of signal at once: the demo world's hard negatives.

Each is drawn from what trust-and-safety and financial-intelligence teams describe as their false
positives: online tutors and virtual assistants in the Philippines paid by several unrelated
payers abroad, who quote rates, name e-wallets and move calls to Skype; families with a parent
working abroad who remit small sums weekly "for school fees" and video-call the children from a
shared household address; creators tipped by many small payers; internet cafés where unrelated
people share one address; and panic reports filed in anger, full of alarming keywords, against
accounts that did nothing. A few of them forward one known picture once, as people do when a
picture goes viral and they share it in outrage (Meta found that more than 75 % of the people who
shared such material showed no apparent malicious intent: "Preventing Child Exploitation on Our
Apps", February 2021). None of them streams banked material again and again, negotiates a "show",
or keeps a child's contact secret; a ranking that counts kinds of signal cannot tell them from
rings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from vigil.demo.actors import CONSUMER_COUNTRIES, PHILIPPINES, Person
from vigil.demo.chats import Thread, everyday_values, scripted
from vigil.demo.clock import DAYS, START, any_time, count_at_scale
from vigil.demo.lookalike_chats import LOOKALIKE_SCRIPTS, lookalike_values
from vigil.demo.media import known_pictures, shared_file
from vigil.demo.money import Transfer, party, steady_transfers
from vigil.demo.parts import WorldParts as Builder
from vigil.identifiers import EntityKind
from vigil.model import EntityRef

# Counts at scale 1 (vigil assumptions: a handful of each, enough to crowd the top of a queue
# ranked by the number of signal kinds, which holds eight rings).
WORKERS = 8
"""Online tutors and virtual assistants (odd-numbered ones are assistants)."""
WORKER_PAYERS = (3, 6)
PARENTS_ABROAD = 8
CREATORS = 3
CREATOR_TIPPERS = (10, 24)
CAFES = 2
CAFE_USERS = (6, 10)
"""More accounts than a household: the Philippine average household is 4.1 people (PSA, 2020
Census of Population and Housing)."""
FALSE_REPORTS = 24
OUTRAGE_SHARES = 4
"""Look-alikes who forward one known picture once, each a different one, and are reported for it
by the one who received it (vigil assumption)."""
SHARE_REASONS = ("sent me a disturbing picture", "forwarded something awful", "bad picture")
WORKER_USD = (10.0, 35.0)
WORKER_GAP_DAYS = (5.0, 12.0)
WORKER_REFERENCES = ("tutoring fees", "english lessons", "invoice", "", "weekly hours")
ALLOWANCE_USD = (15.0, 35.0)
ALLOWANCE_GAP_DAYS = (5.0, 10.0)
"""A weekly allowance from a parent abroad: the amounts and rhythm of a prolific buyer (R2)."""
ALLOWANCE_REFERENCES = ("for school fees", "allowance", "baon", "tuition", "", "for groceries")
TIP_USD = (3.0, 14.0)
FALSE_REASONS = (
    "threat", "this account is a threat", "suspicious payment request", "asked for payment",
    "talks to kids online", "there were kids in the call", "payment scam, be careful",
    "threatening messages", "asks everyone for money", "weird with kids",
)
"""Keyword-laden reasons with no indicator behind them: what angry or mistaken users type."""


@dataclass(frozen=True)
class Lookalikes:
    """The look-alike people, drawn before the rings so that any of them can be a bystander."""

    workers: tuple[tuple[Person, tuple[Person, ...], tuple[Person, ...]], ...]
    """(tutor or assistant, payers abroad, pupils or clients' children on the platform)."""
    families: tuple[tuple[Person, Person, Person, tuple[Person, ...]], ...]
    """(parent abroad, spouse at home, grandparent with a maiden name, children)."""
    creators: tuple[tuple[Person, tuple[Person, ...]], ...]
    cafes: tuple[tuple[str, tuple[Person, ...]], ...]

    def witnesses(self) -> list[Person]:
        """Accounts that chat with a look-alike: each has a case of its own to glue to a ring's."""
        pupils = [p for _, _, pupils in self.workers for p in pupils]
        children = [c for *_, kids in self.families for c in kids]
        return [*pupils, *children, *(u for _, users in self.cafes for u in users)]

    def earners(self) -> list[Person]:
        """Look-alikes paid from abroad: tutors, assistants, creators, spouses of parents abroad."""
        return [*(w for w, _, _ in self.workers), *(c for c, _ in self.creators),
                *(spouse for _, spouse, _, _ in self.families)]

    def reportable(self) -> list[Person]:
        """Look-alikes a false report may name."""
        home = [p for _, spouse, _, kids in self.families for p in (spouse, *kids)]
        return [*(w for w, _, _ in self.workers), *(c for c, _ in self.creators), *home,
                *(u for _, users in self.cafes for u in users)]


def lookalike_people(builder: Builder, scale: float) -> Lookalikes:
    rng, factory = builder.rng("lookalike-people"), builder.factory
    cafes = []
    for _ in range(count_at_scale(CAFES, scale)):
        ip = factory.ip()
        users = tuple(factory.person(PHILIPPINES, ip=ip) for _ in range(rng.randint(*CAFE_USERS)))
        cafes.append((ip, users))
    workers = []
    for index in range(count_at_scale(WORKERS, scale)):
        behind_cafe = cafes[index % len(cafes)][0] if index % 2 == 0 else None
        worker = factory.person(PHILIPPINES, ip=behind_cafe)
        payers = tuple(factory.person(rng.choice(CONSUMER_COUNTRIES))
                       for _ in range(rng.randint(*WORKER_PAYERS)))
        pupils = tuple(factory.person(p.country, p.surname, payments=False, ip=p.ip)
                       for p in payers if rng.random() < 0.6)
        workers.append((worker, payers, pupils))
    families = []
    for _ in range(count_at_scale(PARENTS_ABROAD, scale)):
        household = factory.ip()
        spouse = factory.person(PHILIPPINES, ip=household)
        parent = factory.person(rng.choice(CONSUMER_COUNTRIES), spouse.surname)
        grandparent = factory.person(PHILIPPINES, platform=False, ip=household)
        kids = tuple(factory.person(PHILIPPINES, spouse.surname, payments=False, ip=household)
                     for _ in range(rng.randint(1, 2)))
        families.append((parent, spouse, grandparent, kids))
    creators = tuple(
        (factory.person(PHILIPPINES), tuple(factory.person(rng.choice(CONSUMER_COUNTRIES),
                                                           platform=rng.random() < 0.5)
                                            for _ in range(rng.randint(*CREATOR_TIPPERS))))
        for _ in range(count_at_scale(CREATORS, scale)))
    return Lookalikes(tuple(workers), tuple(families), creators, tuple(cafes))


def lookalike_activity(builder: Builder, people: Lookalikes, scale: float) -> None:
    rng = builder.rng("lookalikes")
    for index, (worker, payers, pupils) in enumerate(people.workers):
        _worker(builder, rng, worker, payers, pupils, "assistant" if index % 2 else "tutor")
    for parent, spouse, grandparent, kids in people.families:
        _family_abroad(builder, rng, parent, spouse, grandparent, kids)
    for creator, tippers in people.creators:
        _creator(builder, rng, creator, tippers)
    for number, (ip, users) in enumerate(people.cafes, start=1):
        _cafe(builder, rng, users)
        builder.hubs[f"internet_cafe_{number}"] = str(EntityRef.of(EntityKind.IP, ip))
    _false_reports(builder, rng, people, count_at_scale(FALSE_REPORTS, scale))
    _outrage_shares(builder, rng, people, count_at_scale(OUTRAGE_SHARES, scale))


def _play(rng: random.Random, thread: Thread, script: str, times: int,
          values: dict[str, str]) -> None:
    for _ in range(times):
        scripted(rng, thread, script, any_time(rng), values, LOOKALIKE_SCRIPTS)


def _worker(builder: Builder, rng: random.Random, worker: Person, payers: tuple[Person, ...],
            pupils: tuple[Person, ...], role: str) -> None:
    """Weekly fees from each payer (fan-in, R4; prolific, R2), rates chat, a class on Skype."""
    for payer in payers:
        builder.transfers += steady_transfers(rng, payer, [party(worker)], START, DAYS,
                                              WORKER_GAP_DAYS, WORKER_USD, WORKER_REFERENCES)
        values = lookalike_values(rng, worker.payment_account, worker.full_name, (8, 20))
        _play(rng, builder.thread(payer, worker), f"{role}_rates", 1, values)
    for pupil in pupils:
        values = lookalike_values(rng, None, worker.full_name, (8, 20))
        _play(rng, builder.thread(worker, pupil), "tutor_pupil", rng.randint(1, 2),
              values)


def _family_abroad(builder: Builder, rng: random.Random, parent: Person, spouse: Person,
                   grandparent: Person, kids: tuple[Person, ...]) -> None:
    """A weekly allowance to the spouse, a monthly one to the grandparent, calls with the kids."""
    builder.transfers += steady_transfers(rng, parent, [party(spouse)], START, DAYS,
                                          ALLOWANCE_GAP_DAYS, ALLOWANCE_USD, ALLOWANCE_REFERENCES)
    builder.transfers += steady_transfers(rng, parent, [party(grandparent)], START, DAYS,
                                          (27.0, 33.0), (30.0, 80.0), ("for lola", "medicine"))
    for kid in kids:
        values = lookalike_values(rng, spouse.payment_account, spouse.full_name, (5, 20))
        _play(rng, builder.thread(parent, kid), "parent_child", rng.randint(1, 3),
              values)


def _creator(builder: Builder, rng: random.Random, creator: Person,
             tippers: tuple[Person, ...]) -> None:
    """Many small tips from fans abroad (fan-in well past R4's three senders)."""
    for tipper in tippers:
        for _ in range(rng.randint(1, 6)):
            builder.transfers.append(Transfer(party(tipper), party(creator), any_time(rng),
                                              rng.uniform(*TIP_USD), rng.choice(("tip", ""))))
        if tipper.account is not None and rng.random() < 0.5:
            values = lookalike_values(rng, creator.payment_account, creator.full_name, (3, 10))
            _play(rng, builder.thread(tipper, creator), "fan_creator", 1, values)


def _cafe(builder: Builder, rng: random.Random, users: tuple[Person, ...]) -> None:
    """Strangers at one café chat with each other now and then: one address, no relation."""
    for _ in range(len(users) // 2):
        first, second = rng.sample(users, 2)
        scripted(rng, builder.thread(first, second), "friends", any_time(rng),
                 everyday_values(rng, None))


def _false_reports(builder: Builder, rng: random.Random, people: Lookalikes, count: int) -> None:
    """Alarming words, no indicator: reporters who have chats of their own, against look-alikes."""
    reportable = people.reportable()
    earners = people.earners()
    reporters = people.witnesses()
    for _ in range(count):
        reported = rng.choice(earners if rng.random() < 0.7 else reportable)
        reporter = rng.choice([p for p in reporters if p is not reported])
        at = any_time(rng) + timedelta(hours=rng.uniform(0, 12))
        builder.reports.append(builder.desk.file(reporter, reported, at,
                                                 rng.choice(FALSE_REASONS)))


def _outrage_shares(builder: Builder, rng: random.Random, people: Lookalikes, count: int) -> None:
    """Known pictures no ring streams (a bank holds far more than one platform's rings show),
    each forwarded once by a different tutor or assistant, who is reported for it."""
    pictures = known_pictures(rng, builder.painter, count, len(builder.pictures) + 1)
    builder.pictures += pictures
    sharers = rng.sample([w for w, _, _ in people.workers], min(count, len(people.workers)))
    for picture, sharer in zip(pictures, sharers, strict=True):
        at = any_time(rng)
        builder.media.append(shared_file(builder.factory.token("file-"), sharer, picture, at))
        reporter = rng.choice([p for p in people.witnesses() if p is not sharer])
        builder.reports.append(builder.desk.file(reporter, sharer, at + timedelta(hours=1),
                                                 rng.choice(SHARE_REASONS)))
