"""Unicode folding of identifiers, so a typist cannot split one handle into several entities.

Two spellings that look the same must link: NFC and NFD forms, a zero-width joiner or soft hyphen
pasted inside a handle, a Cyrillic ``а`` for a Latin ``a``, full-width digits. :func:`fold` maps
them all to one text:

1. NFKC (Unicode UAX #15): canonical and compatibility forms (full-width, ligatures, math letters);
2. drop invisible characters: general category Cf plus the rest of Unicode's
   ``Default_Ignorable_Code_Point`` set (DerivedCoreProperties.txt: variation selectors, Hangul
   fillers, the combining grapheme joiner, ...);
3. casefold, for kinds whose identifiers ignore case;
4. confusables: each character outside ASCII becomes the representative of its class of visually
   confusable characters (Unicode TR39 ``confusables.txt``, read from the ``confusable-homoglyphs``
   package's copy), repeated to a fixed point so folding twice changes nothing.

Why a *restricted* TR39 skeleton: the full skeleton also maps ASCII onto ASCII (``1`` and ``I`` to
``l``, ``0`` to ``O``, ``m`` to ``rn``), which would merge ``user1`` with ``userl``, handles that
platforms keep apart, and would rewrite every ASCII identifier vigil already stores. Folding only
non-ASCII characters, and preferring an ASCII member as a class's representative, links every
look-alike typed from another script while leaving ASCII identifiers exactly as they were.
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from functools import cache
from importlib import resources

_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
"""Default_Ignorable_Code_Point ranges (Unicode 15.1 DerivedCoreProperties.txt)."""

_MAX_ROUNDS = 4
"""Folding reaches its fixed point in two rounds for every entry of confusables.txt."""


def is_invisible(char: str) -> bool:
    """True for format characters (Cf) and other default-ignorable code points."""
    if unicodedata.category(char) == "Cf":
        return True
    point = ord(char)
    return any(low <= point <= high for low, high in _DEFAULT_IGNORABLE)


def strip_invisible(text: str) -> str:
    return "".join(char for char in text if char.isascii() or not is_invisible(char))


def fold(text: str, *, caseless: bool, confusables: bool = True) -> str:
    """``text`` in its linking form (see the module docstring); ASCII text is returned unchanged.

    ``caseless`` casefolds (the caller still lower-cases ASCII as before); ``confusables=False``
    stops after NFKC and invisible characters, for values such as phone numbers and IP addresses
    whose parsers read digits by value.
    """
    if text.isascii():
        return text
    for _ in range(_MAX_ROUNDS):
        folded = strip_invisible(unicodedata.normalize("NFKC", text))
        if caseless:
            folded = folded.casefold()
        if confusables:
            table = _representatives()
            folded = "".join(char if char.isascii() else table.get(char, char) for char in folded)
        if folded == text:
            break
        text = folded
    return text


@cache
def _representatives() -> dict[str, str]:
    """Each non-ASCII character of confusables.txt mapped to its class's representative."""
    neighbours = _confusable_graph()
    table: dict[str, str] = {}
    for members in _classes(neighbours):
        representative = _representative(members, neighbours)
        for member in members:
            if len(member) == 1 and not member.isascii() and member != representative:
                table[member] = representative
    return table


def _confusable_graph() -> dict[str, set[str]]:
    """The package stores confusables.txt as a symmetric adjacency list; invisibles removed."""
    source = resources.files("confusable_homoglyphs").joinpath("confusables.json")
    raw: dict[str, list[dict[str, str]]] = json.loads(source.read_text(encoding="utf-8"))
    graph: dict[str, set[str]] = defaultdict(set)
    for key, entries in raw.items():
        node = strip_invisible(key)
        for entry in entries:
            other = strip_invisible(entry["c"])
            if node and other and node != other:
                graph[node].add(other)
                graph[other].add(node)
    return graph


def _classes(graph: dict[str, set[str]]) -> list[set[str]]:
    seen: set[str] = set()
    classes: list[set[str]] = []
    for start in sorted(graph):
        if start in seen:
            continue
        members, frontier = {start}, [start]
        while frontier:
            for other in graph[frontier.pop()] - members:
                members.add(other)
                frontier.append(other)
        seen |= members
        classes.append(members)
    return classes


def _representative(members: set[str], graph: dict[str, set[str]]) -> str:
    """The TR39 prototype when it is one ASCII character, else an ASCII member, else the prototype.

    In confusables.txt every class is a star: the prototype is the member adjacent to all others.
    A two-member class has no visible centre, so its multi-character or lowest member stands in.
    """
    centres = [m for m in members if len(members) > 2 and graph[m] >= members - {m}]
    centre = centres[0] if len(centres) == 1 else None
    if centre is not None and len(centre) == 1 and centre.isascii():
        return centre
    ascii_letters = sorted(m for m in members if len(m) == 1 and m.isascii())
    if ascii_letters:
        return ascii_letters[0]
    if centre is not None:
        return centre
    longer = sorted(m for m in members if len(m) > 1)
    return longer[0] if longer else min(members)
