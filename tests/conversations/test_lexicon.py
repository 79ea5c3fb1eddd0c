"""The indicator lexicon: every pattern has a synthetic neutral sentence, and the score's shape."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from vigil.conversations.lexicon import (
    Lexicon,
    _after_boundary,
    default_lexicon,
    load_lexicon,
    parse_lexicon,
)

LEXICON = default_lexicon()

# (category, synthetic neutral sentence). Together these must exercise every term of the lexicon.
PHRASES: list[tuple[str, str]] = [
    ("asks_age", "hey how old are you?"),
    ("asks_age", "what's your age btw"),
    ("asks_age", "what grade are you in now"),
    ("asks_age", "are you still in middle school?"),
    ("asks_age", "wait r u 14?"),
    ("asks_age", "asl?"),
    ("asks_age", "ilang taon ka na?"),
    ("moves_platform", "add me on snapchat so we can talk more"),
    ("moves_platform", "let's move this to telegram"),
    ("moves_platform", "do you have whatsapp?"),
    ("moves_platform", "what's your kik?"),
    ("moves_platform", "give me your number and I will text"),
    ("moves_platform", "just call me later"),
    ("moves_platform", "can I call you tonight?"),
    ("moves_platform", "let's talk somewhere more private"),
    ("moves_platform", "join my private chat room"),
    ("moves_platform", "add mo ko sa messenger"),
    ("price_payment", "what's your price"),
    ("price_payment", "how much for the whole thing?"),
    ("price_payment", "just send me the money first"),
    ("price_payment", "send 50 usd today"),
    ("price_payment", "you have to pay first"),
    ("price_payment", "I will share the payment details later"),
    ("price_payment", "use a remittance center near you"),
    ("price_payment", "pay me through gcash"),
    ("price_payment", "send it to my maya 0917 123 4567"),
    ("price_payment", "buy a gift card at the store"),
    ("price_payment", "magkano po?"),
    ("price_payment", "magpadala ka na lang"),
    ("secrecy", "don't tell anyone about this"),
    ("secrecy", "this is our little secret"),
    ("secrecy", "keep this between us ok"),
    ("secrecy", "it stays between you and me"),
    ("secrecy", "please delete the chat after reading"),
    ("secrecy", "no one can know we talk"),
    ("secrecy", "wag mong sabihin kay mama"),
    ("secrecy", "sikreto lang natin ito"),
    ("threat_to_share", "I will ruin your life"),
    ("threat_to_share", "I'll send it to all your friends"),
    ("threat_to_share", "your family will see everything"),
    ("threat_to_share", "i saved your photos"),
    ("threat_to_share", "i will post it everywhere"),
    ("threat_to_share", "you have 10 minutes to pay"),
    ("threat_to_share", "ipapakita ko sa pamilya mo"),
    ("show_negotiation", "is it pay per view?"),
    ("show_negotiation", "can we do a private show tonight"),
    ("show_negotiation", "I want a private video call"),
    ("show_negotiation", "how much for a session?"),
    ("show_negotiation", "the show is 30 dollars"),
    ("show_negotiation", "it's 20 usd per session"),
    ("show_negotiation", "let's book a session for saturday"),
    ("show_negotiation", "what time is the show?"),
    ("camera_request", "do you have a webcam?"),
    ("camera_request", "turn on your camera please"),
    ("camera_request", "can you get on cam later"),
    ("camera_request", "cam to cam?"),
    ("camera_request", "video call me tonight"),
    ("asks_for_photos", "send me a photo from the trip"),
    ("asks_for_photos", "do you have a photo of yourself"),
    ("asks_for_photos", "can i see a selfie?"),
    ("isolation_check", "cd9?"),
    ("isolation_check", "are you home alone right now"),
    ("isolation_check", "so home alone tonight?"),
    ("isolation_check", "are your parents home?"),
    ("isolation_check", "when do your parents leave for work"),
    ("isolation_check", "can your parents see this chat?"),
    ("isolation_check", "who else is home with you"),
    ("isolation_check", "mag-isa ka lang ba?"),
    ("isolation_check", "nasaan ang magulang mo?"),
    ("arranges_meeting", "lmirl?"),
    ("arranges_meeting", "we should meet in person"),
    ("arranges_meeting", "where do you live?"),
    ("arranges_meeting", "can we meet this weekend"),
    ("arranges_meeting", "you could come over on sunday"),
    ("arranges_meeting", "i can pick you up at the mall"),
    ("checks_for_police", "are you a cop?"),
    ("checks_for_police", "you're not a cop right?"),
    ("checks_for_police", "is this a sting?"),
    ("code_words", "gnoc?"),
    ("code_words", "ok gnrn"),
    ("code_words", "\U0001F9C0\U0001F355"),
]

# Ordinary sentences that share words with indicators but must match nothing.
BENIGN: list[str] = [
    "how old is this laptop?",
    "anyone around who knows how to fix grub?",
    "delete the file and reboot",
    "my mom is at home today",
    "did you watch the show tonight?",
    "I'll send it to your email",
    "where does the config file live?",
    "the camera on this phone is great",
    "that's a wise choice",
    "maya angelou wrote that poem",
    "the secret to good bread is time",
    "are you 100% sure?",
    "are you 15 minutes away?",
    "I told my friends about the movie",
    "send me the logs please",
    "we met at the conference last year",
]

REQUIRED = ("asks_age", "moves_platform", "price_payment", "secrecy", "threat_to_share",
            "show_negotiation", "isolation_check")


@pytest.mark.parametrize(("category", "sentence"), PHRASES)
def test_phrase_matches_its_category(category: str, sentence: str) -> None:
    assert category in LEXICON.match(sentence)


@pytest.mark.parametrize("sentence", BENIGN)
def test_benign_sentence_matches_nothing(sentence: str) -> None:
    assert LEXICON.match(sentence) == {}


def test_every_term_of_the_lexicon_has_a_test_sentence() -> None:
    matched = {(cat, term) for _, s in PHRASES for cat, terms in LEXICON.match(s).items()
               for term in terms}
    declared = {(name, p.term) for name, c in LEXICON.categories.items() for p in c.patterns}
    assert declared - matched == set()


def test_required_categories_are_documented() -> None:
    for name in REQUIRED:
        category = LEXICON.categories[name]
        assert category.source and category.description and 0 < category.weight < 1


def test_non_english_items_are_marked_unverified() -> None:
    others = [p for c in LEXICON.categories.values() for p in c.patterns if p.language != "en"]
    assert others and all(p.unverified for p in others)


def test_typographic_apostrophes_and_spacing_are_normalised() -> None:
    assert "secrecy" in LEXICON.match("Don\u2019t   tell\nanyone")


def test_match_reports_neutral_terms_not_text() -> None:
    found = LEXICON.match("so how old r u and are your parents home")
    assert found == {"asks_age": ("how old are you",),
                     "isolation_check": ("are your parents home",)}


def test_one_common_indicator_scores_below_threshold() -> None:
    assert LEXICON.score({"price_payment": 1}) < LEXICON.min_score


@pytest.mark.parametrize("category", sorted(LEXICON.categories))
def test_no_single_category_alone_reaches_threshold(category: str) -> None:
    assert LEXICON.score({category: 1}) < LEXICON.min_score
    repeated = LEXICON.score({category: LEXICON.repeat_cap})
    assert (repeated >= LEXICON.min_score) == (category == "threat_to_share")


def test_combination_scores_above_threshold() -> None:
    counts = {"asks_age": 1, "moves_platform": 1, "secrecy": 1}
    assert LEXICON.score(counts) >= LEXICON.min_score


def test_repetition_is_capped() -> None:
    cap = LEXICON.repeat_cap
    assert LEXICON.score({"price_payment": cap}) == LEXICON.score({"price_payment": 100 * cap})
    assert LEXICON.score({"price_payment": cap}) > LEXICON.score({"price_payment": 1})


def test_a_new_kind_counts_more_than_a_repeat() -> None:
    repeated = LEXICON.score({"asks_age": 2})
    combined = LEXICON.score({"asks_age": 1, "secrecy": 1})
    assert combined > repeated


def test_score_is_noisy_or_of_distinct_weights() -> None:
    w = {name: c.weight for name, c in LEXICON.categories.items()}
    expected = 1 - (1 - w["asks_age"]) * (1 - w["secrecy"])
    assert LEXICON.score({"asks_age": 1, "secrecy": 1, "moves_platform": 0}) == \
        pytest.approx(expected, abs=1e-6)


def test_all_categories_at_once_stay_in_unit_interval() -> None:
    score = LEXICON.score({name: 1000 for name in LEXICON.categories})
    assert 0.9 < score < 1.0


def _valid_document() -> dict[str, object]:
    return {
        "version": "t", "min_score": 0.5, "repeat_bonus": 0.1, "repeat_cap": 3,
        "max_evidence_messages": 5,
        "categories": {"asks_age": {
            "label": "asks age", "description": "d", "source": "s", "weight": 0.3,
            "patterns": [{"term": "how old", "regex": r"\bhow old\b"}]}},
    }


@pytest.mark.parametrize(("change", "message"), [
    ({"regex": "(unclosed"}, "does not compile"),
    ({"regex": "(?P<mine>x)"}, "named groups"),
    ({"weight": 1.5}, "weight"),
    ({"colour": "red"}, "colour"),
])
def test_invalid_lexicon_is_refused_naming_the_problem(change: dict[str, object],
                                                       message: str) -> None:
    document = _valid_document()
    category = document["categories"]["asks_age"]  # type: ignore[index]
    target = category["patterns"][0] if "regex" in change else category
    target.update(change)
    with pytest.raises(ValueError, match=message):
        parse_lexicon(yaml.safe_dump(document), "test.yaml")


def test_category_names_must_be_snake_case() -> None:
    document = _valid_document()
    document["categories"] = {"Asks Age": document["categories"]["asks_age"]}  # type: ignore[index]
    with pytest.raises(ValueError, match="lower_snake_case"):
        Lexicon.model_validate(document)


def test_yaml_syntax_error_names_the_file() -> None:
    with pytest.raises(ValueError, match="bad.yaml"):
        parse_lexicon("categories: [unclosed", "bad.yaml")


def test_load_lexicon_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text(yaml.safe_dump(_valid_document()), "utf-8")
    lexicon = load_lexicon(path)
    assert lexicon.match("So how old?") == {"asks_age": ("how old",)}
    assert load_lexicon() is default_lexicon()


def _plain(category: str) -> re.Pattern[str]:
    patterns = LEXICON.categories[category].patterns
    return re.compile("|".join(f"(?P<p{i}>{p.regex})" for i, p in enumerate(patterns)),
                      re.IGNORECASE)


def test_shared_word_boundary_finds_what_the_plain_alternation_finds() -> None:
    texts = [s for _, s in PHRASES] + ["xhow old are you", "how old are you" * 3, "", "??"]
    for category in LEXICON.categories:
        plain, compiled = _plain(category), LEXICON._compiled[category]
        for text in texts:
            assert ([(m.span(), m.lastgroup) for m in plain.finditer(text)]
                    == [(m.span(), m.lastgroup) for m in compiled.finditer(text)])


def test_boundary_is_shared_only_where_it_means_the_same() -> None:
    assert _after_boundary(r"\bhow\s+old") == r"how\s+old"
    assert _after_boundary(r"\b(?:a|b)[|]c") == r"(?:a|b)[|]c"
    for regex in (r"\bx|y", r"how\b", r"\b+x", r"\b(?x: a | b )", r"\b[]|]x|y"):
        assert _after_boundary(regex) is None
