"""Ages stated about oneself in chat: what makes a contact a victim, and what does not."""

import pytest

from vigil.conversations.ages import is_minor, stated_age


@pytest.mark.parametrize(("text", "age"), [
    ("13", 13), ("i'm 12 why", 12), ("12 po", 12), ("I am only 14", 14), ("14 years old", 14),
    ("grade 6", 11), ("im in grade 7", 12), ("i am 25", 25),
    # not a stated age, or not the writer's own
    ("i'm 10 minutes away", None), ("he turned 10 years old", None),
    ("yes, grade 4 with teacher ana", None), ("received, 8pm", None), ("3", None), ("ok", None),
])
def test_stated_age(text: str, age: int | None) -> None:
    assert stated_age(text) == age


def test_minor_means_under_eighteen() -> None:
    assert is_minor(17) and not is_minor(18) and not is_minor(None)
