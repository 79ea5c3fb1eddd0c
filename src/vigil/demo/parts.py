"""What benign activity needs from the world being built, as a Protocol.

:class:`vigil.demo.world.Builder` satisfies it; :mod:`vigil.demo.benign` takes it instead of the
builder itself, so that ``benign`` need not import ``world`` (which imports ``benign``).
"""

from __future__ import annotations

import random
from typing import Protocol

from vigil.demo.actors import IdentityFactory, Person
from vigil.demo.chats import Thread
from vigil.demo.media import KnownPicture, Painter
from vigil.demo.money import Transfer
from vigil.demo.reports import ReportDesk
from vigil.records import MediaObservation, PanicReport


class WorldParts(Protocol):
    """The builder's collections and helpers that benign users add to."""

    factory: IdentityFactory
    desk: ReportDesk
    transfers: list[Transfer]
    media: list[MediaObservation]
    reports: list[PanicReport]
    hubs: dict[str, str]
    bystanders: set[str]
    weak: list[str]
    painter: Painter
    pictures: list[KnownPicture]

    def rng(self, part: str) -> random.Random:
        """A generator for one part of the world."""

    def thread(self, first: Person, second: Person) -> Thread:
        """A new chat thread between two people."""
