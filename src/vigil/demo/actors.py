"""Synthetic people and the identifiers they use: platform, payment, phone, e-mail, IP, device.

Every identifier is drawn fresh and checked unique, because two people sharing a phone number by
accident would link them as surely as a real shared phone; the only shared identifiers in the demo
world are the ones planted on purpose (hubs, households, cafés). Surnames are not identifiers:
a share of people carry one of a few common Filipino surnames, as in life, so "different surname"
is no oracle for "unrelated". Other names are built from syllables so that no name is a real
person's; e-mails use the RFC 2606 ``example`` domains, IPs the RFC 5737 documentation
ranges and 2001:db8::/32 (RFC 3849), UK mobiles Ofcom's drama range 07700 900xxx and North
American numbers the fictional 555-01xx block; other countries' numbers are random digits in a
valid mobile format.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from vigil.identifiers import EntityKind
from vigil.model import EntityRef

PLATFORM = "vidchat"
"""The (fictional) video-chat platform every platform account lives on."""

CARRIER_NAT_IP = "100.64.17.1"
"""A carrier-grade NAT egress address (RFC 6598 shared space): many subscribers, one IP."""


@dataclass(frozen=True)
class Country:
    """What the generator needs to know about a country: money, clock and payment providers."""

    code: str
    currency: str
    usd_per_unit: float  # illustrative fixed rate, not market data (unverified)
    utc_offset_hours: int
    providers: tuple[str, ...]


PHILIPPINES = Country("PH", "PHP", 0.0175, 8, ("gcash", "maya"))
# Consumer side of the corridor: AMLC 2023 (US half, then UK, AU, CA), FATF 2025 and "Scale of
# Harm" 2023 (AU, US, UK, CA, Europe); providers are the online remitters and P2P channels
# named by Egmont (2020), Nottingham Rights Lab and FATF (2025).
CONSUMER_COUNTRIES: tuple[Country, ...] = (
    Country("US", "USD", 1.0, -5, ("remitly", "paypal", "wise")),
    Country("US", "USD", 1.0, -8, ("remitly", "paypal", "worldremit")),
    Country("GB", "GBP", 1.27, 0, ("wise", "worldremit", "paypal")),
    Country("AU", "AUD", 0.66, 10, ("wise", "remitly", "worldremit")),
    Country("CA", "CAD", 0.73, -5, ("remitly", "wise")),
    Country("SE", "SEK", 0.095, 1, ("wise", "paypal")),
    Country("NZ", "NZD", 0.60, 12, ("wise", "remitly")),
)

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr",
           "gr", "kl", "st", "tr")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ou")
_CODAS = ("", "n", "r", "l", "s", "m", "th", "nd", "rk")
_GIVEN = ("Alex", "Ana", "Ben", "Carla", "Dan", "Dina", "Eli", "Ella", "Finn", "Gina", "Hugo",
          "Ida", "Jon", "Joy", "Kai", "Lea", "Leo", "Mara", "Max", "Nina", "Omar", "Pia", "Rey",
          "Rosa", "Sam", "Tess", "Theo", "Uma", "Vic", "Wren", "Yael", "Zed")
_HANDLE_WORDS = ("blue", "river", "lucky", "sunny", "kite", "maple", "pixel", "comet", "tiger",
                 "mango", "cloud", "ember", "frost", "lotus", "orbit", "pebble", "quartz", "robin",
                 "sable", "tango", "umber", "velvet", "willow", "yonder", "zephyr", "coral")
COMMON_SURNAMES = ("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Flores")
"""Among the most common surnames in the Philippines (forebears.io surname counts, unverified);
illustrative only. Unrelated families share them, in the Philippines and in its diaspora."""
COMMON_SURNAME_SHARE = 0.25
"""Share of fresh surnames drawn from ``COMMON_SURNAMES`` (vigil assumption)."""
MARRIED_NAME_SHARE = 0.3
"""Share of relatives abroad who carry a married name, not the family's (vigil assumption)."""
_US_AREAS = ("201", "202", "212", "305", "312", "415", "503", "602", "713", "808", "917", "971")
_CA_AREAS = ("403", "416", "514", "604", "613", "780")
_PH_PREFIXES = ("917", "918", "919", "920", "927", "935", "945", "966", "977", "995")

