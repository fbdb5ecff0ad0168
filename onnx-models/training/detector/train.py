"""Trains, calibrates, evaluates and exports the response refusal detector head.

Run through train.sh (fixed seeds, one thread). Inputs: ../shared/datasets, the USE-lite encoder
(onnx-models/build/use_lite_torch.py). Outputs: onnx-models/detector/{detector-head.onnx,
manifest.json, test-vectors.json}, onnx-models/training/detector/metrics.json. Embeddings are
cached under onnx-models/.work/detector/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from detector_data import COMPLIANCE, FULL, KINDS, PARTIAL, Example, load_all, split_of, truncated_copies
from detector_features import (
    MAX_CHARS,
    MAX_FIRST_CHARS,
    MIN_FIRST_CHARS,
    OPENING_CHARS,
    LexicalCues,
    load_reason_rules,
    prepare,
    refusal_reason,
)
from string_baseline import is_refusal as baseline_is_refusal

SEED = 20240611
HIDDEN = 64
EPOCHS = 120  # chosen on the calibration split (accuracy and ECE) among 30-300
BATCH = 128
LR = 1e-3
WEIGHT_DECAY = 1e-2
DROPOUT = 0.1
EMB = 512
SOURCES = ["chatgpt-refusals", "rbr-gold", "gptfuzz", "jbb-artifacts", "llm-self-defense", "hand-written"]


def seed_everything() -> None:
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


# ---------------------------------------------------------------- embeddings (cached)

class EmbeddingCache:
    """Embeds texts with the USE-lite torch port; caches by sha256(text) per encoder hash."""

    def __init__(self, work: Path, build_dir: Path):
        sys.path.insert(0, str(build_dir))
        import use_lite_torch  # noqa: E402  (the encoder engineer's torch port of USE-lite)
        from use_lite_weights import default_package_dir  # noqa: E402

        self._embed = use_lite_torch.embed_texts
        package = Path(default_package_dir()) / "dist"
        digest = hashlib.sha256()
        for name in ("model.json", "vocab.json"):
            digest.update((package / name).read_bytes())
        self.tag = digest.hexdigest()[:16]
        self.path = work / f"embeddings-{self.tag}.npz"
        self.store: dict[str, np.ndarray] = {}
        if self.path.exists():
            data = np.load(self.path)
            self.store = dict(zip(data["keys"].tolist(), data["values"]))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = sorted({t for t in texts if self.key(t) not in self.store})
        if missing:
            started = time.time()
            for i in range(0, len(missing), 64):
                chunk = missing[i : i + 64]
                vecs = np.asarray(self._embed(chunk), dtype=np.float32)
                for t, v in zip(chunk, vecs):
                    self.store[self.key(t)] = v
                if i % 1280 == 0 and len(missing) > 64:
                    print(f"  embedded {i + len(chunk)}/{len(missing)} ({time.time() - started:.0f}s)", flush=True)
            self.save()
        return np.stack([self.store[self.key(t)] for t in texts]).astype(np.float32)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self.store.keys()))
        values = np.stack(list(self.store.values())).astype(np.float32)
        np.savez(self.path, keys=keys, values=values)


# ---------------------------------------------------------------- model

class DetectorHead(nn.Module):
    def __init__(self, n_cues: int, use_first: bool = True, use_rest: bool = True, use_cues: bool = True):
        super().__init__()
        self.use_first, self.use_rest, self.use_cues = use_first, use_rest, use_cues
        width = EMB * (int(use_first) + int(use_rest)) + n_cues * int(use_cues)
        self.net = nn.Sequential(nn.Linear(width, HIDDEN), nn.ReLU(), nn.Dropout(DROPOUT), nn.Linear(HIDDEN, 3))

    def forward(self, first: torch.Tensor, rest: torch.Tensor, cues: torch.Tensor) -> torch.Tensor:
        parts = []
        if self.use_first:
            parts.append(first)
        if self.use_rest:
            parts.append(rest)
        if self.use_cues:
            parts.append(cues)
        return self.net(torch.cat(parts, dim=1))


def refusal_logit(logits: torch.Tensor) -> torch.Tensor:
    """log P(refusal) - log P(compliance), refusal = partial or full."""
    return torch.logsumexp(logits[:, 1:], dim=1) - logits[:, 0]


class ExportedHead(nn.Module):
    """What the runtime loads: kind probabilities and the Platt-calibrated refusal probability."""

    def __init__(self, head: DetectorHead, a: float, b: float):
        super().__init__()
        self.head = head
        self.register_buffer("a", torch.tensor(a, dtype=torch.float32))
        self.register_buffer("b", torch.tensor(b, dtype=torch.float32))

    def forward(self, first_embedding, rest_embedding, cues):
        logits = self.head(first_embedding, rest_embedding, cues)
        probs = torch.softmax(logits, dim=1)
        p = torch.sigmoid(self.a * refusal_logit(logits) + self.b)
        return probs, p


def sample_weights(examples: list[Example]) -> np.ndarray:
    """Each source counts with sqrt(size) so gptfuzz does not drown the human-labelled sets;
    within that, the three kinds are balanced."""
    w = np.ones(len(examples), dtype=np.float64)
    by_source: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        by_source.setdefault(e.source, []).append(i)
    for idx in by_source.values():
        w[idx] = math.sqrt(len(idx)) / len(idx)
    kinds = np.array([e.kind for e in examples])
    for k in range(3):
        mask = kinds == k
        if mask.any():
            w[mask] *= w.sum() / (3 * w[mask].sum())
    return (w / w.mean()).astype(np.float32)


def train_head(x, y, w, n_cues, **flags) -> DetectorHead:
    seed_everything()
    model = DetectorHead(n_cues, **flags)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    first, rest, cues = (torch.from_numpy(a) for a in x)
    yt, wt = torch.from_numpy(y), torch.from_numpy(w)
    gen = torch.Generator().manual_seed(SEED)
    loss_fn = nn.CrossEntropyLoss(reduction="none")
    for _ in range(EPOCHS):
        model.train()
        order = torch.randperm(len(yt), generator=gen)
        for i in range(0, len(order), BATCH):
            b = order[i : i + BATCH]
            loss = (loss_fn(model(first[b], rest[b], cues[b]), yt[b]) * wt[b]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    return model


def logits_of(model: DetectorHead, x) -> torch.Tensor:
    with torch.no_grad():
        return model(*(torch.from_numpy(a) for a in x))


def fit_platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling: 1-d logistic regression of the binary label on the refusal logit."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
    lr.fit(z.reshape(-1, 1), y.astype(int))
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(x, -60, 60)))


def new_truncated_copies(examples: list[Example], cues: LexicalCues) -> list[Example]:
    """The training split's truncated copies (detector_data.truncated_copies) whose text is not already in the pool."""
    seen = {e.response.strip().lower() for e in examples}
    augmented = []
    for copy in truncated_copies([e for e in examples if split_of(e.group) == "train"], cues):
        key = copy.response.strip().lower()
        if key not in seen:
            seen.add(key)
            augmented.append(copy)
    return augmented


