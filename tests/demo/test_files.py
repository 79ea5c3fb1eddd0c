import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vigil.demo import FILE_NAMES, World, generate_world, write_world
from vigil.records import RECORD_TYPES, RecordKind, record_from_dict

KINDS = {"media": RecordKind.MEDIA, "messages": RecordKind.MESSAGE,
         "payments": RecordKind.PAYMENT, "reports": RecordKind.REPORT}


def _digests(directory: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(directory.iterdir())}


def test_write_world_writes_every_file(small_world: World, tmp_path: Path) -> None:
    paths = write_world(small_world, tmp_path / "out")
    assert set(paths) == set(FILE_NAMES)
    assert {path.name for path in paths.values()} == set(FILE_NAMES.values())
    for key, path in paths.items():
        assert path.parent == tmp_path / "out"
        assert path.stat().st_size > 0, key
    with paths["bank"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["hash", "signal_type", "label", "source"]
    assert len(rows) - 1 == len(small_world.bank)


@pytest.mark.parametrize("key", sorted(KINDS))
def test_every_line_round_trips_as_its_record_class(world: World, tmp_path: Path,
                                                    key: str) -> None:
    path = write_world(world, tmp_path)[key]
    expected = getattr(world, key)
    fields = set(RECORD_TYPES[KINDS[key]].model_fields)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(expected) > 0
    for line, original in zip(lines, expected, strict=True):
        data = json.loads(line)
        assert set(data) == fields
        record = record_from_dict(KINDS[key], data)
        assert record == original


def test_same_seed_same_bytes_different_seed_different_bytes(tmp_path: Path) -> None:
    first = _digests(write_world(generate_world(seed=3, scale=0.2), tmp_path / "a")["media"].parent)
    again = _digests(write_world(generate_world(seed=3, scale=0.2), tmp_path / "b")["media"].parent)
    other = _digests(write_world(generate_world(seed=4, scale=0.2), tmp_path / "c")["media"].parent)
    assert first == again
    assert all(first[name] != other[name] for name in first)


def test_bytes_do_not_depend_on_the_process_hash_seed(tmp_path: Path) -> None:
    """Set iteration order changes with PYTHONHASHSEED; the world must not."""
    script = ("import sys; from pathlib import Path; from vigil.demo import generate_world, "
              "write_world; write_world(generate_world(seed=5, scale=0.1), Path(sys.argv[1]))")
    digests = []
    for hash_seed in ("1", "2"):
        out = tmp_path / hash_seed
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=env)
        digests.append(_digests(out))
    assert digests[0] == digests[1]
