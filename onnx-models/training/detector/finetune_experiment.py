"""Experiment (rejected in session 9, see the card): fine-tune the encoder that reads the detector's first
sentence(s), where refusals are stated, instead of training the head on frozen features only.

Low-rank adapters (rank 8, alpha 16; B starts at zero, so training starts from the frozen encoder) on every dense
layer of USE-lite; embedding table, LayerNorms and the encoder of the rest stay frozen. The head is first trained on
frozen features as in train.py (`--head-epochs`), then head and adapters are trained together (`--epochs`, linear
learning-rate decay). Platt scaling on the calibration split for both, decision at 0.5. Reports, for the frozen
recipe and the fine-tuned one, the test split (all, by source, the human-labelled sources together), the style
probes and leave-one-source-out for the human-labelled and hand-written sources.

    cd onnx-models/training/detector && OMP_NUM_THREADS=1 PYTHONHASHSEED=0 /usr/bin/python3 finetune_experiment.py \
        --datasets ../../../../shared/datasets --repo ../../.. --out /tmp/finetune.json \
        [--seed N] [--head-epochs 20 --epochs 6 --lr 1e-3 --head-lr 1e-3]

Measured: `--head-epochs 120 --epochs 4 --lr 3e-3 --head-lr 1e-4` and `--head-epochs 20 --epochs 6 --lr 1e-3
--head-lr 1e-3`. About a minute per epoch on one core.
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

import train as T
from detector_data import KIND_BY_NAME, load_all, split_of
from detector_features import LexicalCues, prepare


class LowRank(nn.Module):
    """base(x) + scale * B(A(x)); base frozen, B starts at zero so training starts from the frozen encoder."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float, gen: torch.Generator):
        super().__init__()
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        self.a = nn.Parameter(torch.randn(rank, base.in_features, generator=gen) / math.sqrt(base.in_features))
        self.b = nn.Parameter(torch.zeros(base.out_features, rank))
        self.scale = alpha / rank

    def forward(self, x):
        return self.base(x) + (x @ self.a.t() @ self.b.t()) * self.scale


def adapt(encoder, rank: int, alpha: float, seed: int):
    gen = torch.Generator().manual_seed(seed)
    for p in encoder.parameters():
        p.requires_grad_(False)
    for layer in encoder.layers:
        for name in ("qkv", "out", "residual", "ffn1", "ffn2"):
            base = getattr(layer, name)
            if base is not None:
                setattr(layer, name, LowRank(base, rank, alpha, gen))
    encoder.tanh = LowRank(encoder.tanh, rank, alpha, gen)
    return encoder


def batch_ids(token_lists, rows):
    width = max(1, max(len(token_lists[i]) for i in rows))
    ids = torch.zeros((len(rows), width), dtype=torch.int64)
    lengths = torch.zeros(len(rows), dtype=torch.int64)
    for r, i in enumerate(rows):
        t = token_lists[i]
        ids[r, : len(t)] = torch.tensor(t, dtype=torch.int64)
        lengths[r] = len(t)
    return ids, lengths