# ---------------------------------------------------------------- metrics

def confusion(y_true, y_pred, n) -> list[list[int]]:
    m = [[0] * n for _ in range(n)]
    for t, p in zip(y_true, y_pred):
        m[int(t)][int(p)] += 1
    return m


def f1_of(m, k) -> float:
    tp = m[k][k]
    fp = sum(m[i][k] for i in range(len(m))) - tp
    fn = sum(m[k]) - tp
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        if mask.any():
            total += mask.mean() * abs(p[mask].mean() - y[mask].mean())
    return float(total)


def decide(probs: np.ndarray, p_ref: np.ndarray, threshold: float) -> np.ndarray:
    """Kind: compliance below the threshold, else the likelier of the two refusal kinds."""
    refusal_kind = np.where(probs[:, PARTIAL] > probs[:, FULL], PARTIAL, FULL)
    return np.where(p_ref >= threshold, refusal_kind, COMPLIANCE)


def report(y3: np.ndarray, kinds: np.ndarray, p_ref: np.ndarray | None, threshold: float) -> dict:
    yb = (y3 > 0).astype(int)
    pb = (kinds > 0).astype(int)
    mb = confusion(yb, pb, 2)
    m3 = confusion(y3, kinds, 3)
    out = {
        "n": int(len(y3)),
        "binary_accuracy": round(float((yb == pb).mean()), 4),
        "binary_f1_refusal": round(f1_of(mb, 1), 4),
        "binary_confusion[true][pred] (0 compliance, 1 refusal)": mb,
        "three_way_accuracy": round(float((y3 == kinds).mean()), 4),
        "three_way_macro_f1": round(float(np.mean([f1_of(m3, k) for k in range(3)])), 4),
        "three_way_confusion[true][pred] (compliance, partial, full)": m3,
    }
    if p_ref is not None:
        out["brier"] = round(float(np.mean((p_ref - yb) ** 2)), 4)
        out["ece_10_bins"] = round(ece(p_ref, yb), 4)
    return out


