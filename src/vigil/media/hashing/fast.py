"""PDQ at a fraction of the reference's cost: hash a small luma grid instead of the full frame.

The reference (``pdqhash.compute``) converts every pixel to float luma, runs two passes of a box
(Jarosz) filter over the full image and then keeps only 64x64 samples (pdq/README.md). Almost all of
that work is thrown away, and decoding a full-size JPEG costs more again (PDQ C++ README: decoding
dominates). Here a JPEG is decoded at 1/2, 1/4 or 1/8 size straight to luma (libjpeg's scaled
decoding, Pillow ``draft``), any image is averaged in whole blocks (Pillow ``reduce``) to at most
``REDUCED_SIDE`` a side, and the reference's own downsampling, a fixed linear map for the *original*
size, is applied to the block means as its least-squares equivalent. The 64x64 grid is then the
reference's up to what the averaging lost; DCT, median threshold and quality follow the reference
exactly, batched in NumPy.

Trade-off, measured with ``benchmarks/bench_hashing.py`` on this machine (2 shared cores, one BLAS
thread, the two sides alternated item by item); bits to the reference as median / p99 / max:

* 1920x1080 RGB frames (8 drawn, 40 photo-derived): 7.3-7.6x the reference's speed (~260 against
  ~34 frames/s), 0-2 / 3 / 4 bits; quality within 1 point. What is left is mostly Pillow turning
  the RGB array into an image and into luma (~3 ms of ~3.8 ms).
* the same photos as 1080p JPEG bytes, decode included: 14x (267 against 19 per second), 2 / 4 / 4.
* the 600 benign photos (<= 512 px) as stored: 1.8x (562 against 320 per second), 0 / 2 / 4; at
  this size libjpeg's full decode is most of the cost on both sides.
* sides <= ``REDUCED_SIDE`` are not reduced and the grid is then the reference's exactly: hashing a
  float luma of such a size is bit-identical to ``pdqhash`` (tests check this on drawn pictures).
  What remains is 8-bit luma (Pillow's ITU-R 601 weights, the reference's) and JPEG's own Y plane.

MD5 and SHA-256 are always taken on the caller's exact bytes, never on anything decoded.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from vigil.media.hashing.pdq import PdqHash, md5_of_bytes, sha256_of_bytes

REDUCED_SIDE = 512
"""Each side is divided by the smallest whole factor that brings it to at most this. Measured on 16
HD frames (bits to the reference, median / max): 128 gives 6 / 18, 256 gives 2 / 6, 384 gives
2 / 4, 512 gives 2 / 2, all at 7.6-10x the reference's speed because luma conversion dominates."""

DRAFT_SIDE = 256
"""JPEGs decode at the smallest 1/2^k scale that keeps both sides >= this (Pillow ``draft``). On
the benign photos 128 moves hashes by median 2 / max 8 bits and 256 by 0 / 4, at the same speed;
libjpeg's 1/8 scale is an exact 8x8 block mean, 1/2 and 1/4 only approximately."""

MIN_HASHABLE_SIDE = 5
"""Smaller images get an all-zero hash of quality 0, as in pdqhashing.cpp (MIN_HASHABLE_DIM)."""

_GRID = 64  # the reference decimates to 64x64 (pdq/README.md)
_KEPT = 16  # and keeps a 16x16 block of DCT coefficients
_JAROSZ_PASSES = 2  # pdqhashing.cpp PDQ_NUM_JAROSZ_XY_PASSES
_QUALITY_DIVISOR = 90  # pdqhashing.cpp pdqImageDomainQualityMetric's "heuristic scaling factor"
_ZERO_HASH = PdqHash("0" * 64, 0)


@dataclass(frozen=True)
class ReducedLuma:
    """Luma block means: pixel (r, c) averages original rows [r*bh, (r+1)*bh) and columns
    [c*bw, (c+1)*bw), the last block possibly shorter, for ``blocks`` = (bh, bw).

    The original size is kept because the reference's filter widths depend on it.
    """

    pixels: np.ndarray
    original_shape: tuple[int, int]
    blocks: tuple[int, int] = (1, 1)
    short_block_first: tuple[bool, bool] = (False, False)
    """Per axis: the grid was mirrored after reduction, so its partial block leads."""


@dataclass(frozen=True)
class FileDigests:
    """The three hashes a file is matched by: PDQ of its pixels, MD5 and SHA-256 of its bytes."""

    pdq: PdqHash
    md5: str
    sha256: str


