from pathlib import Path

import pytest

from tests.conversations.synthetic_chats import write_labelled
from vigil.conversations.evaluate import Protocol, build_protocol, train_on
from vigil.conversations.lexicon import default_lexicon
from vigil.conversations.model import ChatModel


@pytest.fixture(scope="session")
def labelled_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_labelled(tmp_path_factory.mktemp("chats"))


@pytest.fixture(scope="session")
def protocol(labelled_dir: Path) -> Protocol:
    return build_protocol(labelled_dir)


@pytest.fixture(scope="session")
def chat_model(protocol: Protocol) -> ChatModel:
    return train_on(protocol, default_lexicon())


@pytest.fixture(scope="session")
def model_file(chat_model: ChatModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "chat-model.pkl"
    chat_model.save(path)
    return path
