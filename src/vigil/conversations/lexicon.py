"""The conversation indicator lexicon: published, neutral indicators as regular expressions.

Why a data file: indicators churn (codes change once publicised: WAAD 2025 and others)
and each must carry its source, so they live in YAML an analyst can audit and extend without
code, as presidio builds its recognizers from YAML. Loading validates every field and compiles every
pattern, so a bad pattern fails at start-up naming its category, not in the middle of a run.

Why the score is ``1 - prod(1 - w)`` over distinct categories: grooming and exploitation show as a
progression through *different* kinds of behaviour (ChatCoder2 stages: personal information,
grooming, approach; McGhee et al. 2011), and AUSTRAC's advice for payments is that no single
indicator is enough (AUSTRAC 2022). A noisy-OR over distinct categories rises with each new kind
of indicator, never exceeds 1, and lets no single category reach a high score by repetition: a
repeat adds ``repeat_bonus`` of the weight per extra message, and only up to ``repeat_cap``
messages. A benign chat saying "price" ten times therefore scores barely more than saying it once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

_CATEGORY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_VERBOSE = re.compile(r"\(\?[aiLmsux-]*x")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_MAX_EFFECTIVE_WEIGHT = 0.99
"""Keeps one category, however repeated, from making the score exactly 1 on its own."""


class IndicatorPattern(BaseModel):
    """One regular expression and the neutral ``term`` a signal records when it matches.

    The term, not the matched chat text, is what evidence stores: signals never copy chat text.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    term: str = Field(min_length=1)
    regex: str = Field(min_length=1)
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}$")
    unverified: bool = False

    @field_validator("regex")
    @classmethod
    def _compiles_without_named_groups(cls, value: str) -> str:
        try:
            compiled = re.compile(value, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"regex {value!r} does not compile: {exc}") from exc
        if compiled.groupindex:
            raise ValueError(f"regex {value!r} uses named groups, which the lexicon reserves")
        return value


class Category(BaseModel):
    """A kind of indicator: its weight in the score, where it is published, and its patterns."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    label: str = Field(min_length=1)
    description: str = Field(min_length=1)
    source: str = Field(min_length=1)
    weight: float = Field(gt=0.0, lt=1.0)
    victim_indicator: bool = False
    """True when the indicator is aimed at the recipient (asking their age, isolating them)."""
    patterns: tuple[IndicatorPattern, ...] = Field(min_length=1)


class Lexicon(BaseModel):
    """Categories of indicators plus the scoring parameters, as loaded from ``lexicon.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    version: str = Field(min_length=1)
    min_score: float = Field(ge=0.0, le=1.0)
    repeat_bonus: float = Field(ge=0.0, le=1.0)
    repeat_cap: int = Field(ge=1)
    max_evidence_messages: int = Field(ge=1)
    categories: dict[str, Category] = Field(min_length=1)
    _compiled: dict[str, re.Pattern[str]] = PrivateAttr(default_factory=dict)

    @field_validator("categories")
    @classmethod
    def _names_are_identifiers(cls, value: dict[str, Category]) -> dict[str, Category]:
        bad = [name for name in value if not _CATEGORY_NAME.match(name)]
        if bad:
            raise ValueError(f"category names must be lower_snake_case: {bad}")
        return value

    def model_post_init(self, context: Any, /) -> None:
        self._compiled = {name: _combined_pattern(category)
                          for name, category in self.categories.items()}

    def match(self, text: str) -> dict[str, tuple[str, ...]]:
        """The categories ``text`` matches, each with the sorted neutral terms that matched.

        Categories come in lexicon order, so explanations list them in the order the YAML does.
        """
        clean = normalise_text(text)
        found: dict[str, tuple[str, ...]] = {}
        for name, pattern in self._compiled.items():
            patterns = self.categories[name].patterns
            terms = {patterns[_matched_index(m)].term for m in pattern.finditer(clean)}
            if terms:
                found[name] = tuple(sorted(terms))
        return found

    def effective_weight(self, category: str, count: int) -> float:
        """The category's weight, raised a little by repeats, up to ``repeat_cap`` messages."""
        weight = self.categories[category].weight
        repeats = min(max(count, 1), self.repeat_cap) - 1
        return min(weight * (1.0 + self.repeat_bonus * repeats), _MAX_EFFECTIVE_WEIGHT)

    def score(self, counts: Mapping[str, int]) -> float:
        """Noisy-OR of the effective weights of the distinct categories with a positive count."""
        remaining = 1.0
        for category, count in sorted(counts.items()):
            if count > 0:
                remaining *= 1.0 - self.effective_weight(category, count)
        return round(1.0 - remaining, 6)

    def label(self, category: str) -> str:
        return self.categories[category].label

    def victim_categories(self) -> frozenset[str]:
        return frozenset(name for name, c in self.categories.items() if c.victim_indicator)


