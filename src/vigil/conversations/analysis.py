"""Scoring conversations per author, after every message: the engine behind ``vigil chats scan``
and the ``conversation.model`` detector.

Why per author: PAN 2012 asked for the predator, not the conversation (Inches & Crestani 2012),
and a reviewer must know which side to act on. Why after every message: the eSPD task (Vogt,
Leser & Akbik 2021) measures how early a warning comes; each author's score is recomputed over
their last ``k`` messages after each new one, and the first message that crosses the threshold is
kept as the point of detection. Without a trained model the lexicon scores each author's messages
and says so; the model is English-only, so authors whose text is mostly in another language are
routed to the lexicon alone (py3langid, which ships its model, tells the language).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from vigil.conversations.ages import is_minor, stated_age
from vigil.conversations.labels import labels_for
from vigil.conversations.language import MODEL_LANGUAGES, detect_language
from vigil.conversations.lexicon import Lexicon
from vigil.conversations.model import ChatModel
from vigil.conversations.phrases import top_phrases


@dataclass(frozen=True)
class ChatLine:
    """One message as read from a file: what a detector may see is ``author``, ``text``, order."""

    conversation_id: str
    message_id: str
    author: str
    text: str
    time: str | None = None


@dataclass
class AuthorResult:
    author: str
    score: float
    flagged: bool
    messages: int
    language: str
    scored_by: str
    """``model`` or ``lexicon``."""
    flagged_after: int | None = None
    """The author's message count at the first score at or above the threshold (early scoring)."""
    evidence_ids: list[str] = field(default_factory=list)
    categories: dict[str, list[str]] = field(default_factory=dict)
    phrases: list[str] = field(default_factory=list)
    stated_minor_age: bool = False


@dataclass
class ConversationResult:
    conversation_id: str
    score: float
    flagged: bool
    labels: list[str]
    authors: dict[str, AuthorResult]
    model_used: bool

    def likely_offender(self) -> str | None:
        flagged = [a for a in self.authors.values() if a.flagged]
        return max(flagged, key=lambda a: a.score).author if flagged else None

    def to_json(self) -> dict[str, object]:
        return {"conversation_id": self.conversation_id, "score": round(self.score, 6),
                "flagged": self.flagged, "labels": self.labels,
                "authors": {name: {"score": round(a.score, 6), "flagged": a.flagged}
                            for name, a in sorted(self.authors.items())}}


