"""The demo world's calendar and scale helpers, shared by the ring and benign builders."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

START = datetime(2026, 1, 5, tzinfo=UTC)
DAYS = 180


def count_at_scale(at_scale_1: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(at_scale_1 * scale))


def midnight(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def any_time(rng: random.Random) -> datetime:
    return START + timedelta(days=rng.uniform(0, DAYS - 1))
