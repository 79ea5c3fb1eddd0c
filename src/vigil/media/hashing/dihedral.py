"""The 8 rotations and mirror images of a picture (the dihedral group) as PDQ hashes, for queries.

A re-shared copy is often rotated or mirrored, which moves its PDQ hash by ~128 bits, so matching
queries all 8 variants against the bank (pdq/README.md: the 8 dihedral hashes are cheap).
Each variant is named after what was done to the *picture*, with Pillow's ``Image.Transpose``
meanings: ``r90`` is turned 90° counter-clockwise (``ROTATE_90``), ``r270`` clockwise, ``flip_h``
mirrored left-right, ``flip_v`` top-bottom, ``transpose`` mirrored about the main diagonal and
``transverse`` about the other one. ``r0`` is the picture itself. Names are stable storage keys.

Three ways to get them. Distances below are bits to the reference PDQ of the actually transformed
picture ("truth"), over the 7 non-identity variants of 600 benign photos (4,200) and 50 drawn
256x256 pictures (350), median / p90 / p99 / max:

* :func:`transformed_hashes_of_image`: the fast PDQ of each transformed picture, from one
  reduction and 8 small matrix products. Photos 0 / 2 / 2 / 4, drawn 0 / 2 / 2 / 2. Use this one.
* :func:`dihedral_hashes_of_image`: ``pdqhash.compute_dihedral``, the reference's DCT sign and
  transpose trick on one 16x16 block. Photos 10 / 20 / 40 / 66, drawn 28 / 42 / 51 / 54: the
  reference's box filter and decimation are not mirror-symmetric (even windows reach one pixel
  further right; samples sit at ``floor((i + 0.5) * n / 64)``), so a mirrored picture is sampled
  up to 3/4 of a cell away from the mirrored samples. Exact only for ``transpose`` of squares.
* :func:`dihedral_variants_of_hash`: the same trick on the 256 bits alone, for when only a hash is
  known. Negated coefficients become inverted bits, but the median moves with them, so bits near
  it can come out wrong: against ``compute_dihedral`` photos 6 / 12 / 20 / 50, drawn 6 / 12 / 17 /
  18; against the truth photos 12 / 22 / 42 / 68. ``transpose`` is a pure permutation and exact.

:func:`query_hashes_of_image` adds the 8 hashes of the picture with flat borders trimmed, since
padding and letterboxing defeat PDQ as badly as rotation does.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pdqhash
from PIL import Image

from vigil.media.hashing.fast import ReducedLuma, hash_reduced, reduce_image
from vigil.media.hashing.pdq import PdqHash, bits_to_hex, hex_to_bits

VARIANTS: tuple[str, ...] = (
    "r0", "r90", "r180", "r270", "flip_h", "flip_v", "transpose", "transverse",
)
"""Stable names, in this order everywhere in vigil."""

INVERSE: dict[str, str] = {name: name for name in VARIANTS} | {"r90": "r270", "r270": "r90"}
"""The variant that undoes each one: all are their own inverse except the quarter turns."""

# pdqhash.compute_dihedral returns: original, rotate 90, 180, 270, flipX (top-bottom),
# flipY (left-right), flipPlus1 (main diagonal), flipMinus1 (anti-diagonal); checked in the tests
# against the hash of the transformed picture.
_PDQHASH_ORDER = (0, 1, 2, 3, 5, 4, 6, 7)

BORDER_TOLERANCE = 12
"""Grey levels a border line may vary by and still count as flat. Chosen, not tuned: JPEG leaves a
pad within a few levels of its colour, and with 12 the 20 % pads of bench_robustness.py trim back
to within 31 bits for 98 % of the 600 benign photos."""
MIN_TRIMMED_SIDE = 16
"""A trim must leave at least this many pixels a side, so a flat picture is not trimmed away."""

_AXES: dict[str, tuple[tuple[int, bool], tuple[int, bool]]] = {
    # for the new rows, then the new columns: (the old axis they run along, whether reversed)
    "r0": ((0, False), (1, False)),
    "r90": ((1, True), (0, False)),
    "r180": ((0, True), (1, True)),
    "r270": ((1, False), (0, True)),
    "flip_h": ((0, False), (1, True)),
    "flip_v": ((0, True), (1, False)),
    "transpose": ((1, False), (0, False)),
    "transverse": ((1, True), (0, True)),
}

_Pixels = Callable[[np.ndarray], np.ndarray]
_PIXEL_TRANSFORMS: dict[str, _Pixels] = {
    "r0": lambda p: p,
    "r90": lambda p: np.rot90(p, 1),
    "r180": lambda p: np.rot90(p, 2),
    "r270": lambda p: np.rot90(p, 3),
    "flip_h": lambda p: p[:, ::-1],
    "flip_v": lambda p: p[::-1, :],
    "transpose": lambda p: p.T,
    "transverse": lambda p: np.rot90(p, 2).T,
}


def _coefficient_moves() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Where DCT coefficient (i, j) goes under each variant, and whether it changes sign.

    PDQ's 16x16 block holds frequencies 1..16 (no DC), so index i is frequency i + 1: mirroring an
    axis negates odd frequencies, i.e. even indices (pdqhashing.cpp dct16OriginalTo*).
    """
    i, j = np.mgrid[0:16, 0:16]
    even_i, even_j, odd_sum = (i % 2 == 0), (j % 2 == 0), ((i + j) % 2 == 1)
    none = np.zeros((16, 16), dtype=bool)
    return {
        "r0": (i * 16 + j, none),
        "r90": (j * 16 + i, even_j),
        "r180": (i * 16 + j, odd_sum),
        "r270": (j * 16 + i, even_i),
        "flip_h": (i * 16 + j, even_j),
        "flip_v": (i * 16 + j, even_i),
        "transpose": (j * 16 + i, none),
        "transverse": (j * 16 + i, odd_sum),
    }


