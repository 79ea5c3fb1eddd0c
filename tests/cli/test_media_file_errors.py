"""``vigil hash``, ``match`` and ``monitor`` on files they cannot read: one line on stderr naming
each bad file and why, the good files still processed, exit 1, never a traceback.

Every bad file is made here (drawn pictures cut, patched or declared huge; text; random bytes).
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner, Result

from vigil.cli.main import app
from vigil.media.file_errors import IMAGE_PIXEL_LIMIT, file_error
from vigil.testing.pictures import draw_picture
from vigil.testing.streams import SceneVideo, scene_video_bytes

runner = CliRunner()
UNREADABLE = "not an image or video PyAV/Pillow can read"


def _jpeg() -> bytes:
    out = io.BytesIO()
    draw_picture(11).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def _png_declaring(width: int, height: int) -> bytes:
    """A valid, tiny PNG whose header claims ``width`` x ``height`` pixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0"))
            + chunk(b"IEND", b""))


def _jpeg_declaring(width: int, height: int) -> bytes:
    """A drawn JPEG with its frame header (SOF0) patched to claim another size."""
    data = bytearray(_jpeg())
    at = data.index(b"\xff\xc0") + 5  # marker, length (2), precision (1), then height, width
    data[at:at + 4] = struct.pack(">HH", height, width)
    return bytes(data)


def _write(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _deny(path: Path) -> None:
    path.write_bytes(_jpeg())


# name, how to make it, what the one line must say
CASES: list[tuple[str, Callable[[Path], None], str]] = [
    ("text.jpg", _write(b"hello, not a picture\n"), UNREADABLE),
    ("zero.jpg", _write(b""), UNREADABLE),
    ("folder.jpg", lambda path: path.mkdir(), "a directory, not a file"),
    ("truncated.jpg", _write(_jpeg()[:1500]), "truncated"),
    ("garbage.mp4", _write(np.random.default_rng(3).bytes(4000)), UNREADABLE),
    ("missing.png", lambda path: None, "no such file"),
    ("denied.jpg", _deny, "permission denied"),
    ("bomb.png", _write(_png_declaring(100_000, 100_000)),
     f"image too large (100000 x 100000 pixels; limit {IMAGE_PIXEL_LIMIT})"),
    ("bomb.jpg", _write(_jpeg_declaring(60_000, 50_000)),
     f"image too large (60000 x 50000 pixels; limit {IMAGE_PIXEL_LIMIT})"),
    # above Pillow's warning limit but below its error limit: a DecompressionBombWarning
    ("warns.png", _write(_png_declaring(10_000, 10_000)), "image too large (10000 x 10000"),
    # the same for a JPEG, refused before the reduced (draft) decoding of fasthash would start
    ("warns.jpg", _write(_jpeg_declaring(10_000, 10_000)), "image too large (10000 x 10000"),
]


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'vigil.db'}")
    monkeypatch.setenv("VIGIL_MEDIA_INDEX", "mih")
    draw_picture(12).convert("RGB").save(tmp_path / "good.png")
    return tmp_path


def _invoke(args: list[str], denied: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    """Run as root in containers, where chmod denies nothing: ``denied`` refuses by hand."""
    read_bytes = Path.read_bytes

    def refusing(self: Path) -> bytes:
        if self == denied:
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refusing)
    return runner.invoke(app, args)


def _problems(stderr: str) -> list[str]:
    """stderr without the line naming the store that commands opening one print first."""
    return [line for line in stderr.splitlines() if not line.startswith("store: ")]


@pytest.mark.parametrize("command", ["hash", "match"])
@pytest.mark.parametrize(("name", "make", "says"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_file_is_named_and_the_rest_still_processed(
        folder: Path, monkeypatch: pytest.MonkeyPatch, command: str, name: str,
        make: Callable[[Path], None], says: str) -> None:
    bad, good = folder / name, folder / "good.png"
    make(bad)
    result = _invoke([command, str(bad), str(good)], folder / "denied.jpg", monkeypatch)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    problems = _problems(result.stderr)
    assert problems == [problems[0]] and problems[0].startswith(f"{bad}: ")
    assert says in problems[0]
    if command == "hash":
        assert f'"path": "{good}"' in result.stdout


def test_good_files_exit_zero(folder: Path) -> None:
    result = runner.invoke(app, ["hash", str(folder / "good.png")])
    assert result.exit_code == 0 and result.stderr == ""


def test_monitor_names_each_failed_source_and_exits_one(folder: Path) -> None:
    (folder / "text.jpg").write_bytes(b"hello, not a video\n")
    (folder / "garbage.mp4").write_bytes(np.random.default_rng(4).bytes(4000))
    video = folder / "scene.mp4"
    video.write_bytes(scene_video_bytes(SceneVideo(seeds=(5,), seconds_per_scene=1.0)))
    result = runner.invoke(app, ["monitor", str(folder / "text.jpg"), str(folder / "garbage.mp4"),
                                 str(video)])
    assert result.exit_code == 1, result.output
    problems = [line for line in result.stderr.splitlines() if ": failed: " in line]
    assert len(problems) == 2
    assert problems[0].startswith(f"{folder / 'text.jpg'}: failed: no video frame")
    assert problems[1].startswith(f"{folder / 'garbage.mp4'}: failed: ")
    assert "Invalid data" in problems[1]


def test_pillows_own_bomb_check_reads_as_one_line() -> None:
    """Formats without a signature (e.g. TGA) are not pre-checked; Pillow's error still reads
    as one line naming the file."""
    error = Image.DecompressionBombError(
        "Image size (200000000 pixels) exceeds limit of 178956970 pixels, could be "
        "decompression bomb DOS attack.")
    assert str(file_error("x.tga", error)) == (
        f"x.tga: image too large (200000000 pixels; limit {IMAGE_PIXEL_LIMIT})")
