"""A seeded synthetic world of platform and payment records with planted rings and ground truth.

``generate_world(seed)`` needs nothing outside the package: the people, chats, payments and
pictures are all drawn by code, and the same seed gives the same world on every machine. Rings
hide among benign look-alikes (family remittances, market chat, hubs shared by many users) so that
``evaluate`` measures what a pipeline finds in the top of its queue, not what any rule would.
"""

from vigil.demo.files import FILE_NAMES, write_world
from vigil.demo.media import BANK_NAME
from vigil.demo.truth import Evaluation, PlantedRing, Truth, evaluate, ring_hit
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
    "ring_hit",
    "write_world",
]
