import itertools
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from vigil.media.hashing.pdq import (
    PDQ_QUALITY_THRESHOLD,
    PdqHash,
    hamming_hex,
    md5_of_bytes,
    pdq_of_image,
)
from vigil.media.index.base import PDQ_MATCH_THRESHOLD
from vigil.testing.pictures import (
    brightened,
    cropped,
    draw_featureless,
    draw_picture,
    jpeg_reencoded,
    near_duplicate,
    png_bytes,
    resized,
)

SEEDS = range(50)


@pytest.fixture(scope="module")
def pictures() -> list[tuple[Image.Image, PdqHash]]:
    drawn = [draw_picture(seed) for seed in SEEDS]
    return [(image, pdq_of_image(image)) for image in drawn]


def test_same_seed_draws_the_same_pixels() -> None:
    assert np.array_equal(np.asarray(draw_picture(42)), np.asarray(draw_picture(42)))
    assert md5_of_bytes(png_bytes(draw_picture(42))) == md5_of_bytes(png_bytes(draw_picture(42)))
    assert not np.array_equal(np.asarray(draw_picture(42)), np.asarray(draw_picture(43)))


def test_pictures_are_rgb_of_the_asked_size() -> None:
    image = draw_picture(1, size=128)
    assert (image.mode, image.size) == ("RGB", (128, 128))


def test_every_picture_is_hashed_reliably(pictures: list[tuple[Image.Image, PdqHash]]) -> None:
    assert min(h.quality for _, h in pictures) >= PDQ_QUALITY_THRESHOLD


def test_different_seeds_are_far_apart(pictures: list[tuple[Image.Image, PdqHash]]) -> None:
    """Over 50 seeds (1,225 pairs) the closest pair was 102 bits apart when this was written."""
    pairs = itertools.combinations([h.hex for _, h in pictures], 2)
    closest = min(hamming_hex(a, b) for a, b in pairs)
    assert closest > PDQ_MATCH_THRESHOLD
    assert closest > 64


Perturbation = Callable[[Image.Image], Image.Image]
PERTURBATIONS: list[tuple[str, Perturbation]] = [
    ("jpeg q30", lambda im: jpeg_reencoded(im, 30)),
    ("jpeg q75", lambda im: jpeg_reencoded(im, 75)),
    ("resize 0.5", lambda im: resized(im, 0.5)),
    ("resize 0.75", lambda im: resized(im, 0.75)),
    ("crop 0.5 %", lambda im: cropped(im, 0.005)),
    ("brightness 0.9", lambda im: brightened(im, 0.9)),
    ("brightness 1.1", lambda im: brightened(im, 1.1)),
    ("near duplicate", lambda im: near_duplicate(im, seed=7)),
]


@pytest.mark.parametrize(("name", "perturb"), PERTURBATIONS, ids=[n for n, _ in PERTURBATIONS])
def test_benign_edits_stay_within_the_threshold(
    pictures: list[tuple[Image.Image, PdqHash]], name: str, perturb: Perturbation,
) -> None:
    moved = [hamming_hex(h.hex, pdq_of_image(perturb(image)).hex) for image, h in pictures[:20]]
    assert max(moved) <= PDQ_MATCH_THRESHOLD, (name, moved)
    assert any(moved) or name.startswith("brightness"), "the edit should change something"


def test_near_duplicates_differ_in_bytes_but_not_in_pdq() -> None:
    image = draw_picture(5)
    copy = near_duplicate(image, seed=5)
    assert md5_of_bytes(png_bytes(copy)) != md5_of_bytes(png_bytes(image))
    assert hamming_hex(pdq_of_image(copy).hex, pdq_of_image(image).hex) <= PDQ_MATCH_THRESHOLD


def test_featureless_pictures_fall_below_the_quality_gate() -> None:
    assert all(pdq_of_image(draw_featureless(seed)).quality < PDQ_QUALITY_THRESHOLD
               for seed in range(10))


@pytest.mark.parametrize(("scale", "size"), [(0.5, (128, 128)), (1.5, (384, 384))])
def test_resize_scales_both_sides(scale: float, size: tuple[int, int]) -> None:
    assert resized(draw_picture(0), scale).size == size


def test_crop_cuts_each_edge_and_refuses_half() -> None:
    assert cropped(draw_picture(0), 0.1).size == (204, 204)
    with pytest.raises(ValueError):
        cropped(draw_picture(0), 0.5)