_MOVES = _coefficient_moves()


def _rgb_pixels(image: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(image, Image.Image):
        return np.asarray(image.convert("RGB"), dtype=np.uint8)
    if image.ndim == 2:
        return np.repeat(image[:, :, None], 3, axis=2)
    return np.ascontiguousarray(image, dtype=np.uint8)


def dihedral_hashes_of_image(image: Image.Image | np.ndarray) -> list[tuple[str, PdqHash]]:
    """The reference's 8 dihedral hashes (``pdqhash.compute_dihedral``), under vigil's names."""
    vectors, quality = pdqhash.compute_dihedral(_rgb_pixels(image))
    return [
        (name, PdqHash(bits_to_hex(np.asarray(vectors[index])), int(quality)))
        for name, index in zip(VARIANTS, _PDQHASH_ORDER, strict=True)
    ]


def transformed_reduced(reduced: ReducedLuma, name: str) -> ReducedLuma:
    """A reduced luma grid as if the picture had been transformed before reduction."""
    pixels = np.ascontiguousarray(_PIXEL_TRANSFORMS[name](reduced.pixels))
    axes = _AXES[name]
    return ReducedLuma(
        pixels,
        (reduced.original_shape[axes[0][0]], reduced.original_shape[axes[1][0]]),
        (reduced.blocks[axes[0][0]], reduced.blocks[axes[1][0]]),
        (reduced.short_block_first[axes[0][0]] != axes[0][1],
         reduced.short_block_first[axes[1][0]] != axes[1][1]),
    )


def transformed_hashes(reduced: ReducedLuma) -> list[tuple[str, PdqHash]]:
    """The fast PDQ of each of the 8 transformed pictures, from one reduced grid (e.g. a frame's
    from ``fasthash.reduce_frame``)."""
    variants = [transformed_reduced(reduced, name) for name in VARIANTS]
    return list(zip(VARIANTS, hash_reduced(variants), strict=True))


def transformed_hashes_of_image(image: Image.Image) -> list[tuple[str, PdqHash]]:
    return transformed_hashes(reduce_image(image))


def _uniform_lines(lines: np.ndarray) -> int:
    """How many lines, from the first inward, are flat and of the first line's colour."""
    edge = float(np.median(lines[0]))
    flat = (np.ptp(lines, axis=1) <= BORDER_TOLERANCE) & (
        np.abs(lines.mean(axis=1) - edge) <= BORDER_TOLERANCE)
    uneven = np.flatnonzero(~flat)
    return len(lines) if len(uneven) == 0 else int(uneven[0])


def trim_uniform_borders(image: Image.Image) -> Image.Image:
    """``image`` without flat single-colour bands on its edges (pads, letterboxing), if any.

    Padding defeats PDQ (Thorn benchmark: pad 20 % keeps 1.3 % recall; frame-wise pHash, black bars
    on video, 7.7 %), and the bank holds the unpadded picture, so queries also try the trimmed one.
    """
    luma = np.asarray(image.convert("L"), dtype=np.int16)
    height, width = luma.shape
    top, bottom = _uniform_lines(luma), _uniform_lines(luma[::-1])
    left, right = _uniform_lines(luma.T), _uniform_lines(luma.T[::-1])
    too_little = top + bottom > height - MIN_TRIMMED_SIDE or left + right > width - MIN_TRIMMED_SIDE
    if too_little or top + bottom + left + right == 0:
        return image
    return image.crop((left, top, width - right, height - bottom))


CAPTION_MARGIN_SHARE = 0.004
"""A caption line has both margins (this share of the width at each end) pure background, whatever
its text covers (a bold meme caption can fill a line through it almost edge to edge): captions are
centred, while a photo's line rarely has pure white or black at both ends. vigil's choice."""
CAPTION_MIN_SHARE = 0.08
"""A caption band is at least this share of the picture's height, so a bright sky is not one."""
CAPTION_COLOURS = (0, 255)
"""Meme captions are black text on white (AugLy's meme_format) or the reverse."""


def _caption_lines(lines: np.ndarray) -> int:
    """How many lines, from the first inward, are mostly pure white (or black) background."""
    edge = float(np.median(lines[0]))
    if min(abs(edge - colour) for colour in CAPTION_COLOURS) > BORDER_TOLERANCE:
        return 0
    is_background = np.abs(lines - edge) <= BORDER_TOLERANCE
    margin = max(1, int(CAPTION_MARGIN_SHARE * lines.shape[1]))
    margins = is_background[:, :margin].all(axis=1) & is_background[:, -margin:].all(axis=1)
    text = np.flatnonzero(~margins)
    band = len(lines) if len(text) == 0 else int(text[0])
    return band if band >= CAPTION_MIN_SHARE * len(lines) else 0


def trim_caption_bands(image: Image.Image) -> Image.Image:
    """``image`` without a caption band (white or black, with text) at its top or bottom.

    A meme caption above a picture defeats PDQ (recall 0 in benchmarks/bench_robustness.py), and
    unlike a pad the band is not flat, so :func:`trim_uniform_borders` keeps it.
    """
    luma = np.asarray(image.convert("L"), dtype=np.int16)
    top, bottom = _caption_lines(luma), _caption_lines(luma[::-1])
    if top + bottom == 0 or top + bottom > len(luma) - MIN_TRIMMED_SIDE:
        return image
    return image.crop((0, top, luma.shape[1], len(luma) - bottom))


def query_hashes_of_image(image: Image.Image) -> list[tuple[str, PdqHash]]:
    """What to look up for a picture: its 8 transformed hashes, and those of its border-trimmed
    copy (``trimmed/<variant>``) and caption-trimmed copy (``uncaptioned/<variant>``) when it
    had flat borders or a caption band."""
    hashes = transformed_hashes_of_image(image)
    for prefix, trim in (("trimmed", trim_uniform_borders), ("uncaptioned", trim_caption_bands)):
        trimmed = trim(image)
        if trimmed is not image:
            hashes += [(f"{prefix}/{name}", digest)
                       for name, digest in transformed_hashes_of_image(trimmed)]
    return hashes


def variant_of_hash(hex_digest: str, name: str) -> str:
    """Approximately the PDQ of the picture after transform ``name``, from its hash alone."""
    destination, negated = _MOVES[name]
    # bits_to_hex writes bit 255 first, and pdqhash's bit k is coefficient (k // 16, k % 16)
    coefficient_bits = hex_to_bits(hex_digest)[::-1].reshape(16, 16).astype(bool)
    moved = np.zeros(256, dtype=bool)
    moved[destination.reshape(-1)] = (coefficient_bits ^ negated).reshape(-1)
    return bits_to_hex(moved[::-1])


def dihedral_variants_of_hash(hex_digest: str) -> list[tuple[str, str]]:
    """All 8 variants of a hash (``r0`` is the hash itself), for querying a bank with a hash."""
    return [(name, variant_of_hash(hex_digest, name)) for name in VARIANTS]
