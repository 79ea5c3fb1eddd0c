"""Small synthetic chats with neutral wording (asking age, moving apps, payment, secrecy,
threats to share) for the chat-model tests. Nothing here comes from any corpus."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

OFFENDER = [
    "how old are you", "what grade are you in", "lets move to another app",
    "add me on kik", "dont tell your mom about me", "this is our secret ok",
    "are you home alone", "send the money to my account", "how much for a show",
    "i will share it with everyone", "where do you live", "can we meet this weekend",
    "are your parents around", "you can trust me", "delete our messages after",
]
DECOY = [
    "im 13", "my mom is at work", "lol ok", "what do you mean", "school was boring today",
    "i have homework", "my sister is annoying", "idk", "haha", "i like that song",
    "grade 8", "my dad gets home at six", "cool", "brb", "whats up",
]
BENIGN = [
    "did you restart the service", "try sudo apt update first", "the package is in universe",
    "i loved that movie", "did you see the game last night", "what kernel are you running",
    "the weather is nice today", "i read that book last year", "check the log file",
    "which version is installed", "that team played well", "thanks that fixed it",
]


def _lines(rng: random.Random, pool: list[str], n: int) -> list[str]:
    return [rng.choice(pool) for _ in range(n)]


def labelled_rows(seed: int = 5, offenders: int = 40, benign: int = 60) -> list[dict[str, object]]:
    """Labelled conversations in the benchmark's layout (offender block, then decoy block)."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for i in range(offenders):
        offender, decoy = f"o{i}", f"d{i}"
        messages = ([{"author": offender, "time": None, "text": t}
                     for t in _lines(rng, OFFENDER, 30)]
                    + [{"author": decoy, "time": None, "text": t} for t in _lines(rng, DECOY, 30)])
        rows.append({"conversation_id": f"c{i}", "messages": messages,
                     "predator_authors": [offender]})
    for i in range(benign):
        messages = [{"author": f"b{i}{j % 2}", "time": None, "text": rng.choice(BENIGN)}
                    for j in range(24)]
        rows.append({"conversation_id": f"n{i}", "messages": messages, "predator_authors": []})
    return rows


def write_labelled(folder: Path, gz: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("dev.jsonl.gz" if gz else "dev.jsonl")
    text = "".join(json.dumps(row) + "\n" for row in labelled_rows())
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return folder


def minimal_chat(path: Path) -> Path:
    """Two conversations in the minimal form: one with an offender side, one benign."""
    rng = random.Random(9)
    rows = []
    for n, text in enumerate(_lines(rng, OFFENDER, 12)):
        rows.append({"conversation_id": "chat-1", "author": "alice", "time": None, "text": text})
        rows.append({"conversation_id": "chat-1", "author": "bob", "time": None,
                     "text": DECOY[n % len(DECOY)]})
    for text in _lines(rng, BENIGN, 12):
        rows.append({"conversation_id": "chat-2", "author": "carol", "time": "12:00",
                     "text": text})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
