"""Writing a demo world to disk in the formats vigil's importers read.

One JSON Lines file per record kind, each line a JSON object whose keys are exactly the record's
fields (what :mod:`vigil.importers.jsonl` validates), and the known bank as bank CSV
(``hash,signal_type,label,source``, :mod:`vigil.media.banks.files`). Lines and rows keep a fixed
order and keys their field order, so one seed gives the same bytes on every run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from vigil.demo.world import World
from vigil.media.banks.files import bank_csv_text
from vigil.records import Record

FILE_NAMES = {"media": "media.jsonl", "messages": "messages.jsonl",
              "payments": "payments.jsonl", "reports": "reports.jsonl", "bank": "bank.csv"}
"""What :func:`write_world` writes, by the key it returns the path under."""


def jsonl_text(records: Sequence[Record]) -> str:
    """One compact JSON object per line, keys in field order, non-ASCII kept as written."""
    return "".join(json.dumps(record.model_dump(mode="json"), ensure_ascii=False,
                              separators=(",", ":")) + "\n" for record in records)


def write_world(world: World, directory: Path) -> dict[str, Path]:
    """Write ``world`` under ``directory`` (created if needed); returns each file's path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    texts = {"media": jsonl_text(world.media), "messages": jsonl_text(world.messages),
             "payments": jsonl_text(world.payments), "reports": jsonl_text(world.reports),
             "bank": bank_csv_text(world.bank)}
    paths: dict[str, Path] = {}
    for key, text in texts.items():
        path = directory / FILE_NAMES[key]
        path.write_text(text, encoding="utf-8", newline="")
        paths[key] = path
    return paths
