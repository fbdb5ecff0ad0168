"""Sentence embeddings for training, cached on disk.

The real encoder is the python port of USE-lite written by the encoder engineer
(onnx-models/build/use_lite_torch.py): it embeds long inputs the same way the C# runtime
does (windows of <= 128 tokens, max-pooled, L2-normalised), so heads trained here see the
same vectors the gateway computes. The cache is keyed by sha256 of the exact text and lives
under onnx-models/.work/ (gitignored).

`REFUSALGATE_STANDIN_ENCODER=1` swaps in a hashed bag-of-words projection so that the
pipeline can be exercised before the encoder exists; heads trained that way must never ship
(train.py refuses to export them).
"""
import hashlib
import os
import sys

import numpy as np

ONNX_MODELS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORK = os.path.join(ONNX_MODELS, ".work")
DIM = 512


def _sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class StandInEncoder:
    name = "standin-hashed-bow"

    def embed_texts(self, texts):
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                h = int(hashlib.md5(w.encode()).hexdigest()[:8], 16)
                rng = np.random.RandomState(h)
                out[i] += rng.randn(DIM).astype(np.float32)
        n = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(n, 1e-12)


class UseLiteEncoder:
    """Adapter over onnx-models/build/use_lite_torch.embed_texts (strip, windows of <= 128 tokens, max-pool)."""

    name = "use-lite-torch"

    def __init__(self):
        sys.path.insert(0, os.path.join(ONNX_MODELS, "build"))
        import torch

        torch.set_num_threads(1)
        import use_lite_torch  # built by the encoder engineer

        self._module = use_lite_torch

    def embed_texts(self, texts):
        return self._module.embed_texts(list(texts), batch_size=64)


def load_encoder():
    if os.environ.get("REFUSALGATE_STANDIN_ENCODER") == "1":
        return StandInEncoder()
    return UseLiteEncoder()


class CachedEmbedder:
    def __init__(self, encoder, cache_dir=None, batch=64):
        self.encoder = encoder
        self.batch = batch
        self.cache_dir = cache_dir or os.path.join(WORK, "classifier", "embeddings", encoder.name)
        os.makedirs(self.cache_dir, exist_ok=True)
        self._path = os.path.join(self.cache_dir, "cache.npz")
        self._mem = {}
        if os.path.exists(self._path):
            data = np.load(self._path)
            for k, v in zip(data["keys"], data["vecs"]):
                self._mem[str(k)] = v

    def save(self):
        keys = np.array(sorted(self._mem))
        vecs = np.stack([self._mem[k] for k in keys]) if len(keys) else np.zeros((0, DIM), np.float32)
        tmp = self._path + ".tmp.npz"
        np.savez(tmp, keys=keys, vecs=vecs)
        os.replace(tmp, self._path)

    def embed(self, texts, progress=None):
        keys = [_sha(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in self._mem}.items())
        # Sorting by length keeps batches of similar window counts together (faster padding).
        missing.sort(key=lambda kv: len(kv[1]))
        done = 0
        for i in range(0, len(missing), self.batch):
            chunk = missing[i : i + self.batch]
            vecs = np.asarray(self.encoder.embed_texts([t for _, t in chunk]), dtype=np.float32)
            for (k, _), v in zip(chunk, vecs):
                self._mem[k] = v
            done += len(chunk)
            if progress and (i // self.batch) % 20 == 0:
                progress(f"embedded {done}/{len(missing)} new texts")
            if (i // self.batch) % 100 == 99:
                self.save()
        if missing:
            self.save()
        return np.stack([self._mem[k] for k in keys]) if keys else np.zeros((0, DIM), np.float32)
