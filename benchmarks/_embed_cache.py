"""The round-7 embedding cache (``ablate_chats_round7.py``): MiniLM vectors of train-side chat
messages, and of whole windows embedded as one text, kept outside the repository in chunk files
keyed by the SHA-1 of each text (no text is stored), so an interrupted run resumes where it
stopped. ``python benchmarks/_embed_cache.py --kind messages --budget 540`` embeds for at most
``budget`` CPU seconds, then stops; run it again until it says nothing is left."""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from vigil.conversations.evaluate import build_protocol
from vigil.conversations.windows import AuthorWindow

CACHE = Path("/work/wt/h-chat7-cache")
CHUNK = 1024


def key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


def joined(window: AuthorWindow) -> str:
    """A window as one text: its ten messages in order, separated by a space (the tokenizer's
    normaliser reads a newline as a space anyway)."""
    return " ".join(window.texts)


class Store:
    """The vectors of one kind (``messages`` or ``windows``) under ``cache/kind``."""

    def __init__(self, cache: Path, kind: str) -> None:
        self.folder = cache / kind
        self.folder.mkdir(parents=True, exist_ok=True)
        self.rows: dict[bytes, int] = {}
        parts = [np.load(p) for p in sorted(self.folder.glob("chunk-*.npz"))]
        self.vectors = (np.concatenate([p["vectors"] for p in parts]) if parts
                        else np.zeros((0, 384), np.float16))
        for row, k in enumerate(bytes(k) for p in parts for k in p["keys"]):
            self.rows[k] = row

    def missing(self, texts: Sequence[str]) -> list[str]:
        wanted = {key(t): t for t in texts}
        return sorted((t for k, t in wanted.items() if k not in self.rows), key=key)

    def fill(self, texts: Sequence[str], budget: float, reverse: bool = False) -> int:
        """Embed the texts not yet stored, a chunk at a time, for about ``budget`` CPU seconds
        (from the other end of the list with ``reverse``, so two runs can share the work); the
        number still missing."""
        from _minilm import MiniLM

        todo = self.missing(texts)[::-1 if reverse else 1]
        model, started = MiniLM(), time.process_time()
        batch = 32 if self.folder.name == "messages" else 1  # the fastest in the cost runs
        done = len(list(self.folder.glob("chunk-*.npz")))
        while todo and time.process_time() - started < budget:
            chunk, todo = todo[:CHUNK], todo[CHUNK:]
            vectors = model.embed(chunk, batch).astype(np.float16)
            keys = np.array([np.frombuffer(key(t), np.uint8) for t in chunk])
            np.savez(self.folder / f"chunk-{done:05d}-{os.getpid()}.npz", keys=keys,
                     vectors=vectors)
            done += 1
        return len(todo)

    def lookup(self, texts: Sequence[str]) -> np.ndarray:
        return self.vectors[[self.rows[key(t)] for t in texts]].astype(np.float32)


def message_means(windows: Sequence[AuthorWindow], store: Store) -> np.ndarray:
    """Each window's mean of its messages' vectors, L2-normalised."""
    vectors = store.lookup([t for w in windows for t in w.texts])
    out = np.add.reduceat(vectors, np.cumsum([0, *[len(w.texts) for w in windows]])[:-1])
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def train_side(data: Path) -> tuple[list[AuthorWindow], list[AuthorWindow]]:
    """The scored train-side windows and the stage-2 windows (as ``ablate_chats_round6``)."""
    protocol = build_protocol(data)
    return [*protocol.train, *protocol.validation], protocol.offender_train


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data/chats"))
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--kind", choices=("messages", "windows"), default="messages")
    parser.add_argument("--scope", choices=("scored", "all"), default="all")
    parser.add_argument("--budget", type=float, default=540.0)
    parser.add_argument("--reverse", action="store_true")
    args = parser.parse_args()
    side, pj = train_side(args.data)
    windows = side if args.scope == "scored" else [*side, *pj]
    texts = ([t for w in windows for t in w.texts] if args.kind == "messages"
             else [joined(w) for w in windows])
    store = Store(args.cache, args.kind)
    print(f"{len(set(texts))} distinct {args.kind} ({args.scope}), "
          f"{len(store.missing(texts))} not yet embedded", flush=True)
    clock = time.process_time()
    left = store.fill(texts, args.budget, args.reverse)
    print(f"{left} left; {time.process_time() - clock:.0f} s CPU embedding", flush=True)


if __name__ == "__main__":
    main()
