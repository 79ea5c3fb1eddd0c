"""`vigil hash`, `vigil match` and `vigil monitor` in-process, and the never-persist canary."""

import hashlib
import json
import logging
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.testing.pictures import draw_picture
from vigil.testing.streams import SceneVideo, scene_video_bytes

runner = CliRunner()
SEEDS = (4242, 4243, 4244)


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.fixture()
def media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A canary picture (drawn, with a noise patch so its bytes are unique) and a scene video."""
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'state' / 'vigil.db'}")
    monkeypatch.setenv("VIGIL_MEDIA_INDEX", "mih")
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    folder = tmp_path / "in"
    folder.mkdir()
    pixels = np.asarray(draw_picture(SEEDS[0]).convert("RGB")).copy()
    pixels[:16, :16] = np.random.default_rng(7).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(folder / "canary.png")
    video = SceneVideo(seeds=SEEDS, seconds_per_scene=2.0)
    (folder / "canary.mp4").write_bytes(scene_video_bytes(video))
    return {"picture": folder / "canary.png", "video": folder / "canary.mp4",
            "state": tmp_path / "state", "tmp": private_tmp}


def bank_from_hash_output(lines: list[dict[str, object]], path: Path) -> None:
    rows = [f"{row['pdq']},pdq,canary-{i},test" for i, row in enumerate(lines)]
    path.write_text("hash,signal_type,label,source\n" + "\n".join(rows) + "\n")


def test_hash_match_and_monitor(media: dict[str, Path], tmp_path: Path) -> None:
    code, out = invoke("hash", str(media["picture"]), str(media["video"]))
    rows = json_lines(out)
    assert code == 0 and rows[0]["path"] == str(media["picture"])
    assert {"pdq", "quality", "md5", "sha256"} <= set(rows[0])
    frames = [r for r in rows if "frame_number" in r]
    assert len(frames) == 6 and frames[1]["timestamp_s"] == pytest.approx(1.0, abs=0.05)
    code, out = invoke("hash", "--vpdq", str(media["video"]))
    number, quality, pdq, timestamp = out.splitlines()[1].split(",")
    assert code == 0 and int(number) == frames[1]["frame_number"]
    assert pdq == frames[1]["pdq"] and int(quality) == frames[1]["quality"]
    assert float(timestamp) == pytest.approx(float(frames[1]["timestamp_s"]), abs=0.001)  # type: ignore[arg-type]
    assert invoke("hash", "--vpdq", str(media["picture"]))[0] == 1
    first_scene = [r for r in frames if float(r["timestamp_s"]) < 2.0]  # type: ignore[arg-type]
    bank_from_hash_output([rows[0], *first_scene], tmp_path / "bank.csv")
    assert invoke("bank", "import", str(tmp_path / "bank.csv"), "--name", "canary")[0] == 0
    rotated = tmp_path / "rotated.png"
    Image.open(media["picture"]).transpose(Image.Transpose.ROTATE_180).save(rotated)
    code, out = invoke("match", str(rotated), str(media["video"]))
    matches = json_lines(out)
    assert code == 0
    assert any(m["path"] == str(rotated) and m["variant"] != "r0" for m in matches)
    video_hits = [m for m in matches if m["path"] == str(media["video"])]
    assert video_hits
    assert all(float(m["timestamp_s"]) < 2.0 for m in video_hits)  # type: ignore[arg-type]
    code, out = invoke("monitor", str(media["video"]), "--account", "vidchat:streamer",
                       "--store")
    events = json_lines(out)
    assert code == 0 and events and all(e["bank"] == "canary" for e in events)
    assert all(float(e["latency_s"]) < 1.0 for e in events)  # type: ignore[arg-type]


def test_nothing_of_the_media_persists(media: dict[str, Path], tmp_path: Path,
                                       caplog: pytest.LogCaptureFixture) -> None:
    """The canary: push a picture and a video through every media path, then look for them."""
    caplog.set_level(logging.DEBUG)
    code, out = invoke("hash", str(media["picture"]), str(media["video"]))
    assert code == 0
    bank_from_hash_output(json_lines(out), tmp_path / "bank.csv")
    for args in (("bank", "import", str(tmp_path / "bank.csv"), "--name", "canary"),
                 ("match", str(media["picture"]), str(media["video"])),
                 ("monitor", str(media["video"]), "--account", "vidchat:streamer", "--store"),
                 ("run",)):
        assert invoke(*args)[0] == 0, args
    needles = []
    for path in (media["picture"], media["video"]):
        data = path.read_bytes()
        middle = len(data) // 2
        needles += [data[middle:middle + 48], hashlib.sha256(data).hexdigest().encode(),
                    hashlib.sha256(data).digest()]
    persisted = [p for root in (media["state"], media["tmp"]) for p in root.rglob("*")
                 if p.is_file()]
    assert any(p.name.startswith("vigil.db") for p in persisted)
    for path in persisted:
        content = path.read_bytes()
        assert not [n for n in needles if n in content], f"media trace in {path}"
    logged = caplog.text.encode()
    assert not [n for n in needles if n in logged]