def _box_rows(rows: np.ndarray, window: int) -> np.ndarray:
    """``rows @ B`` for the reference's box filter B (box1DFloat in downscaling.cpp): output k
    averages inputs [k - (w - h), k + h - 1], h = (w + 2) // 2, clipped at the edges."""
    n = rows.shape[1]
    half = (window + 2) // 2
    outputs = np.arange(n)
    low = np.maximum(0, outputs - (window - half))
    high = np.minimum(n, outputs + half)
    shares = (rows / (high - low)).T  # what each output hands back to every input it averaged
    steps = np.zeros((n + 1, rows.shape[0]))
    np.add.at(steps, low, shares)
    np.add.at(steps, high, -shares)
    spread: np.ndarray = np.cumsum(steps[:-1], axis=0).T
    return spread


@lru_cache(maxsize=64)
def reference_operator(n: int) -> np.ndarray:
    """64 x n: the reference's two Jarosz passes and centre-sample decimation along one axis."""
    if n == _GRID:  # the reference skips filtering on exactly 64x64 input
        return np.eye(_GRID)
    window = (n + 2 * _GRID - 1) // (2 * _GRID)  # computeJaroszFilterWindowSize
    samples = ((np.arange(_GRID) + 0.5) * n / _GRID).astype(int)  # decimateFloat
    operator = np.zeros((_GRID, n))
    operator[np.arange(_GRID), samples] = 1.0
    for _ in range(_JAROSZ_PASSES):
        operator = _box_rows(operator, window)
    return operator


