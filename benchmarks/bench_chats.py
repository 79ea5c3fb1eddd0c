"""Chat detector throughput: messages/s on one core, with the trained model and lexicon alone.

What is timed is what ``vigil chats scan`` and the ``conversation.model`` detector do per
conversation: language ID per author, the lexicon on every message, the model's score after every
message of every author, and the weighing phrases of each author's best window. Input: the
messages of a labelled data folder (``--data``; authors and ids are only used to group, as in a
scan), cut to ``--per-conversation`` messages each, or synthetic neutral chat when no folder is
given. One process, one BLAS thread (vigil's default), so the figure is per core. Run with
``make bench-chats``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from vigil.conversations.analysis import ChatLine, ConversationScorer  # noqa: E402
from vigil.conversations.lexicon import default_lexicon  # noqa: E402
from vigil.conversations.model import load_model  # noqa: E402
from vigil.conversations.windows import labelled_files, read_labelled  # noqa: E402

SYNTHETIC = ["how old are you", "lets move to another app", "send it to my account",
             "did you restart the service", "i loved that movie", "im at school", "ok",
             "what are you doing this weekend", "the package is in universe"]


def from_data(folder: Path, limit: int, per_conversation: int) -> list[list[ChatLine]]:
    conversations: list[list[ChatLine]] = []
    total = 0
    for path in labelled_files(folder):
        for conversation in read_labelled(path):
            lines = [ChatLine(f"c{len(conversations)}", f"m{i}", author, text)
                     for i, (author, text) in enumerate(zip(conversation.authors,
                                                            conversation.texts, strict=True))]
            lines = lines[:per_conversation]
            conversations.append(lines)
            total += len(lines)
            if total >= limit:
                return conversations
    return conversations


def synthetic(limit: int, per_conversation: int) -> list[list[ChatLine]]:
    rng = random.Random(7)
    conversations = []
    for c in range(limit // per_conversation):
        conversations.append([ChatLine(f"c{c}", f"m{i}", f"a{i % 2}", rng.choice(SYNTHETIC))
                              for i in range(per_conversation)])
    return conversations


def rate(scorer: ConversationScorer, conversations: list[list[ChatLine]]) -> str:
    """Messages per CPU second of this process (per core, whatever else the machine runs) and
    per wall-clock second."""
    messages = sum(len(c) for c in conversations)
    wall, cpu = time.perf_counter(), time.process_time()
    for lines in conversations:
        scorer.assess(lines)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return (f"{messages / cpu:,.0f} messages/s per core (CPU time; "
            f"{messages / wall:,.0f}/s wall clock, load average {os.getloadavg()[0]:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--model", type=Path, default=Path(".vigil/models/chat-model.pkl"))
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--per-conversation", type=int, default=200)
    args = parser.parse_args()
    conversations = (from_data(args.data, args.messages, args.per_conversation)
                     if args.data else synthetic(args.messages, args.per_conversation))
    messages = sum(len(c) for c in conversations)
    lexicon = default_lexicon()
    print(f"{platform.processor() or platform.machine()}, python {platform.python_version()}, "
          f"{messages} messages in {len(conversations)} conversations "
          f"({'data: ' + str(args.data) if args.data else 'synthetic'})")
    print(f"lexicon alone: {rate(ConversationScorer(lexicon), conversations)}")
    if args.model.is_file():
        model = load_model(args.model)
        scorer = ConversationScorer(lexicon, model)
        model.feature_names()  # built once per loaded model
        # warmed on synthetic chat, so that no timed message is met before it is timed (the
        # model's count caches would keep it)
        scorer.assess(synthetic(200, 200)[0])
        print(f"full detector (model + lexicon + language ID): {rate(scorer, conversations)}")
    else:
        print(f"no model at {args.model}: run `make model-chats` for the full-detector figure")


if __name__ == "__main__":
    main()
