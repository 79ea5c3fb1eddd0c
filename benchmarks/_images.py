"""Benign pictures for the media benchmarks: the shared photo set when present, drawn ones if not.

The photos (600 benign ImageNet JPEGs, see shared/data/images/SOURCE.md) are read in place and never
copied into the repository. Without them the benchmarks still run on pictures drawn by
``vigil.testing.pictures`` and say so in their output.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from vigil.testing.pictures import draw_picture

_REPO_ROOT = Path(__file__).resolve().parent.parent
_DEFAULT_FOLDERS = (Path("/work/shared/data/images"), _REPO_ROOT.parent / "shared/data/images")
_SYNTHETIC_SIDE = 512
_SYNTHETIC_QUALITY = 90  # the photo set's own encoding (SOURCE.md: quality=90, 4:2:0)


@dataclass(frozen=True)
class ImageSet:
    """JPEG files as bytes, and a line saying where they came from."""

    names: list[str]
    jpegs: list[bytes]
    source: str


def images_folder() -> Path | None:
    """``VIGIL_IMAGES_DIR`` if set, else the shared folder beside the repository."""
    configured = os.environ.get("VIGIL_IMAGES_DIR")
    for candidate in ([Path(configured)] if configured else []) + list(_DEFAULT_FOLDERS):
        if candidate.is_dir() and any(candidate.glob("img_*.jpg")):
            return candidate
    return None


def _drawn_jpeg(seed: int) -> bytes:
    buffer = io.BytesIO()
    draw_picture(seed, _SYNTHETIC_SIDE).save(buffer, format="JPEG", quality=_SYNTHETIC_QUALITY)
    return buffer.getvalue()


def load_images(limit: int | None = None) -> ImageSet:
    """Up to ``limit`` JPEGs, in name order, from the photo folder or drawn when it is absent."""
    folder = images_folder()
    if folder is not None:
        paths = sorted(folder.glob("img_*.jpg"))[:limit]
        return ImageSet([p.name for p in paths], [p.read_bytes() for p in paths],
                        f"{len(paths)} benign photos from {folder} (see its SOURCE.md)")
    count = 100 if limit is None else limit
    return ImageSet([f"drawn_{seed:04d}" for seed in range(count)],
                    [_drawn_jpeg(seed) for seed in range(count)],
                    f"{count} drawn pictures (photo folder absent; vigil.testing.pictures)")


def decoded(jpeg: bytes) -> Image.Image:
    with Image.open(io.BytesIO(jpeg)) as image:
        return image.convert("RGB")


def to_1080p(image: Image.Image) -> Image.Image:
    """Scale to cover 1920x1080 (bicubic), then crop the centre: a stand-in for an HD frame."""
    scale = max(1920 / image.width, 1080 / image.height)
    size = (max(1920, round(image.width * scale)), max(1080, round(image.height * scale)))
    covered = image.resize(size, Image.Resampling.BICUBIC)
    left, top = (covered.width - 1920) // 2, (covered.height - 1080) // 2
    return covered.crop((left, top, left + 1920, top + 1080))


def drawn_1080p(seed: int) -> Image.Image:
    """A picture drawn at full HD scale (shapes and edges at that resolution), cropped to 16:9."""
    return draw_picture(seed, 1920).crop((0, 420, 1920, 1500))
