"""Ages people state about themselves in chat: the evidence that makes a contact a victim.

Why: receiving indicator messages does not make an account a child's. A pupil, a client or a
relative receives "add me on skype" and "how old is your son" every day. What PAN12 two-stage
systems and analysts look for is the other side of the exchange: the contact saying how old they are
(Villatoro-Tello et al., PAN 2012: roles from who asks and who discloses age or location). This
module reads the plain forms of that disclosure about oneself - "i'm 13", "13 po", "13 years old",
"grade 6" - and nothing else ("he turned 10", "grade 4 with teacher ana" are about someone else); a
stated age is a claim, kept as evidence, never a fact.
"""

from __future__ import annotations

import re

from vigil.conversations.lexicon import normalise_text

ADULT_AGE = 18
YOUNGEST_STATED = 5
"""Below this a number is more likely a time or a count than an age (vigil assumption)."""
GRADE_TO_AGE = 5
"""Philippine K-12: grade 1 starts at about six (DepEd, RA 10533), so age ~ grade + 5."""

_UNITS = r"(?!\s*(?:min|mins|minutes?|hours?|hrs?|pm|am|o'?clock|km|kg|%|pesos?|usd|dollars?))"
_SELF_AGE = re.compile(
    r"\b(?:i'?m|im|i\s+am|age)\s+(?:only\s+|just\s+)?(\d{1,2})\b" + _UNITS, re.IGNORECASE)
_YEARS_OLD = re.compile(r"^(\d{1,2})\s*(?:yrs?|years?|y/?o)\b", re.IGNORECASE)
_BARE = re.compile(r"^(\d{1,2})(?:\s*(?:po|na|lang))?(?:\s*why\??)?\s*[.!?]*$", re.IGNORECASE)
_GRADE = re.compile(r"^(?:i'?m\s+|im\s+|i\s+am\s+)?(?:in\s+)?grade\s+(\d{1,2})\b",
                    re.IGNORECASE)


def stated_age(text: str) -> int | None:
    """The age ``text`` states about its writer, or ``None`` when it states none.

    >>> stated_age("i'm 12 why"), stated_age("13 po"), stated_age("grade 6")
    (12, 13, 11)
    >>> stated_age("i'm 10 minutes away") is None
    True
    """
    clean = normalise_text(text)
    for pattern in (_SELF_AGE, _YEARS_OLD, _BARE):
        match = pattern.search(clean)
        if match:
            age = int(next(group for group in match.groups() if group is not None))
            return age if age >= YOUNGEST_STATED else None
    grade = _GRADE.search(clean)
    if grade and 1 <= int(grade.group(1)) <= 12:
        return int(grade.group(1)) + GRADE_TO_AGE
    return None


def is_minor(age: int | None) -> bool:
    return age is not None and age < ADULT_AGE
