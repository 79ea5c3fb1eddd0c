"""``json.loads`` that cannot be made to recurse without limit.

CPython's JSON decoder recurses once per nesting level, so a 2 KB line of 1,000 ``[`` raises
``RecursionError`` and, uncaught, loses the whole file. vigil's records are at most three
levels deep and a VICS bank about five, so anything deeper than :data:`MAX_DEPTH` is refused
with a :class:`JsonTooDeepError` before it reaches the decoder.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 64
"""Deepest nesting accepted; far above any vigil format, far below Python's recursion limit."""

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JsonTooDeepError(ValueError):
    """The text nests arrays/objects deeper than :data:`MAX_DEPTH`."""


def nesting_depth(text: str) -> int:
    """Deepest bracket nesting in ``text``, ignoring brackets inside strings."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return text.count("[") + text.count("{")  # an upper bound, and small: no scan needed
    brackets = _BRACKETS.findall(_STRING.sub("", text))
    return max(accumulate(_STEP[b] for b in brackets), default=0)


def loads(text: str | bytes) -> Any:
    """Parse JSON; raises ``json.JSONDecodeError`` or :class:`JsonTooDeepError` on bad input."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise JsonTooDeepError(f"JSON nested {depth} levels deep (at most {MAX_DEPTH})")
    try:
        return json.loads(text)
    except RecursionError:  # only reachable with a lowered recursion limit; never lose a file
        raise JsonTooDeepError("JSON nested too deeply to parse") from None
