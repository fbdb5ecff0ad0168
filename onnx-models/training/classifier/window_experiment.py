"""Experiment (rejected in session 7, see the card): score a long prompt window by window instead of only through
its max-pooled embedding, hoping the window that holds a request buried in a long template would stand out.

Trains the shipped head recipe on the training split, then compares validation AUROC on the wrapped prompts (unseen
templates and frames) for the pooled embedding and for per-window scores (each window's own embedding with the
prompt's tail, through the same head), alone and combined.

    REFUSALGATE_DATASETS=... /usr/bin/python3 onnx-models/training/classifier/window_experiment.py [--seed N]
"""
import argparse
import os
import sys

import numpy as np
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import data as data_mod  # noqa: E402
import heads  # noqa: E402
import prepare  # noqa: E402
import train  # noqa: E402
from common.embeddings import load_encoder  # noqa: E402
from common.text import prompt_tail  # noqa: E402

sys.path.insert(0, os.path.join(train.ROOT, "onnx-models", "build"))
import use_lite_torch  # noqa: E402


def window_logits(head, texts, tails):
    """Per text, the head's logit for each encoder window (the gateway's windows: 128 tokens, stride 96)."""
    model, tokenizer = use_lite_torch._default_model()
    windows, owner = [], []
    for i, text in enumerate(texts):
        ids = tokenizer.encode(use_lite_torch.prepare_text(text))
        for start, end in use_lite_torch.long_input_windows(len(ids)):
            windows.append(ids[start:end])
            owner.append(i)
    v = use_lite_torch.embed_token_lists(model, windows)
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    owner = np.array(owner)
    logits = head.logit(np.concatenate([v, tails[owner]], axis=1)).reshape(-1)
    return [logits[owner == i] for i in range(len(texts))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=prepare.SEED)
    prepare.SEED = heads.SEED = ap.parse_args().seed
    emb = train.CachedEmbedder(load_encoder())
    _, all_items, x_full, is_val, _ = train.build_dataset(data_mod.Taxonomy(train.TAXONOMY), emb)
    x_tail = emb.embed([prompt_tail(it.text) for it in all_items])
    y = np.array([it.label for it in all_items])
    src = np.array([it.source for it in all_items])
    tr = ~is_val
    x = np.concatenate([x_full, x_tail], axis=1)
    head = heads.MlpHead().fit(x[tr], y[tr], heads.sample_weights(src[tr], y[tr]))

    idx = np.where(is_val & np.array([it.kind == "wrapped" for it in all_items]))[0]
    per_window = window_logits(head, [all_items[i].text for i in idx], x_tail[idx])
    long = np.array([len(w) > 1 for w in per_window])
    pooled = head.logit(x[idx]).reshape(-1)
    best = np.array([w.max() for w in per_window])
    mean = np.array([w.mean() for w in per_window])
    print(f"validation wrapped prompts: {len(idx)}, longer than one window: {int(long.sum())}")
    for name, score in (("pooled (shipped)", pooled), ("max over windows", best), ("mean over windows", mean),
                        ("max(pooled, max window)", np.maximum(pooled, best)), ("pooled + max window", pooled + best)):
        print(f"  {name:26s} AUROC all {roc_auc_score(y[idx], score):.4f}   long only {roc_auc_score(y[idx][long], score[long]):.4f}")


if __name__ == "__main__":
    main()