@lru_cache(maxsize=128)
def _grid_operator(original: int, block: int, short_block_first: bool = False) -> np.ndarray:
    """64 x ceil(original / block): the reference operator seen on a grid of block means.

    The least-squares (minimum-norm) image with the given block means is flat within each block,
    so each reduced pixel carries the summed weights of the pixels it covers.
    """
    reference = reference_operator(original)
    reduced = -(-original // block)
    padded = np.zeros((_GRID, reduced * block))
    if short_block_first:
        padded[:, reduced * block - original:] = reference
    else:
        padded[:, :original] = reference
    summed: np.ndarray = padded.reshape(_GRID, reduced, block).sum(axis=2)
    return summed.astype(np.float32)


@lru_cache(maxsize=1)
def _dct_matrix() -> np.ndarray:
    """16 x 64 DCT-II rows for frequencies 1..16; PDQ skips the DC term (pdqhashing.cpp)."""
    rows = np.arange(1, _KEPT + 1)[:, None]
    columns = np.arange(_GRID)[None, :]
    scale = np.sqrt(2.0 / _GRID)
    matrix: np.ndarray = scale * np.cos(np.pi / 2.0 / _GRID * rows * (2 * columns + 1))
    return matrix.astype(np.float32)


def _operators(reduced: ReducedLuma) -> tuple[np.ndarray, np.ndarray]:
    rows_op, columns_op = (
        _grid_operator(reduced.original_shape[axis], reduced.blocks[axis],
                       reduced.short_block_first[axis])
        for axis in (0, 1)
    )
    if (rows_op.shape[1], columns_op.shape[1]) != reduced.pixels.shape:
        raise ValueError(f"{reduced.pixels.shape} grid does not tile {reduced.original_shape} "
                         f"in blocks of {reduced.blocks}")
    return rows_op, columns_op


def hashes_of_grids(grids: np.ndarray) -> list[PdqHash]:
    """PDQ of N stacked 64x64 grids: DCT, threshold at the median, gradient quality."""
    dct = _dct_matrix()
    coefficients = (dct @ grids.astype(np.float32) @ dct.T).reshape(len(grids), _KEPT * _KEPT)
    # torben() returns the lower median, the 128th smallest of 256; bits are strictly above it
    median = np.partition(coefficients, _KEPT * _KEPT // 2 - 1, axis=1)[:, _KEPT * _KEPT // 2 - 1]
    bits = coefficients > median[:, None]
    # coefficient (i, j) is bit i*16+j, and pdqhash lists bit 255 first (see hashing.bits_to_hex)
    packed = np.packbits(bits[:, ::-1], axis=1)
    qualities = _qualities(grids)
    return [PdqHash(row.tobytes().hex(), int(q)) for row, q in zip(packed, qualities, strict=True)]


def _qualities(grids: np.ndarray) -> np.ndarray:
    """The reference's gradient sum: |trunc(100 * step / 255)| over neighbours, / 90, capped."""
    vertical = np.trunc((grids[:, :-1, :] - grids[:, 1:, :]) * 100 / 255)
    horizontal = np.trunc((grids[:, :, :-1] - grids[:, :, 1:]) * 100 / 255)
    total = np.abs(vertical).sum(axis=(1, 2)) + np.abs(horizontal).sum(axis=(1, 2))
    qualities: np.ndarray = np.minimum(total.astype(np.int64) // _QUALITY_DIVISOR, 100)
    return qualities


def _draft_scale(original: int, decoded: int) -> int:
    """The 1/2^k scale libjpeg decoded at: its output side is ceil(original / scale)."""
    scales = [scale for scale in (1, 2, 4, 8) if -(-original // scale) == decoded]
    if not scales:
        raise ValueError(f"a side of {decoded} is not a JPEG draft of {original}")
    return scales[0]


def reduce_image(image: Image.Image, original_size: tuple[int, int] | None = None) -> ReducedLuma:
    """8-bit luma of ``image`` in block means, by the smallest whole factors per axis that bring
    each side to at most ``REDUCED_SIDE``.

    ``original_size`` (width, height) is the size before any reduced decoding (JPEG draft), which
    already averaged blocks of ``original / decoded`` pixels.
    """
    width, height = original_size or image.size
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    luma = image.convert("L") if image.mode != "L" else image
    drafted = (_draft_scale(height, luma.height), _draft_scale(width, luma.width))
    factors = (-(-luma.height // REDUCED_SIDE), -(-luma.width // REDUCED_SIDE))
    if factors != (1, 1):
        luma = luma.reduce((factors[1], factors[0]))
    blocks = (drafted[0] * factors[0], drafted[1] * factors[1])
    return ReducedLuma(np.asarray(luma, dtype=np.float32), (height, width), blocks)


def reduce_frame(frame: np.ndarray) -> ReducedLuma:
    """A decoded frame, H x W x 3 RGB or H x W grey, both uint8, as a reduced luma grid."""
    grey_or_rgb = frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] == 3)
    if frame.dtype != np.uint8 or not grey_or_rgb:
        raise ValueError(f"expected HxWx3 or HxW uint8, got {frame.shape} {frame.dtype}")
    return reduce_image(Image.fromarray(frame))


def hash_reduced(reduced: Sequence[ReducedLuma]) -> list[PdqHash]:
    """PDQ of several reduced grids at once; grids of one geometry share one batched product."""
    results: list[PdqHash] = [_ZERO_HASH] * len(reduced)
    groups: dict[tuple[object, ...], list[int]] = {}
    for index, item in enumerate(reduced):
        if min(item.original_shape) >= MIN_HASHABLE_SIDE:
            key = (item.original_shape, item.blocks, item.short_block_first, item.pixels.shape)
            groups.setdefault(key, []).append(index)
    for indexes in groups.values():
        rows_op, columns_op = _operators(reduced[indexes[0]])
        stacked = np.stack([reduced[i].pixels for i in indexes]).astype(np.float32, copy=False)
        digests = hashes_of_grids(rows_op @ stacked @ columns_op.T)
        for index, digest in zip(indexes, digests, strict=True):
            results[index] = digest
    return results


def hash_luma(luma: np.ndarray) -> PdqHash:
    """PDQ of a float luma array at full size: the reference algorithm, without reduction."""
    return hash_reduced([ReducedLuma(np.asarray(luma, dtype=np.float32), luma.shape[:2])])[0]


def hash_image(image: Image.Image) -> PdqHash:
    """PDQ of a decoded Pillow image (any mode Pillow converts to RGB)."""
    return hash_reduced([reduce_image(image)])[0]


def hash_frame(frame: np.ndarray) -> PdqHash:
    """PDQ of one decoded RGB (or grey) uint8 frame, e.g. a 1920x1080 video frame."""
    return hash_reduced([reduce_frame(frame)])[0]


def hash_frames(frames: Iterable[np.ndarray]) -> list[PdqHash]:
    """PDQ of many frames; same-sized frames go through the NumPy stages as one batch."""
    return hash_reduced([reduce_frame(frame) for frame in frames])


def decode_reduced(data: bytes, draft_side: int = DRAFT_SIDE) -> ReducedLuma:
    """Decode image bytes straight to a reduced luma grid; JPEGs decode at 1/2, 1/4 or 1/8 size."""
    with Image.open(io.BytesIO(data)) as image:
        original = image.size
        image.draft("L", (draft_side, draft_side))  # a no-op for formats other than JPEG
        return reduce_image(image, original)


def hash_jpeg(data: bytes, draft_side: int = DRAFT_SIDE) -> PdqHash:
    """PDQ of encoded image bytes (any format Pillow reads; JPEG gets reduced-size decoding)."""
    return hash_reduced([decode_reduced(data, draft_side)])[0]


def hash_file(path: str | Path) -> PdqHash:
    return hash_jpeg(Path(path).read_bytes())


def digest_bytes(data: bytes) -> FileDigests:
    """PDQ of the pixels plus MD5 and SHA-256 of the exact bytes, for exact-match banks."""
    return FileDigests(hash_jpeg(data), md5_of_bytes(data), sha256_of_bytes(data))


def digest_file(path: str | Path) -> FileDigests:
    return digest_bytes(Path(path).read_bytes())
