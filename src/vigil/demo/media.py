"""Media observations of the demo world and the known bank they are matched against.

The "known" pictures are drawn by :mod:`vigil.testing.pictures` from seeds: coloured gradients and
shapes, nothing figurative, never any real media. A ring's stream frames are benign edits of its
own known pictures (resize, brightness, a crop of at most 1 %), the edits PDQ survives (Thorn
``perception`` benchmark), so they land within the 31-bit match threshold
(pdq/README.md) as re-captured frames of known material would. JPEG re-encoding is left out on
purpose: its bytes depend on the codec library's version, and the demo must hash the same on
every machine.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from PIL import Image

from vigil.demo.actors import Person
from vigil.media.banks.records import BankEntry
from vigil.media.hashing.pdq import PDQ_QUALITY_THRESHOLD, md5_of_bytes, pdq_of_image
from vigil.records import MediaObservation
from vigil.testing.pictures import brightened, cropped, draw_featureless, draw_picture, resized

BANK_NAME = "demo-known"
BANK_SOURCE = "vigil demo: pictures drawn by vigil.testing.pictures"
FRAME_INTERVAL_S = 30.0
"""Seconds between sampled stream frames (pytx vPDQ samples one frame a second; a platform sampling
a live call for matching does so far more sparsely, vigil assumption)."""
BENIGN_SIZE = 128
"""Benign pictures are drawn smaller: PDQ downsamples to 64x64, so the hash behaves the same."""


@dataclass(frozen=True)
class KnownPicture:
    """A drawn picture in the known bank: its seed, PDQ and (for some) MD5 of its pixels."""

    seed: int
    pdq: str
    md5: str | None
    label: str


@dataclass
class Painter:
    """Draws each seed once: ring streams re-use the same few known pictures many times."""

    images: dict[int, Image.Image] = field(default_factory=dict)

    def picture(self, seed: int) -> Image.Image:
        if seed not in self.images:
            self.images[seed] = draw_picture(seed)
        return self.images[seed]


def pixel_md5(image: Image.Image) -> str:
    """MD5 of the raw RGB pixels: unlike an encoded file's, the same on every machine."""
    return md5_of_bytes(image.convert("RGB").tobytes())


def known_pictures(rng: random.Random, painter: Painter, count: int,
                   first_label: int = 1) -> list[KnownPicture]:
    """``count`` drawn pictures whose PDQ quality is reliable enough to be banked (>= 50)."""
    pictures: list[KnownPicture] = []
    while len(pictures) < count:
        seed = rng.getrandbits(31)
        pdq = pdq_of_image(painter.picture(seed))
        if pdq.quality < PDQ_QUALITY_THRESHOLD:
            continue
        md5 = pixel_md5(painter.picture(seed)) if rng.random() < 0.5 else None
        label = f"demo-known-{first_label + len(pictures):03d}"
        pictures.append(KnownPicture(seed, pdq.hex, md5, label))
    return pictures


def bank_entries(pictures: Sequence[KnownPicture]) -> list[BankEntry]:
    """The bank rows: every picture's PDQ, plus the MD5 of those that have one."""
    entries = [BankEntry(BANK_NAME, p.pdq, "pdq", p.label, BANK_SOURCE) for p in pictures]
    entries += [BankEntry(BANK_NAME, p.md5, "md5", p.label, BANK_SOURCE)
                for p in pictures if p.md5 is not None]
    return entries


def perturbed(rng: random.Random, image: Image.Image) -> Image.Image:
    """A re-captured frame: resized, brightness shifted and, sometimes, cropped by <= 1 %."""
    frame = resized(image, rng.uniform(0.5, 0.9))
    frame = brightened(frame, rng.uniform(0.9, 1.12))
    if rng.random() < 0.3:
        frame = cropped(frame, rng.uniform(0.0, 0.01))
    return frame


def stream(rng: random.Random, painter: Painter, host: Person, pictures: Sequence[KnownPicture],
           at: datetime, stream_id: str) -> list[MediaObservation]:
    """Frames sampled from one live stream: edits of known pictures when ``pictures`` is not
    empty, otherwise new material no bank holds; now and then a covered camera (quality < 50)."""
    if host.account is None:
        raise ValueError("a stream needs a platform account")
    frames: list[MediaObservation] = []
    for index in range(rng.randint(3, 6)):
        draw = rng.random()
        if draw < 0.1:
            image = draw_featureless(rng.getrandbits(31), BENIGN_SIZE)
        elif pictures and draw < 0.85:
            image = perturbed(rng, painter.picture(rng.choice(pictures).seed))
        else:
            image = draw_picture(rng.getrandbits(31), BENIGN_SIZE)
        pdq = pdq_of_image(image)
        offset = index * FRAME_INTERVAL_S
        frames.append(MediaObservation(
            observation_id=f"{stream_id}-f{index:02d}", account=host.account,
            observed_at=at + timedelta(seconds=offset), pdq=pdq.hex, quality=pdq.quality,
            stream_id=stream_id, frame_time_s=offset, ip=host.ip, device=host.device))
    return frames


def shared_file(observation_id: str, host: Person, picture: KnownPicture,
                at: datetime) -> MediaObservation:
    """An exact copy of a known picture sent as a file: its MD5 (when banked) and PDQ match."""
    if host.account is None:
        raise ValueError("a shared file needs a platform account")
    return MediaObservation(observation_id=observation_id, account=host.account, observed_at=at,
                            pdq=picture.pdq, quality=100, md5=picture.md5, ip=host.ip,
                            device=host.device)


def benign_photo(rng: random.Random, observation_id: str, owner: Person,
                 at: datetime) -> MediaObservation:
    """A benign picture (a fresh drawing, in no bank), as posted or sampled from a call."""
    if owner.account is None:
        raise ValueError("a photo needs a platform account")
    image = draw_picture(rng.getrandbits(31), BENIGN_SIZE)
    pdq = pdq_of_image(image)
    md5 = pixel_md5(image) if rng.random() < 0.3 else None
    return MediaObservation(observation_id=observation_id, account=owner.account,
                            observed_at=at, pdq=pdq.hex, quality=pdq.quality, md5=md5,
                            ip=owner.ip, device=owner.device)
