"""The never-persist canary over ``POST /v1/media/hash`` and HMA's ``/h/hash``.

A drawn picture and a drawn video (each with bytes of its own) go through both routes, raw and
as multipart uploads; afterwards no file under the store's folder or the temporary folder, and no
log line, holds any trace of their bytes.
"""

from __future__ import annotations

import hashlib
import io
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.web.conftest import Keys
from vigil import Settings, hash_path
from vigil.testing.pictures import draw_picture
from vigil.testing.streams import SceneVideo, scene_video_bytes
from vigil.web.app import create_app

SEEDS = (5151, 5152)


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    return {"state": tmp_path / "state", "tmp": private_tmp, "in": tmp_path}


@pytest.fixture
def settings(folders: dict[str, Path]) -> Settings:
    return Settings(database_url=f"sqlite:///{folders['state'] / 'vigil.db'}",
                    media_index="brute")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, background=False),
                    raise_server_exceptions=False) as test_client:
        yield test_client


def _canaries() -> dict[str, bytes]:
    pixels = np.asarray(draw_picture(SEEDS[0]).convert("RGB")).copy()
    pixels[:16, :16] = np.random.default_rng(11).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    video = scene_video_bytes(SceneVideo(seeds=SEEDS, seconds_per_scene=1.0))
    return {"picture.png": buffer.getvalue(), "video.mp4": video}


def test_nothing_of_an_upload_persists(client: TestClient, keys: Keys,
                                       folders: dict[str, Path],
                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    headers = keys("acme", "lookup")
    needles: list[bytes] = []
    for name, data in _canaries().items():
        reference = folders["in"] / name
        reference.write_bytes(data)
        expected = [item.pdq for item in hash_path(reference)]
        reference.unlink()
        raw = client.post("/v1/media/hash", content=data, headers=headers)
        assert raw.status_code == 200, raw.text
        assert [item["pdq"] for item in raw.json()["items"]] == expected
        form = client.post("/v1/media/hash", files={"file": (name, data)}, headers=headers)
        assert [item["path"] for item in form.json()["items"]][0] == name
        hma = client.post("/h/hash", files={"file": (name, data)}, headers=headers).json()
        assert hma["pdq"] == expected[0]
        middle = len(data) // 2
        needles += [data[middle:middle + 48], hashlib.sha256(data).digest()]
    client.post("/v1/reports", json={"report_id": "r1", "reporter": "vidchat:a",
                                     "reported": "vidchat:b", "session_id": "s",
                                     "reported_at": "2026-11-29T10:00:00Z", "reason": "x"},
                headers=keys("acme", "intake"))
    persisted = [p for root in (folders["state"], folders["tmp"]) for p in root.rglob("*")
                 if p.is_file()]
    assert any(p.name.endswith(".db") for p in persisted)
    assert not list(folders["tmp"].iterdir()), "an upload's temporary folder was left behind"
    for path in persisted:
        content = path.read_bytes()
        assert not [n for n in needles if n in content], f"media trace in {path}"
    assert not [n for n in needles if n in caplog.text.encode()]


def test_an_upload_past_the_limit_is_413_and_leaves_nothing(
        folders: dict[str, Path], settings: Settings) -> None:
    small = settings.model_copy(update={"api_max_upload_bytes": 2048})
    with TestClient(create_app(small, background=False)) as client:
        from vigil import Scope, create_key

        _key, token = create_key(client.app.state.vigil.keys,  # type: ignore[attr-defined]
                                 "acme", [Scope.LOOKUP])
        answer = client.post("/v1/media/hash", content=b"\0" * 4096,
                             headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 413
    assert not list(folders["tmp"].iterdir())


def test_what_is_not_media_is_422(client: TestClient, keys: Keys) -> None:
    answer = client.post("/v1/media/hash", content=b"not a picture at all",
                         headers=keys("acme", "lookup"))
    assert answer.status_code == 422 and "upload" in answer.text
