"""The pages' clock: the real one, or the fake one the tests move (the same the accounts use)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

PageClock = Callable[[], datetime]