class ConversationScorer:
    """Scores conversations with the model when there is one, else with the lexicon."""

    def __init__(self, lexicon: Lexicon, model: ChatModel | None = None) -> None:
        self.lexicon = lexicon
        self.model = model

    @property
    def threshold(self) -> float:
        return self.model.threshold if self.model is not None else self.lexicon.min_score

    def assess(self, lines: Sequence[ChatLine], reveal: bool = False) -> ConversationResult:
        """``lines`` of one conversation in order; phrases are masked unless ``reveal``.

        Every message is matched and vectorised once, in author order, and every author's
        score after each of their messages comes from one sparse product per conversation.
        """
        by_author: dict[str, list[int]] = {}
        for index, line in enumerate(lines):
            by_author.setdefault(line.author, []).append(index)
        order = [i for rows in by_author.values() for i in rows]
        texts = [lines[i].text for i in order]
        matches = [self.lexicon.match(t) for t in texts]
        languages = {name: detect_language([lines[i].text for i in rows])
                     for name, rows in by_author.items()}
        streams, counts = self._streams(texts, matches, by_author, languages)
        authors: dict[str, AuthorResult] = {}
        offset = 0
        for name, rows in by_author.items():
            segment = slice(offset, offset + len(rows))
            own = counts[segment] if counts is not None else None
            authors[name] = self._author(name, [lines[i] for i in rows], matches[segment],
                                         streams[name], languages[name], own, reveal)
            offset += len(rows)
        flagged = any(a.flagged for a in authors.values())
        categories = {c for a in authors.values() if a.flagged for c in a.categories}
        labels = labels_for(
            categories, model_flagged=any(a.flagged and a.scored_by == "model"
                                          for a in authors.values()),
            minor_age_stated=any(a.stated_minor_age for a in authors.values()), flagged=flagged)
        return ConversationResult(
            conversation_id=lines[0].conversation_id,
            score=max(a.score for a in authors.values()), flagged=flagged, labels=labels,
            authors=authors, model_used=self.model is not None)

    def _routed(self, language: str) -> bool:
        return self.model is not None and language in MODEL_LANGUAGES

    def _streams(self, texts: Sequence[str], matches: Sequence[dict[str, tuple[str, ...]]],
                 by_author: dict[str, list[int]],
                 languages: dict[str, str]) -> tuple[dict[str, np.ndarray], sp.csr_matrix | None]:
        """Each author's score after each of their messages (model or lexicon by language),
        and the model's count rows of every message (None when no author went to the model)."""
        streams: dict[str, np.ndarray] = {}
        bounds: dict[str, tuple[int, int]] = {}
        offset = 0
        for name, rows in by_author.items():
            bounds[name] = (offset, offset + len(rows))
            offset += len(rows)
            if not self._routed(languages[name]):
                streams[name] = self._lexicon_stream(matches[bounds[name][0]:bounds[name][1]])
        modelled = [name for name in by_author if name not in streams]
        if not modelled or self.model is None:
            return streams, None
        counts = self.model.message_counts(list(texts), self.lexicon, matches)
        ends = np.concatenate([np.arange(bounds[n][0] + 1, bounds[n][1] + 1)
                               for n in modelled]).astype(np.int64)
        floors = np.concatenate([np.full(bounds[n][1] - bounds[n][0], bounds[n][0])
                                 for n in modelled]).astype(np.int64)
        starts = np.maximum(ends - self.model.window, floors)
        scores = self.model.calibrated(self.model.raw_scores(counts, starts, ends, floors))
        cut = 0
        for name in modelled:
            length = bounds[name][1] - bounds[name][0]
            streams[name] = scores[cut:cut + length]
            cut += length
        return streams, counts

    def _author(self, name: str, lines: Sequence[ChatLine],
                matches: Sequence[dict[str, tuple[str, ...]]], scores: np.ndarray,
                language: str, counts: sp.csr_matrix | None, reveal: bool) -> AuthorResult:
        use_model = self._routed(language)
        threshold = (self.model.threshold if use_model and self.model is not None
                     else self.lexicon.min_score)
        best = int(np.argmax(scores))
        above = np.flatnonzero(scores >= threshold)
        window = self.model.window if use_model and self.model is not None else len(lines)
        start = max(0, best + 1 - window)
        categories: dict[str, set[str]] = {}
        for found in matches:
            for category, terms in found.items():
                categories.setdefault(category, set()).update(terms)
        result = AuthorResult(
            author=name, score=float(scores[best]), flagged=bool(above.size),
            messages=len(lines), language=language,
            scored_by="model" if use_model else "lexicon",
            flagged_after=int(above[0]) + 1 if above.size else None,
            evidence_ids=[line.message_id for line, found in zip(lines, matches, strict=True)
                          if found][:50] or [line.message_id for line in lines[start:best + 1]],
            categories={c: sorted(t) for c, t in categories.items()},
            stated_minor_age=any(is_minor(stated_age(line.text)) for line in lines))
        if use_model and result.flagged and self.model is not None and counts is not None:
            result.phrases = top_phrases(self.model, counts[start:best + 1], reveal=reveal)
        return result

    def _lexicon_stream(self, matches: Sequence[dict[str, tuple[str, ...]]]) -> np.ndarray:
        """Cumulative lexicon score after each message: the lexicon needs whole conversations."""
        counts: Counter[str] = Counter()
        scores = []
        for found in matches:
            counts.update(found.keys())
            scores.append(self.lexicon.score(counts))
        return np.array(scores, dtype=np.float64)