def encode(encoder, token_lists, rows, batch=256):
    out = np.zeros((len(rows), 512), dtype=np.float32)
    order = sorted(range(len(rows)), key=lambda j: len(token_lists[rows[j]]))
    encoder.eval()
    with torch.no_grad():
        for s in range(0, len(order), batch):
            chunk = order[s : s + batch]
            ids, lengths = batch_ids(token_lists, [rows[j] for j in chunk])
            out[chunk] = encoder(ids, lengths).numpy()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", type=Path, required=True)
    ap.add_argument("--repo", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=T.SEED)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--alpha", type=float, default=16.0)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--head-lr", type=float, default=1e-4)
    ap.add_argument("--head-epochs", type=int, default=T.EPOCHS, help="epochs of the head on frozen features before fine-tuning")
    ap.add_argument("--loso", default="chatgpt-refusals,rbr-gold,hand-written")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    T.SEED = args.seed
    T.EPOCHS = args.head_epochs
    T.seed_everything()

    repo = args.repo
    build = repo / "onnx-models/build"
    cues = LexicalCues.load(repo / "onnx-models/detector/lexical-cues.json")
    examples, _ = load_all(args.datasets, cues)
    augmented = T.new_truncated_copies(examples, cues)
    n_orig = len(examples)
    examples = examples + augmented
    is_aug = np.array([False] * n_orig + [True] * len(augmented))

    probes = [json.loads(line) for line in (Path(__file__).parent / "style-probes.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [e.response for e in examples] + [p["response"] for p in probes]
    prepared = [prepare(t) for t in texts]
    cue_all = np.array([cues.features(p) for p in prepared], dtype=np.float32)
    cache = T.EmbeddingCache(repo / "onnx-models/.work/detector", build)
    first_frozen = cache.embed([p.first for p in prepared])
    rest_all = cache.embed([p.rest if p.rest else p.first for p in prepared])

    sys.path.insert(0, str(build))
    from use_lite_torch import UseLite, prepare_text  # noqa: E402
    from use_tokenizer import Tokenizer  # noqa: E402
    from use_lite_weights import default_package_dir, vocab_path  # noqa: E402

    base_encoder = UseLite.from_package()
    tok = Tokenizer(vocab_path(default_package_dir()))
    tokens = [tok.encode(prepare_text(p.first))[:128] for p in prepared]
    print("first parts over 128 tokens:", sum(len(tok.encode(prepare_text(p.first))) > 128 for p in prepared[:n_orig]), flush=True)

    n = len(examples)
    y = np.array([e.kind for e in examples], dtype=np.int64)
    splits = np.array([split_of(e.group) for e in examples])
    sources = np.array([e.source for e in examples])
    tr, ca, te = splits == "train", splits == "calibration", splits == "test"
    probe_rows = np.arange(n, n + len(probes))
    probe_y = np.array([KIND_BY_NAME[p["kind"]] for p in probes])

    def run(train_mask, cal_mask, eval_rows_list):
        rows = np.flatnonzero(train_mask)
        ex = [examples[i] for i in rows]
        w = T.sample_weights(ex)
        head = T.train_head((first_frozen[rows], rest_all[rows], cue_all[rows]), y[rows], w, cue_all.shape[1])
        results = {}

        def evaluate(encoder, tag):
            def feats(rs):
                f = first_frozen[rs] if encoder is None else encode(encoder, tokens, list(rs))
                return (f, rest_all[rs], cue_all[rs])
            cal = np.flatnonzero(cal_mask)
            z = T.refusal_logit(T.logits_of(head, feats(cal))).numpy()
            a, b = T.fit_platt(z, (y[cal] > 0).astype(np.float64))
            out = {}
            for name, rs in eval_rows_list.items():
                logits = T.logits_of(head, feats(rs))
                probs = torch.softmax(logits, 1).numpy()
                p = T.sigmoid(a * T.refusal_logit(logits).numpy() + b)
                out[name] = (probs, p)
            results[tag] = out

        evaluate(None, "frozen")
        if args.epochs:
            encoder = adapt(copy.deepcopy(base_encoder), args.rank, args.alpha, args.seed)
            T.seed_everything()
            params = [{"params": [p for p in encoder.parameters() if p.requires_grad], "lr": args.lr},
                      {"params": head.parameters(), "lr": args.head_lr}]
            opt = torch.optim.AdamW(params, weight_decay=T.WEIGHT_DECAY)
            gen = torch.Generator().manual_seed(args.seed)
            yt, wt = torch.from_numpy(y[rows]), torch.from_numpy(w)
            rest_t, cue_t = torch.from_numpy(rest_all[rows]), torch.from_numpy(cue_all[rows])
            loss_fn = nn.CrossEntropyLoss(reduction="none")
            steps = args.epochs * math.ceil(len(rows) / 64)
            sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, 1 - s / steps))
            for epoch in range(args.epochs):
                encoder.train(); head.train()
                order = torch.randperm(len(rows), generator=gen).tolist()
                total = 0.0
                for s in range(0, len(order), 64):
                    bi = order[s : s + 64]
                    ids, lengths = batch_ids(tokens, [rows[j] for j in bi])
                    first = encoder(ids, lengths)
                    loss = (loss_fn(head(first, rest_t[bi], cue_t[bi]), yt[bi]) * wt[bi]).mean()
                    opt.zero_grad(); loss.backward(); opt.step(); sched.step()
                    total += float(loss) * len(bi)
                print(f"  epoch {epoch + 1}: loss {total / len(rows):.4f}", flush=True)
            head.eval()
            evaluate(encoder, "tuned")
        return results

    report = {"args": {k: str(v) for k, v in vars(args).items()}}
    te_rows = np.flatnonzero(te & ~is_aug)
    human = np.isin(sources[te_rows], ["chatgpt-refusals", "rbr-gold"])
    res = run(tr, ca, {"test": te_rows, "probes": probe_rows})
    for tag, out in res.items():
        probs, p = out["test"]
        yt = y[te_rows]
        acc = lambda m: round(float(((p[m] >= 0.5) == (yt[m] > 0)).mean()), 4)  # noqa: E731
        r = {"test": acc(np.ones(len(p), bool)), "human": acc(human)}
        for s in T.SOURCES:
            r[s] = acc(sources[te_rows] == s)
        pp = out["probes"][1]
        r["probes"] = int(((pp >= 0.5) == (probe_y > 0)).sum())
        r["ece"] = round(T.ece(p, (yt > 0).astype(float)), 4)
        report[tag] = r
        print(tag, r, flush=True)
    report["probe_p"] = {tag: [round(float(v), 3) for v in out["probes"][1]] for tag, out in res.items()}
    for s in [x for x in args.loso.split(",") if x]:
        held = np.flatnonzero((sources == s) & ~is_aug)
        res = run(tr & (sources != s), ca & (sources != s), {"held": held})
        for tag, out in res.items():
            p = out["held"][1]
            report.setdefault(f"{tag}_loso", {})[s] = round(float(((p >= 0.5) == (y[held] > 0)).mean()), 4)
        print("loso", s, {tag: report[f"{tag}_loso"][s] for tag in res}, flush=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
