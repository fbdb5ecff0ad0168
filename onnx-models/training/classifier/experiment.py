"""What the classifier's experiment scripts share: the seed from the command line, the split and features train.py
builds for that seed (from the same embedding cache), and the hand-written prompt probes."""
import argparse
import json
import os
from dataclasses import dataclass

import numpy as np

import data as data_mod
import heads
import prepare
import train
from common.embeddings import CachedEmbedder, load_encoder
from common.text import prompt_tail

PROBES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "prompt-probes.jsonl")


@dataclass
class Split:
    tax: data_mod.Taxonomy
    emb: CachedEmbedder
    items: list  # plain prompts
    all_items: list  # plain prompts, then the augmented ones
    x_full: np.ndarray  # whole-prompt embeddings of all_items
    x_tail: np.ndarray  # tail embeddings of all_items
    is_val: np.ndarray

    @property
    def features(self) -> np.ndarray:
        """What the refusal and category heads read: embedding ‖ tail embedding."""
        return np.concatenate([self.x_full, self.x_tail], axis=1).astype(np.float32)

    @property
    def labels(self) -> np.ndarray:
        return np.array([it.label for it in self.all_items])

    @property
    def sources(self) -> np.ndarray:
        return np.array([it.source for it in self.all_items])

    def probe_features(self, texts) -> np.ndarray:
        texts = [prepare.strip_prompt(t) for t in texts]
        return np.concatenate([self.emb.embed(texts), self.emb.embed([prompt_tail(t) for t in texts])], axis=1)


def seed_from_command_line(description: str, seed_help: str = "another split and initialisation") -> int:
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--seed", type=int, default=prepare.SEED, help=seed_help)
    return ap.parse_args().seed


def load_split(seed: int, how_to: bool = False) -> Split:
    """Seeds the split and the heads as `train.py --seed [--how-to]` does, then builds the same data set."""
    prepare.SEED = heads.SEED = seed
    np.random.seed(seed)
    tax = data_mod.Taxonomy(train.TAXONOMY)
    emb = CachedEmbedder(load_encoder())
    items, all_items, x_full, is_val, _ = train.build_dataset(tax, emb, how_to=how_to)
    x_tail = emb.embed([prompt_tail(it.text) for it in all_items], progress=train.log)
    return Split(tax, emb, items, all_items, x_full, x_tail, is_val)


def load_probes() -> list[dict]:
    with open(PROBES, encoding="utf-8") as f:
        return [json.loads(line) for line in f]