def normalise_text(text: str) -> str:
    """Typographic apostrophes to ``'`` and whitespace runs to one space: shorter patterns."""
    return " ".join(text.translate(_APOSTROPHES).split())


def _combined_pattern(category: Category) -> re.Pattern[str]:
    """One alternation per category, each pattern in a named group, so one scan finds every term.

    Consecutive patterns that start with ``\\b`` share one ``\\b`` in front of their group
    (``\\b(?:(?P<p0>how...)|(?P<p1>your...))``): the alternatives are tried in the same order
    and each still needs a word boundary where it starts, so every match, span and group is the
    one the plain alternation finds, but a position that is not a boundary is rejected once
    instead of once per pattern (about half the lexicon's time on chat text).
    """
    return re.compile("|".join(_alternatives(category)), re.IGNORECASE)


def _alternatives(category: Category) -> list[str]:
    parts: list[str] = []
    run: list[str] = []
    for i, pattern in enumerate(category.patterns):
        body = _after_boundary(pattern.regex)
        if body is not None:
            run.append(f"(?P<p{i}>{body})")
            continue
        if run:
            parts.append(r"\b(?:" + "|".join(run) + ")")
            run = []
        parts.append(f"(?P<p{i}>{pattern.regex})")
    if run:
        parts.append(r"\b(?:" + "|".join(run) + ")")
    return parts


def _after_boundary(regex: str) -> str | None:
    """``regex`` without its leading ``\\b``, or None when that would not mean the same inside
    ``\\b(?:...)``: no leading ``\\b``, a quantifier after it, a top-level ``|`` (``\\bx|y``
    matches ``y`` anywhere) or verbose mode (whose comments this scan does not read)."""
    if (not regex.startswith(r"\b") or regex[2:3] in ("", "*", "+", "?", "{")
            or _VERBOSE.search(regex) or _has_top_level_bar(regex)):
        return None
    return regex[2:]


def _has_top_level_bar(regex: str) -> bool:
    depth, i, in_class = 0, 0, False
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 2 if regex[i + 1:i + 2] == "]" else 3 if regex[i + 1:i + 3] == "^]" else 1
            continue
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            return True
        i += 1
    return False


def _matched_index(match: re.Match[str]) -> int:
    for name, value in match.groupdict().items():
        if value is not None:
            return int(name[1:])
    raise AssertionError("a lexicon match with no named group")  # pragma: no cover


def parse_lexicon(text: str, origin: str = "<string>") -> Lexicon:
    """Validate YAML text as a lexicon; ``ValueError`` names ``origin`` and the failing field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"lexicon {origin} is not valid YAML: {exc}") from exc
    try:
        return Lexicon.model_validate(data)
    except ValueError as exc:
        raise ValueError(f"lexicon {origin} is invalid: {exc}") from exc


def load_lexicon(path: Path | None = None) -> Lexicon:
    """The lexicon at ``path``, or the packaged ``vigil/config/lexicon.yaml`` when none is given."""
    if path is None:
        return default_lexicon()
    return parse_lexicon(path.read_text("utf-8"), str(path))


@cache
def default_lexicon() -> Lexicon:
    """The packaged lexicon, parsed once per process (it is immutable)."""
    text = resources.files("vigil.config").joinpath("lexicon.yaml").read_text("utf-8")
    return parse_lexicon(text, "vigil/config/lexicon.yaml")