@dataclass(frozen=True)
class Person:
    """One synthetic person and the identifiers they use (``None`` where they have none)."""

    given: str
    surname: str
    country: Country
    account: str | None
    payment_account: str | None
    phone: str | None
    email: str | None
    ip: str
    device: str

    @property
    def full_name(self) -> str:
        return f"{self.given} {self.surname}"

    def refs(self) -> list[EntityRef]:
        """Every identifier this person carries, normalised, in a fixed order."""
        pairs = ((EntityKind.ACCOUNT, self.account),
                 (EntityKind.PAYMENT_ACCOUNT, self.payment_account),
                 (EntityKind.PHONE, self.phone), (EntityKind.EMAIL, self.email),
                 (EntityKind.IP, self.ip), (EntityKind.DEVICE, self.device))
        return [EntityRef.of(kind, value) for kind, value in pairs if value is not None]


class IdentityFactory:
    """Draws synthetic identifiers from one seeded generator, never the same one twice."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = {CARRIER_NAT_IP}

    def _unique(self, make: Callable[[], str]) -> str:
        for _ in range(1000):
            value = make()
            if value not in self._used:
                self._used.add(value)
                return value
        raise RuntimeError("identifier space exhausted; lower the demo scale")

    def surname(self) -> str:
        """A common surname now and then, otherwise a fresh syllable-built one."""
        if self._rng.random() < COMMON_SURNAME_SHARE:
            return self._rng.choice(COMMON_SURNAMES)

        def make() -> str:
            parts = [self._rng.choice(_ONSETS) + self._rng.choice(_VOWELS)
                     for _ in range(self._rng.randint(2, 3))]
            return ("".join(parts) + self._rng.choice(_CODAS)).capitalize()
        return self._unique(make)

    def handle(self) -> str:
        def make() -> str:
            words = self._rng.sample(_HANDLE_WORDS, 2)
            return f"{PLATFORM}:{words[0]}_{words[1]}{self._rng.randint(1, 999)}"
        return self._unique(make)

    def phone(self, country: Country) -> str:
        return self._unique(lambda: _phone_number(self._rng, country.code))

    def email(self, given: str, surname: str) -> str:
        def make() -> str:
            domain = self._rng.choice(("example.com", "example.net", "example.org"))
            return f"{given}.{surname}{self._rng.randint(1, 99)}@{domain}".lower()
        return self._unique(make)

    def ip(self) -> str:
        def make() -> str:
            if self._rng.random() < 0.5:
                block = self._rng.choice(("192.0.2", "198.51.100", "203.0.113"))
                return f"{block}.{self._rng.randint(1, 254)}"
            return f"2001:db8:{self._rng.getrandbits(16):x}::{self._rng.getrandbits(16):x}"
        return self._unique(make)

    def device(self) -> str:
        return self._unique(lambda: f"{self._rng.choice(('android', 'ios'))}-"
                                    f"{self._rng.getrandbits(48):012x}")

    def token(self, prefix: str) -> str:
        """A fresh opaque id such as ``vidchat:c-3f9a...`` (conversations) or ``live-...``."""
        return self._unique(lambda: f"{prefix}{self._rng.getrandbits(40):010x}")

    def payment_account(self, country: Country, phone: str, email: str) -> str:
        """PH wallets are keyed by the mobile number (E.164, as chat extraction writes it: a
        "send to gcash 0917..." in a chat must meet the payment records); remitters by number."""
        provider = self._rng.choice(country.providers)
        if provider in ("gcash", "maya"):
            return self._unique(lambda: f"{provider}:{phone}")
        if provider == "paypal":
            return self._unique(lambda: f"paypal:{email}")
        return self._unique(lambda: f"{provider}:{self._rng.randint(10**7, 10**9 - 1)}")

    def person(self, country: Country, surname: str | None = None, *,
               platform: bool = True, payments: bool = True, ip: str | None = None) -> Person:
        """A person in ``country``; pass ``surname`` to make a relative, ``ip`` to share one."""
        given = self._rng.choice(_GIVEN)
        family = surname or self.surname()
        phone = self.phone(country) if payments else None
        email = self.email(given, family) if payments else None
        wallet = (self.payment_account(country, phone, email)
                  if phone is not None and email is not None else None)
        return Person(given, family, country, self.handle() if platform else None, wallet,
                      phone, email, ip or self.ip(), self.device())


def _phone_number(rng: random.Random, code: str) -> str:
    """A possible (E.164-length) mobile number in ``code``; fictional ranges where they exist."""
    if code == "PH":
        return f"+63{rng.choice(_PH_PREFIXES)}{rng.randint(0, 9999999):07d}"
    if code == "US":
        return f"+1{rng.choice(_US_AREAS)}55501{rng.randint(0, 99):02d}"
    if code == "CA":
        return f"+1{rng.choice(_CA_AREAS)}55501{rng.randint(0, 99):02d}"
    if code == "GB":
        return f"+447700900{rng.randint(0, 999):03d}"
    if code == "AU":
        return f"+614{rng.randint(0, 99999999):08d}"
    if code == "SE":
        return f"+4670{rng.randint(0, 9999999):07d}"
    if code == "NZ":
        return f"+6421{rng.randint(0, 9999999):07d}"
    raise ValueError(f"no phone plan for country {code!r}")


@dataclass(frozen=True)
class Ring:
    """A planted ring: facilitator, relatives' wallets, victims' accounts and remote buyers.

    Victims share the facilitator's surname and household connection: IJM (2020) found 8 in 10
    perpetrators related to the victim, and AMLC (2020) that relatives receive the payments.
    """

    ring_id: str
    facilitator: Person
    co_wallets: tuple[Person, ...]
    victims: tuple[Person, ...]
    buyers: tuple[Person, ...]

    @property
    def wallets(self) -> tuple[Person, ...]:
        return (self.facilitator, *self.co_wallets)

    def people(self) -> tuple[Person, ...]:
        return (*self.wallets, *self.victims, *self.buyers)


def draw_ring(rng: random.Random, factory: IdentityFactory, ring_id: str,
              facilitator_ip: str | None = None) -> Ring:
    """1-3 victims and 3-6 buyers in consumer countries (AUSTRAC: several senders, one payee)."""
    household = factory.ip()
    facilitator = factory.person(PHILIPPINES, ip=facilitator_ip or household)
    family = facilitator.surname
    co_wallets = tuple(factory.person(PHILIPPINES, family, platform=False, ip=household)
                       for _ in range(rng.choice((0, 1, 2, 2))))
    victims = tuple(factory.person(PHILIPPINES, family, payments=False, ip=household)
                    for _ in range(rng.randint(1, 3)))
    buyers = tuple(factory.person(rng.choice(CONSUMER_COUNTRIES))
                   for _ in range(rng.randint(3, 6)))
    return Ring(ring_id, facilitator, co_wallets, victims, buyers)


@dataclass(frozen=True)
class Family:
    """Relatives abroad and at home in the Philippines: one surname, save for married names."""

    abroad: tuple[Person, ...]
    home: tuple[Person, ...]


def draw_family(rng: random.Random, factory: IdentityFactory, nat_share: float) -> Family:
    """One to three relatives abroad, one or two at home (some behind the carrier NAT)."""
    surname = factory.surname()
    country = rng.choice(CONSUMER_COUNTRIES)
    abroad = tuple(factory.person(country if rng.random() < 0.7 else
                                  rng.choice(CONSUMER_COUNTRIES),
                                  factory.surname() if rng.random() < MARRIED_NAME_SHARE
                                  else surname)
                   for _ in range(rng.choice((1, 1, 1, 2, 3))))
    home = tuple(factory.person(PHILIPPINES, surname,
                                ip=CARRIER_NAT_IP if rng.random() < nat_share else None)
                 for _ in range(rng.choice((1, 1, 2))))
    return Family(abroad, home)
