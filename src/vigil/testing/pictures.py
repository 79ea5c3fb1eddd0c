"""Benign synthetic pictures drawn from a seed, and the benign edits that make near-duplicates.

vigil never ships or fetches real media: tests and the demo world need pictures whose PDQ hashes
behave like photographs' (well apart when unrelated, close under re-encoding), so they are drawn
here from coloured gradients and geometric shapes. There is no text and nothing figurative.

The edits are the ones PDQ is known to survive (Thorn ``perception`` benchmark, benchmarking.rst:
JPEG q95 99.9 % recall, resize 0.5 99.8 %, gamma/blur 100 %; crop 5 % only 9 %),
so crops here are kept to a few per cent of each side.
"""

from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

DEFAULT_SIZE = 256
"""Side of a drawn picture in pixels; PDQ downsamples to 64x64, so more adds only drawing time."""

_SHAPES_PER_PICTURE = (6, 12)
_OUTLINE_WIDTH = 6
"""Dark or light outlines give every shape edges, which is what PDQ's quality score sums; without
them about one picture in a hundred scored below 50 (measured while writing this module)."""
_BLUR_RADIUS = 2.0
"""A slight blur stands in for a camera's optics: hard one-pixel edges alias under resizing and
made near-duplicates drift up to ~30 bits; blurred, the drift stays under ~20 (measured)."""


def _random_colour(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randrange(256), rng.randrange(256), rng.randrange(256))


def _gradient(rng: random.Random, size: int) -> Image.Image:
    """A two-colour linear gradient in a random direction: low-frequency structure for the DCT."""
    angle = rng.uniform(0.0, 2.0 * np.pi)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float64) / max(size - 1, 1)
    ramp = xs * np.cos(angle) + ys * np.sin(angle)
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-9)
    start = np.array(_random_colour(rng), dtype=np.float64)
    end = np.array(_random_colour(rng), dtype=np.float64)
    pixels = start + ramp[..., None] * (end - start)
    return Image.fromarray(pixels.round().astype(np.uint8))


def _box(rng: random.Random, size: int) -> tuple[int, int, int, int]:
    """A random box at least a sixth of the picture wide, so every shape moves the hash."""
    width = rng.randint(size // 6, size // 2)
    height = rng.randint(size // 6, size // 2)
    left = rng.randint(-width // 4, size - width * 3 // 4)
    top = rng.randint(-height // 4, size - height * 3 // 4)
    return (left, top, left + width, top + height)


def _draw_shape(draw: ImageDraw.ImageDraw, rng: random.Random, size: int) -> None:
    box = _box(rng, size)
    fill = _random_colour(rng)
    outline = (0, 0, 0) if sum(fill) > 384 else (255, 255, 255)
    width = _OUTLINE_WIDTH
    shape = rng.choice(("rectangle", "ellipse", "triangle"))
    if shape == "rectangle":
        draw.rectangle(box, fill=fill, outline=outline, width=width)
    elif shape == "ellipse":
        draw.ellipse(box, fill=fill, outline=outline, width=width)
    else:
        left, top, right, bottom = box
        apex = (rng.randint(left, right), top)
        draw.polygon([apex, (left, bottom), (right, bottom)], fill=fill, outline=outline,
                     width=width)


def draw_picture(seed: int, size: int = DEFAULT_SIZE) -> Image.Image:
    """An RGB picture that depends only on ``seed``: a gradient under 6-12 outlined shapes."""
    rng = random.Random(seed)
    image = _gradient(rng, size)
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(*_SHAPES_PER_PICTURE)):
        _draw_shape(draw, rng, size)
    return image.filter(ImageFilter.GaussianBlur(_BLUR_RADIUS))


def draw_featureless(seed: int, size: int = DEFAULT_SIZE) -> Image.Image:
    """A dim, almost flat picture, like a covered camera: PDQ still hashes it, with quality < 50.

    Such frames are why the quality gate exists; the demo world uses them to show it working.
    """
    rng = random.Random(seed)
    base = rng.randint(20, 60)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float64) / max(size - 1, 1)
    ramp = base + rng.uniform(2.0, 10.0) * (xs * rng.uniform(-1, 1) + ys * rng.uniform(-1, 1))
    pixels = np.repeat(ramp[..., None], 3, axis=2)
    return Image.fromarray(pixels.clip(0, 255).round().astype(np.uint8))


def jpeg_reencoded(image: Image.Image, quality: int = 75) -> Image.Image:
    """Encode as JPEG at ``quality`` and decode again, all in memory."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def resized(image: Image.Image, scale: float) -> Image.Image:
    width, height = image.size
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(new_size, Image.Resampling.BILINEAR)


def cropped(image: Image.Image, fraction: float) -> Image.Image:
    """Cut ``fraction`` of the width and height off each edge (0.02 = 2 % per side)."""
    if not 0.0 <= fraction < 0.5:
        raise ValueError(f"crop fraction {fraction!r} must be in [0, 0.5)")
    width, height = image.size
    dx, dy = round(width * fraction), round(height * fraction)
    return image.crop((dx, dy, width - dx, height - dy))


def brightened(image: Image.Image, factor: float) -> Image.Image:
    """Scale brightness by ``factor`` (1.0 unchanged, 1.1 ten per cent brighter)."""
    return ImageEnhance.Brightness(image).enhance(factor)


def near_duplicate(image: Image.Image, seed: int) -> Image.Image:
    """A re-shared copy: downscaled to 50-90 %, brightness within 10 %, JPEG at quality 50-90.

    Each of these edits keeps PDQ recall above 99 % in the Thorn ``perception`` benchmark;
    combined on drawn pictures they moved the hash at most 18 bits over 300 seeds (measured).
    """
    rng = random.Random(seed)
    smaller = resized(image, rng.uniform(0.5, 0.9))
    return jpeg_reencoded(brightened(smaller, rng.uniform(0.9, 1.1)), rng.randint(50, 90))


def png_bytes(image: Image.Image) -> bytes:
    """Lossless encoding of ``image``: a stable byte string for the picture's MD5."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
