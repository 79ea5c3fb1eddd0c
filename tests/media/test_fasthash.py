import hashlib
import io
from functools import cache
from pathlib import Path

import numpy as np
import pdqhash
import pytest
from PIL import Image

from vigil.media.hashing import fast as fasthash
from vigil.media.hashing.pdq import PdqHash, bits_to_hex, hamming_hex, md5_of_bytes
from vigil.testing.pictures import draw_featureless, draw_picture

CROSS_IMPLEMENTATION_BITS = 10
"""pdq/README.md: other decoders and implementations land within 10 bits of the C++ reference."""


def reference(pixels: np.ndarray) -> PdqHash:
    bits, quality = pdqhash.compute(np.ascontiguousarray(pixels, dtype=np.uint8))
    return PdqHash(bits_to_hex(np.asarray(bits)), int(quality))


def reference_luma(pixels: np.ndarray) -> np.ndarray:
    """The float luma pdqhash.compute builds before hashing."""
    rgb = pixels.astype(np.float64)
    luma = rgb[:, :, 0] * 0.299 + rgb[:, :, 1] * 0.587 + rgb[:, :, 2] * 0.114
    return luma.astype(np.float32)


@cache
def _picture(seed: int, side: int) -> Image.Image:
    return draw_picture(seed, side)


def drawn(seed: int, width: int, height: int) -> np.ndarray:
    """A drawn picture with detail down to a few pixels at the target size."""
    picture = _picture(seed, max(256, min(width, height) // 2))
    return np.asarray(picture.resize((width, height), Image.Resampling.BILINEAR))


def jpeg_bytes(pixels: np.ndarray, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


@pytest.mark.parametrize("size", [(64, 64), (173, 100), (256, 256), (200, 255)])
def test_luma_at_reference_size_is_bit_identical(size: tuple[int, int]) -> None:
    for seed in range(8):
        pixels = drawn(seed, *size)
        assert fasthash.hash_luma(reference_luma(pixels)) == reference(pixels)


@pytest.mark.parametrize(
    ("size", "seeds"),
    [((173, 100), 10), ((500, 375), 10), ((1280, 720), 3), ((1920, 1080), 3)],
)
def test_frames_hash_close_to_reference(size: tuple[int, int], seeds: int) -> None:
    distances = []
    for seed in range(seeds):
        pixels = drawn(seed, *size)
        fast, slow = fasthash.hash_frame(pixels), reference(pixels)
        distances.append(hamming_hex(fast.hex, slow.hex))
        assert abs(fast.quality - slow.quality) <= 5
    assert max(distances) <= CROSS_IMPLEMENTATION_BITS
    assert float(np.median(distances)) <= 4


@pytest.mark.parametrize("size", [(500, 375), (1920, 1080)])
def test_jpeg_round_trip_close_to_reference(size: tuple[int, int]) -> None:
    for seed in range(3):
        data = jpeg_bytes(drawn(seed, *size))
        with Image.open(io.BytesIO(data)) as decoded:
            slow = reference(np.asarray(decoded.convert("RGB")))
        fast = fasthash.hash_jpeg(data)
        assert hamming_hex(fast.hex, slow.hex) <= CROSS_IMPLEMENTATION_BITS
        assert fast.reliable == slow.reliable


def test_draft_decoding_reduces_the_decoded_size() -> None:
    data = jpeg_bytes(drawn(1, 1920, 1080))
    drafted = fasthash.decode_reduced(data)
    height, width = drafted.pixels.shape
    assert drafted.original_shape == (1080, 1920)
    assert height * width * 16 <= 1920 * 1080  # libjpeg decoded at 1/4 size or less
    assert drafted.blocks[0] >= 4 and drafted.blocks[1] >= 4
    assert min(height, width) >= min(fasthash.DRAFT_SIDE, fasthash.REDUCED_SIDE)
    full = fasthash.decode_reduced(data, draft_side=10_000)
    assert full.blocks == (-(-1080 // fasthash.REDUCED_SIDE), -(-1920 // fasthash.REDUCED_SIDE))
    assert max(full.pixels.shape) <= fasthash.REDUCED_SIDE


def test_non_jpeg_bytes_are_decoded_in_full() -> None:
    pixels = drawn(2, 300, 200)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    assert hamming_hex(fasthash.hash_jpeg(buffer.getvalue()).hex, reference(pixels).hex) <= 4


def test_batch_equals_one_by_one_across_mixed_sizes() -> None:
    frames = [drawn(seed, *size) for seed, size in enumerate([(320, 240), (100, 90), (320, 240)])]
    frames.append(np.asarray(draw_picture(9).convert("L")))
    assert fasthash.hash_frames(frames) == [fasthash.hash_frame(frame) for frame in frames]


@pytest.mark.parametrize("mode", ["RGB", "L", "P", "RGBA", "CMYK"])
def test_pillow_images_of_any_mode_hash_like_their_rgb(mode: str) -> None:
    image = picture_rgb = Image.fromarray(drawn(8, 300, 200))
    if mode != "RGB":
        image = picture_rgb.convert(mode)
    expected = fasthash.hash_frame(np.asarray(image.convert("RGB")))
    assert hamming_hex(fasthash.hash_image(image).hex, expected.hex) <= 2


def test_grey_frame_hashes_like_its_grey_rgb() -> None:
    grey = np.asarray(draw_picture(4).convert("L"))
    assert fasthash.hash_frame(grey) == fasthash.hash_frame(np.repeat(grey[:, :, None], 3, axis=2))


@pytest.mark.parametrize(
    "frame",
    [np.zeros((10, 10, 3), dtype=np.float32), np.zeros((10, 10, 4), dtype=np.uint8)],
)
def test_frames_that_are_not_rgb_or_grey_uint8_are_refused(frame: np.ndarray) -> None:
    with pytest.raises(ValueError, match="uint8"):
        fasthash.hash_frame(frame)


def test_too_small_to_hash_gives_the_references_empty_hash() -> None:
    tiny = np.full((4, 9, 3), 200, dtype=np.uint8)
    assert fasthash.hash_frame(tiny) == reference(tiny) == PdqHash("0" * 64, 0)


def test_featureless_frames_stay_below_the_quality_gate() -> None:
    for seed in range(5):
        pixels = np.asarray(draw_featureless(seed))
        assert not fasthash.hash_frame(pixels).reliable
        assert not reference(pixels).reliable


def test_digests_are_of_the_exact_bytes() -> None:
    data = jpeg_bytes(drawn(5, 400, 300))
    digests = fasthash.digest_bytes(data)
    assert digests.md5 == md5_of_bytes(data) == hashlib.md5(data).hexdigest()
    assert digests.sha256 == hashlib.sha256(data).hexdigest()
    assert digests.pdq == fasthash.hash_jpeg(data)


def test_file_helpers_read_the_same_bytes(tmp_path: Path) -> None:
    data = jpeg_bytes(drawn(6, 400, 300))
    path = tmp_path / "drawn.jpg"
    path.write_bytes(data)
    assert fasthash.hash_file(path) == fasthash.hash_jpeg(data)
    assert fasthash.digest_file(str(path)) == fasthash.digest_bytes(data)


def test_reference_operator_averages_and_matches_the_64_square_shortcut() -> None:
    for n in (65, 100, 256, 1080):
        operator = fasthash.reference_operator(n)
        assert operator.shape == (64, n)
        assert np.allclose(operator.sum(axis=1), 1.0)
    assert np.array_equal(fasthash.reference_operator(64), np.eye(64))
