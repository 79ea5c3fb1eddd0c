"""A seeded synthetic world of platform and payment records with planted rings and ground truth.

``generate_world(seed)`` needs nothing outside the package: the people, chats, payments and
pictures are all drawn by code, and the same seed gives the same world on every machine. Rings
hide among benign look-alikes (family remittances, market chat, hubs shared by many users, and
tutors, parents abroad, creators, internet cafés and false reports that trip several kinds of
signal at once) so that ``evaluate`` measures what a pipeline finds in the top of its queue, and
its ``kinds_baseline`` what ranking by the number of kinds of signal would.
"""

from vigil.demo.files import FILE_NAMES, write_world
from vigil.demo.media import BANK_NAME
from vigil.demo.truth import (
    Evaluation,
    PlantedRing,
    Truth,
    evaluate,
    kinds_baseline,
    ring_hit,
)
from vigil.demo.world import World, generate_world

__all__ = [
    "BANK_NAME",
    "FILE_NAMES",
    "Evaluation",
    "PlantedRing",
    "Truth",
    "World",
    "evaluate",
    "generate_world",
    "kinds_baseline",
    "ring_hit",
    "write_world",
]