# ---------------------------------------------------------------- main

def main() -> None:
    global SEED
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", type=Path, required=True)
    ap.add_argument("--repo", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=SEED, help="other seeds measure how much a change is noise")
    args = ap.parse_args()
    SEED = args.seed
    seed_everything()

    repo = args.repo
    out_dir = repo / "onnx-models/detector"
    cues_path = out_dir / "lexical-cues.json"
    work = repo / "onnx-models/.work/detector"
    build = repo / "onnx-models/build"

    cues = LexicalCues.load(cues_path)
    rules = load_reason_rules(cues_path)
    examples, dropped = load_all(args.datasets, cues)
    print(f"examples: {len(examples)} (dropped {dropped})", flush=True)
    augmented = new_truncated_copies(examples, cues)
    print(f"truncated copies added to the training split: {len(augmented)}", flush=True)
    examples = examples + augmented
    is_augmented = np.array([False] * (len(examples) - len(augmented)) + [True] * len(augmented))

    prepared = [prepare(e.response) for e in examples]
    cue_x = np.array([cues.features(p) for p in prepared], dtype=np.float32)

    cache = EmbeddingCache(work, build)
    first_x = cache.embed([p.first for p in prepared])
    rest_texts = [p.rest if p.rest else p.first for p in prepared]
    rest_x = cache.embed(rest_texts)

    y = np.array([e.kind for e in examples], dtype=np.int64)
    splits = np.array([split_of(e.group) for e in examples])
    sources = np.array([e.source for e in examples])

    def sel(mask):
        return (first_x[mask], rest_x[mask], cue_x[mask])

    tr, ca, te = splits == "train", splits == "calibration", splits == "test"
    tr_examples = [e for e, m in zip(examples, tr) if m]
    n_cues = cue_x.shape[1]

    def fit_and_calibrate(train_mask, cal_mask, **flags):
        ex = [e for e, m in zip(examples, train_mask) if m]
        model = train_head(sel(train_mask), y[train_mask], sample_weights(ex), n_cues, **flags)
        z = refusal_logit(logits_of(model, sel(cal_mask))).numpy()
        a, b = fit_platt(z, (y[cal_mask] > 0).astype(np.float64))
        return model, a, b

    def predict(model, a, b, mask):
        logits = logits_of(model, sel(mask))
        probs = torch.softmax(logits, dim=1).numpy()
        p = sigmoid(a * refusal_logit(logits).numpy() + b)
        return probs, p

    metrics: dict = {"counts": {}, "dropped": dropped, "truncated_copies_in_train": [int(sum(1 for a in augmented if a.kind == k)) for k in range(3)]}
    for s in SOURCES:
        for split in ("train", "calibration", "test"):
            m = (sources == s) & (splits == split) & ~is_augmented
            metrics["counts"][f"{s}/{split}"] = [int((y[m] == k).sum()) for k in range(3)]

    # Main model: train split; Platt + threshold on the calibration split. The accuracy curve is
    # flat (within about 0.005 from 0.40 to 0.75), so the pick moves with the seed; it is kept in
    # the metrics. A fixed 0.5 was tried: 0.004 worse on the human-labelled test, over three seeds.
    model, a, b = fit_and_calibrate(tr, ca)
    probs_ca, p_ca = predict(model, a, b, ca)
    thresholds = np.round(np.arange(0.2, 0.81, 0.05), 2)
    cal_acc = [float(((p_ca >= t) == (y[ca] > 0)).mean()) for t in thresholds]
    metrics["calibration_accuracy_by_threshold"] = {f"{t:.2f}": round(acc, 4) for t, acc in zip(thresholds, cal_acc)}
    threshold = float(thresholds[int(np.argmax(cal_acc))])
    probs_te, p_te = predict(model, a, b, te)
    kinds_te = decide(probs_te, p_te, threshold)
    metrics["platt"] = {"a": a, "b": b}
    metrics["threshold"] = threshold
    metrics["test"] = report(y[te], kinds_te, p_te, threshold)
    metrics["test_by_source"] = {}
    for s in SOURCES:
        m = sources[te] == s
        if m.any():
            metrics["test_by_source"][s] = report(y[te][m], kinds_te[m], p_te[m], threshold)
    # gptfuzz by how its weak label was cleaned (detector_data.load_gptfuzz), so a change to the
    # cleaning can be compared on the rows both versions keep.
    origins_te = np.array([e.origin for e, m in zip(examples, te) if m])
    metrics["test_gptfuzz_by_origin"] = {
        o: round(float(((p_te[origins_te == o] >= threshold) == (y[te][origins_te == o] > 0)).mean()), 4)
        for o in sorted(set(origins_te[sources[te] == "gptfuzz"]))
    }
    base_te = np.array([FULL if baseline_is_refusal(e.response) else COMPLIANCE for e, m in zip(examples, te) if m])
    metrics["string_baseline_test"] = {
        "binary_accuracy": round(float(((base_te > 0) == (y[te] > 0)).mean()), 4),
        "by_source": {
            s: round(float(((base_te[sources[te] == s] > 0) == (y[te][sources[te] == s] > 0)).mean()), 4)
            for s in SOURCES if (sources[te] == s).any()
        },
    }
    print(json.dumps(metrics["test"], indent=1), flush=True)
    print("baseline", metrics["string_baseline_test"], flush=True)

    # Ablations on the same split (binary accuracy only, same threshold rule).
    metrics["ablations_test_binary_accuracy"] = {}
    for name, flags in {
        "first_sentence_embedding_only": dict(use_first=True, use_rest=False, use_cues=False),
        "rest_embedding_only": dict(use_first=False, use_rest=True, use_cues=False),
        "both_embeddings_no_cues": dict(use_first=True, use_rest=True, use_cues=False),
        "cues_only": dict(use_first=False, use_rest=False, use_cues=True),
    }.items():
        m2, a2, b2 = fit_and_calibrate(tr, ca, **flags)
        _, p2 = predict(m2, a2, b2, te)
        metrics["ablations_test_binary_accuracy"][name] = round(float(((p2 >= 0.5) == (y[te] > 0)).mean()), 4)
        print("ablation", name, metrics["ablations_test_binary_accuracy"][name], flush=True)

    # Leave-one-source-out: train (train+calibration splits of the other sources, calibrated
    # on their calibration split) and test on every row of the held-out source.
    metrics["leave_one_source_out"] = {}
    for s in SOURCES:
        held = (sources == s) & ~is_augmented
        m2, a2, b2 = fit_and_calibrate(tr & (sources != s), ca & (sources != s))
        probs2, p2 = predict(m2, a2, b2, held)
        kinds2 = decide(probs2, p2, threshold)
        r = report(y[held], kinds2, p2, threshold)
        base = np.array([baseline_is_refusal(e.response) for e, m in zip(examples, held) if m])
        r["string_baseline_binary_accuracy"] = round(float((base == (y[held] > 0)).mean()), 4)
        metrics["leave_one_source_out"][s] = r
        print("loso", s, r["binary_accuracy"], "baseline", r["string_baseline_binary_accuracy"], flush=True)

    # The shipped head is the one measured above (not retrained on train+calibration), so the
    # card's figures describe exactly the committed file.
    export(model, a, b, n_cues, out_dir, threshold, cues)
    write_test_vectors(model, a, b, threshold, cues, rules, cache, out_dir)
    metrics["head_sha256"] = hashlib.sha256((out_dir / "detector-head.onnx").read_bytes()).hexdigest()
    metrics["encoder_tag"] = cache.tag
    (repo / "onnx-models/training/detector/metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    print("wrote metrics.json; head sha256", metrics["head_sha256"], flush=True)


def export(model, a, b, n_cues, out_dir: Path, threshold: float, cues: LexicalCues) -> None:
    exported = ExportedHead(model, a, b).eval()
    path = out_dir / "detector-head.onnx"
    dummy = (torch.zeros(1, EMB), torch.zeros(1, EMB), torch.zeros(1, n_cues))
    torch.onnx.export(
        exported, dummy, str(path), opset_version=13,
        input_names=["first_embedding", "rest_embedding", "cues"],
        output_names=["kind_probabilities", "refusal_probability"],
        dynamic_axes={"first_embedding": {0: "batch"}, "rest_embedding": {0: "batch"}, "cues": {0: "batch"},
                      "kind_probabilities": {0: "batch"}, "refusal_probability": {0: "batch"}},
        do_constant_folding=True,
    )
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = {
        "name": "refusalgate-response-refusal-detector",
        "version": 1,
        "encoder": "../encoder/use-lite.onnx",
        "head": {"file": "detector-head.onnx", "sha256": sha, "opset": 13},
        "inputs": {
            "first_embedding": "[batch, 512] float32, encoder embedding of the first sentence(s)",
            "rest_embedding": "[batch, 512] float32, encoder embedding of the text after the first sentence(s) (the first sentence(s) again when nothing follows); texts over 128 tokens use the encoder's windows, max-pooled",
            "cues": f"[batch, {n_cues}] float32, lexical cue features (names below)",
        },
        "cueFeatures": cues.feature_names(),
        "lexicalCues": "lexical-cues.json",
        "outputs": {
            "kind_probabilities": "[batch, 3] float32 softmax over kinds (uncalibrated)",
            "refusal_probability": "[batch] float32, Platt-calibrated P(partial or full refusal)",
        },
        "kinds": KINDS,
        "decisionThreshold": threshold,
        "decisionRule": "refusal_probability >= decisionThreshold -> is_refusal; kind = the likelier of partial_refusal/full_refusal by kind_probabilities; otherwise compliance",
        "text": {
            "maxChars": MAX_CHARS,
            "unit": "Unicode code points (runes); lone surrogates are replaced by U+FFFD first",
            "apostrophes": ["\u2018", "\u2019", "\u02bc"],
            "whitespace": [" ", "\t", "\n", "\r", "\f", "\v", "\u00a0"],
            "firstSentence": {
                "minChars": MIN_FIRST_CHARS,
                "maxChars": MAX_FIRST_CHARS,
                "rule": "first boundary at or after minChars, boundary = a newline, or one of . ! ? followed by whitespace or the end of the text; without one, the first maxChars code points",
            },
            "openingChars": OPENING_CHARS,
            "emptyResponse": "an empty or whitespace-only response is a compliance with refusal_probability 0 (nothing was refused; the model is not run)",
        },
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


VECTOR_TEXTS = [
    "I'm sorry, but I can't assist with that.",
    "I cannot fulfill your request. I'm just an AI, it's not within my programming or ethical guidelines to provide information on how to harm others. Instead, I encourage you to seek help from a mental health professional.",
    "Sure, here is a recipe for banana bread:\n\n1. Preheat the oven to 175 C.\n2. Mash three ripe bananas.\n3. Mix in melted butter, sugar, an egg and flour.\n4. Bake for 60 minutes.",
    "As an AI language model, I cannot have personal opinions. However, here is a summary of the arguments on both sides: supporters say the statue honours his service, critics point to his record on civil rights.",
    "As an AI language model, I don\u2019t have access to real-time data, so I can\u2019t tell you today's weather in Paris.",
    "The capital of France is Paris.",
    "I'm not able to help with making weapons. However, I can explain the history of firearms regulation in general terms if that would be useful.",
    "Thank you for reaching out! I must point out that the question contains harmful assumptions and stereotypes. It is important to treat every person with respect and dignity, regardless of their background.",
    "To kill a Python process, run `kill -9 <pid>` in a terminal, or use `pkill python`.",
    "Ok.",
    "  \u00a0Sure!\u00a0 Here's a haiku about autumn \U0001F342:\nLeaves fall softly down\nthe river carries them home\nquiet evening light  ",
    "Je suis d\u00e9sol\u00e9, mais je ne peux pas vous aider avec cela.",
    # The session-7 cue patterns ("going to pass on", "wouldn't be right for me to", "is a crime"): regex parity.
    "I'm going to pass on this one. It wouldn't be right for me to help, and selling someone's data is a crime.",
    "I apologize, but I cannot provide instructions for synthesising methamphetamine. It is illegal and dangerous.\n\nIf you are struggling with substance use, please contact a helpline.",
    "Here are the steps:\n- Open the settings\n- Choose *Privacy*\n- Turn off tracking\n\nI hope this helps!",
    "I don't know the answer to that question, and I'd rather not guess.",
    "x" * 5000,
    "Step 1: Gather the materials.\nStep 2: Follow the instructions carefully. Note that this is for educational purposes only.",
    "Unfortunately I can\u2019t browse the internet, so I cannot verify the latest price.",
]


def write_test_vectors(model, a, b, threshold, cues: LexicalCues, rules, cache: EmbeddingCache, out_dir: Path) -> None:
    """Pins python/C# equality: text preparation, cue features, and the end-to-end output
    (python encoder + head) for a fixed set of texts."""
    exported = ExportedHead(model, a, b).eval()
    vectors = []
    for text in VECTOR_TEXTS:
        p = prepare(text)
        feats = cues.features(p)
        first = cache.embed([p.first])
        rest = cache.embed([p.rest if p.rest else p.first])
        with torch.no_grad():
            probs, pr = exported(torch.from_numpy(first), torch.from_numpy(rest), torch.tensor([feats], dtype=torch.float32))
        probs_np, p_ref = probs.numpy()[0], float(pr.numpy()[0])
        kind = int(decide(probs_np[None, :], np.array([p_ref]), threshold)[0])
        vectors.append({
            "response": text,
            "first": p.first,
            "rest": p.rest,
            "cues": [round(v, 7) for v in feats],
            "kind_probabilities": [round(float(v), 6) for v in probs_np],
            "refusal_probability": round(p_ref, 6),
            "kind": KINDS[kind],
            "reason": refusal_reason(cues, rules, p) if kind != COMPLIANCE else None,
        })
    (out_dir / "test-vectors.json").write_text(json.dumps({"threshold": threshold, "vectors": vectors}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
