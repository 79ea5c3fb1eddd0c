from pathlib import Path

import numpy as np
import pytest

from tests.conversations.synthetic_chats import DECOY, OFFENDER
from vigil.conversations.analysis import ChatLine, ConversationScorer
from vigil.conversations.evaluate import Protocol
from vigil.conversations.lexicon import default_lexicon
from vigil.conversations.model import ChatModel, load_model
from vigil.conversations.phrases import mask_phrase, top_phrases


def test_offender_windows_outscore_decoy_windows(chat_model: ChatModel,
                                                 protocol: Protocol) -> None:
    scores = chat_model.score_windows([w.texts for w in protocol.test])
    truth = np.array([w.positive for w in protocol.test])
    assert scores[truth].min() > scores[~truth].max()
    assert 0.0 < chat_model.threshold < 1.0


def test_the_score_after_message_k_is_the_score_of_the_last_k(chat_model: ChatModel) -> None:
    texts = OFFENDER[:6] + DECOY[:8]
    stream = chat_model.stream_scores(chat_model.message_counts(texts, default_lexicon()))
    assert len(stream) == len(texts)
    last = chat_model.score_windows([texts[-chat_model.window:]])[0]
    assert stream[-1] == pytest.approx(last)


def test_a_saved_model_loads_and_scores_the_same(chat_model: ChatModel, model_file: Path) -> None:
    loaded = load_model(model_file)
    windows = [OFFENDER[:10], DECOY[:10]]
    assert np.allclose(loaded.score_windows(windows), chat_model.score_windows(windows))


def test_a_file_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.pkl"
    path.write_bytes(b"not a pickle")
    with pytest.raises(ValueError, match="cannot be read"):
        load_model(path)


def test_phrases_come_from_the_vocabulary_and_are_masked_by_default(
        chat_model: ChatModel) -> None:
    lexicon = default_lexicon()
    counts = chat_model.message_counts(OFFENDER[:10], lexicon)
    revealed = top_phrases(chat_model, counts, reveal=True)
    masked = top_phrases(chat_model, counts)
    assert revealed and set(revealed) <= set(chat_model.feature_names())
    assert masked == [mask_phrase(p) for p in revealed]
    assert mask_phrase("how old") == "h** o**" and mask_phrase("[question]") == "[question]"


def test_the_scorer_names_the_offender_and_when_it_was_flagged(chat_model: ChatModel) -> None:
    lines = [ChatLine("c", f"m{i}", "alice" if i % 2 == 0 else "bob",
                      OFFENDER[i // 2 % len(OFFENDER)] if i % 2 == 0 else DECOY[i // 2 % 15])
             for i in range(40)]
    result = ConversationScorer(default_lexicon(), chat_model).assess(lines)
    assert result.flagged and result.likely_offender() == "alice"
    assert not result.authors["bob"].flagged
    alice = result.authors["alice"]
    assert alice.scored_by == "model" and alice.flagged_after is not None
    assert alice.flagged_after <= alice.messages
    assert "grooming" in result.labels and "not_pertinent" not in result.labels
    assert result.to_json()["authors"] == {
        "alice": {"score": round(alice.score, 6), "flagged": True},
        "bob": {"score": round(result.authors["bob"].score, 6), "flagged": False}}


def test_without_a_model_the_lexicon_scores_and_says_so() -> None:
    lines = [ChatLine("c", "m1", "a", "how old are you"), ChatLine("c", "m2", "a", "our secret ok"),
             ChatLine("c", "m3", "b", "the weather is nice")]
    result = ConversationScorer(default_lexicon()).assess(lines)
    assert not result.model_used
    assert result.authors["a"].scored_by == "lexicon" and result.authors["a"].flagged
    assert result.authors["a"].flagged_after == 2
    assert set(result.labels) == {"age_disclosure", "grooming"}


def test_a_model_refuses_a_lexicon_with_other_categories(chat_model: ChatModel) -> None:
    lexicon = default_lexicon()
    fewer = lexicon.model_copy(update={"categories": dict(list(lexicon.categories.items())[:3])})
    with pytest.raises(ValueError, match="make model-chats"):
        chat_model.message_counts(["hello"], fewer)


def test_an_author_writing_tagalog_is_routed_to_the_lexicon(chat_model: ChatModel) -> None:
    tagalog = ["kumusta ka na po", "ilang taon ka na", "saan ka nakatira ngayon",
               "wag mong sabihin sa nanay mo", "sikreto natin ito ha", "mag-isa ka ba sa bahay"]
    lines = [ChatLine("c", f"m{i}", "tita", text) for i, text in enumerate(tagalog)]
    lines += [ChatLine("c", f"e{i}", "sam", text) for i, text in enumerate(OFFENDER[:10])]
    result = ConversationScorer(default_lexicon(), chat_model).assess(lines)
    assert result.authors["tita"].language == "tl"
    assert result.authors["tita"].scored_by == "lexicon" and result.authors["tita"].flagged
    assert result.authors["sam"].scored_by == "model"
