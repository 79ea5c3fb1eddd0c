"""People and accounts of the payment world: names, countries, accounts, and local clocks."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from vigil.demo.actors import Country
from vigil.demo.payworld.calibration import CONSUMER_WEIGHTS, CONSUMERS

WESTERN_GIVEN = ("James", "John", "Robert", "Michael", "David", "Richard", "Mark", "Paul", "Peter",
                 "Gary", "Steven", "Kevin", "Brian", "Susan", "Karen", "Linda", "Helen", "Anne",
                 "Emma", "Lukas", "Jonas", "Oliver", "Jack", "Liam", "Noah", "Sophie", "Grace")
WESTERN_SURNAMES = ("Smith", "Jones", "Brown", "Wilson", "Taylor", "Miller", "Davis", "Clark",
                    "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker",
                    "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter",
                    "Phillips", "Evans", "Turner", "Parker", "Collins", "Edwards", "Stewart",
                    "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Schmidt", "Weber")
FILIPINO_GIVEN = ("Maria", "Jose", "Juan", "Ana", "Mark", "Angel", "Jerome", "Kristine", "Joy",
                  "Rosa", "Ramon", "Lorna", "Rodel", "Marites", "Jenny", "Arnel", "Liza",
                  "Ricky", "Cherry", "Noel", "Grace", "Rowena", "Edwin", "Mylene", "Dante")
FILIPINO_SURNAMES = ("Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza",
                     "Torres", "Tomas", "Andrada", "Castillo", "Flores", "Villanueva", "Ramos",
                     "Castro", "Rivera", "Aquino", "Navarro", "Salazar", "Mercado", "Aguilar",
                     "Domingo", "Gonzales", "Lopez", "Pascual", "Manalo", "Soriano", "Valdez",
                     "Dizon", "Santiago", "Fernandez", "Del Rosario", "Dela Cruz", "Panganiban")


@dataclass(frozen=True)
class Account:
    """One payment account and the KYC facts the institution holds for it."""

    account: str
    name: str
    country: Country
    kind: str = "individual"


@dataclass
class AccountFactory:
    """Unique accounts: ``provider:<serial>`` so ids never collide across roles."""

    rng: random.Random
    serial: int = 0
    used: set[str] = field(default_factory=set)

    def make(self, country: Country, name: str, kind: str = "individual") -> Account:
        self.serial += 1
        provider = self.rng.choice(country.providers)
        return Account(f"{provider}:{country.code.lower()}{self.serial:07d}", name, country, kind)

    def consumer_country(self) -> Country:
        return self.rng.choices(CONSUMERS, weights=CONSUMER_WEIGHTS)[0]

    def western(self, country: Country | None = None) -> Account:
        name = f"{self.rng.choice(WESTERN_GIVEN)} {self.rng.choice(WESTERN_SURNAMES)}"
        return self.make(country or self.consumer_country(), name)

    def filipino(self, country: Country, surname: str | None = None) -> Account:
        family = surname or self.rng.choice(FILIPINO_SURNAMES)
        return self.make(country, f"{self.rng.choice(FILIPINO_GIVEN)} {family}")


def surname_of(account: Account) -> str:
    return account.name.split(" ", 1)[1] if " " in account.name else account.name


def local_moment(rng: random.Random, start: datetime, day: float, country: Country,
                 hours: tuple[float, float]) -> datetime:
    """A moment on ``day`` at a local hour in ``hours`` (past 24 runs into the next day),
    aware in the sender's own UTC offset, as a remitter's export writes it."""
    from datetime import timezone
    zone = timezone(timedelta(hours=country.utc_offset_hours))
    midnight = start.replace(tzinfo=zone) + timedelta(days=int(day))
    return midnight + timedelta(hours=rng.uniform(*hours))
