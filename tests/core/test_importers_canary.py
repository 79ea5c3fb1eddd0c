"""The never-persist canary, for the quarantine: media smuggled into an import leaves no trace.

A benign drawn picture goes in twice, base64-encoded in a field of a media row and as a binary
``.jpg`` renamed ``.jsonl``; afterwards the store's files are searched for its bytes, its base64
and their SHA-256 digests.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.testing.pictures import draw_picture

WINDOW = 32


def canary_jpeg() -> bytes:
    """A drawn picture with a noise patch, so that its bytes occur nowhere else."""
    pixels = np.asarray(draw_picture(4343).convert("RGB")).copy()
    pixels[:16, :16] = np.random.default_rng(11).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="JPEG", quality=90)
    return out.getvalue()


def windows(data: bytes, size: int = WINDOW) -> list[bytes]:
    """Every ``size``-byte slice at a ``size`` stride, past the JPEG header's shared tables."""
    return [data[i:i + size] for i in range(1024, len(data) - size, size)]


def test_quarantine_keeps_nothing_of_smuggled_media(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state"
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{state / 'vigil.db'}")
    jpeg = canary_jpeg()
    encoded = base64.b64encode(jpeg)
    row = {"observation_id": "o1", "account": "vc:seller", "observed_at": "2026-01-01T00:00:00Z",
           "pdq": "f" * 64, "thumbnail": encoded.decode()}
    smuggled = tmp_path / "media.jsonl"
    smuggled.write_text(json.dumps(row) + "\n")
    renamed = tmp_path / "photo.jsonl"
    renamed.write_bytes(jpeg)
    runner = CliRunner()
    for path in (smuggled, renamed):
        result = runner.invoke(app, ["import", "media", str(path)])
        assert result.exit_code == 1, result.output  # nothing accepted: all quarantined
    listed = runner.invoke(app, ["quarantine", "--limit", "100"])
    assert listed.exit_code == 0 and "thumbnail" in listed.output
    stored = b"".join(p.read_bytes() for p in state.iterdir() if p.is_file())
    assert b"quarantine" in stored and b"thumbnail" in stored  # the entries are there
    needles = [*windows(jpeg), *windows(encoded, 44),
               *(hashlib.sha256(v).hexdigest().encode() for v in (jpeg, encoded))]
    assert [n for n in needles if n in stored] == []
    assert stored.count(b"photo.jsonl") >= 1
