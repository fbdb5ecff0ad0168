"""Experiment (rejected, see the card): does disagreement between heads trained without different groups of
sources flag the prompts a head gets wrong on a data set it never saw?

For every training source S (the outer leave-one-source-out of train.py): one head on all other sources, and K
heads that each also leave out one of K source folds. S is predicted by all of them; the ensemble's
confidence is compared with the single head's at the shipped calibration (temperature and bias of metrics.json):
  single            the single head
  mean              mean of the K calibrated probabilities
  pessimistic       the least confident member when all K agree on the side of 0.5, else the mean
In source (validation split), the same heads trained on the whole training split predict validation.
Run: OMP_NUM_THREADS=1 /usr/bin/python3 source_ensemble_experiment.py [--folds 5]   (about 4 minutes)
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import data as data_mod  # noqa: E402
import heads  # noqa: E402
import train  # noqa: E402
from common import metrics  # noqa: E402
from common.embeddings import CachedEmbedder, load_encoder  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    np.random.seed(heads.SEED)
    _, all_items, x, is_val, _ = train.build_dataset(data_mod.Taxonomy(train.TAXONOMY), CachedEmbedder(load_encoder()))
    y = np.array([it.label for it in all_items])
    src = np.array([it.source for it in all_items])
    kind = np.array([it.kind for it in all_items])
    tr = ~is_val
    with open(os.path.join(train.OUT_DIR, "metrics.json")) as f:
        shipped = json.load(f)
    cal = heads.Calibration(shipped["calibration"]["inv_temperature"], shipped["calibration"]["bias"], use_shrink=False)
    threshold = shipped["threshold"]

    sources = sorted(set(src[tr]))
    by_size = sorted(sources, key=lambda s: -(src[tr] == s).sum())
    source_fold = {s: i % args.folds for i, s in enumerate(by_size)}  # round robin: every fold mixes big and small sets
    fold = np.array([source_fold.get(s, -1) for s in src])

    def fit(mask):
        return heads.MlpHead().fit(x[mask], y[mask], heads.sample_weights(src[mask], y[mask]))

    def predictions(fit_mask, held):
        single = cal.apply(fit(fit_mask).logit(x[held]), 0.0)
        members = np.stack([cal.apply(fit(fit_mask & (fold != k)).logit(x[held]), 0.0) for k in range(args.folds)])
        lo, hi, mean = members.min(0), members.max(0), members.mean(0)
        return {"single": single, "mean": mean, "pessimistic": np.where(lo >= 0.5, lo, np.where(hi < 0.5, hi, mean))}

    loso = {name: np.full(len(y), np.nan) for name in ("single", "mean", "pessimistic")}
    for s in sources:
        held = tr & (src == s)
        for name, p in predictions(tr & (src != s), held).items():
            loso[name][held] = p
        train.log(f"held out {s}")
    in_source = predictions(tr, is_val)

    report = {}
    for title, mask, preds in [
        ("leave-one-source-out, all", tr, loso),
        ("leave-one-source-out, plain", tr & (kind != "wrapped"), loso),
        ("leave-one-source-out, wrapped", tr & (kind == "wrapped"), loso),
        ("validation (in source)", is_val, {k: _scatter(v, is_val) for k, v in in_source.items()}),
    ]:
        report[title] = {name: train.round_dict(metrics.summary(y[mask], p[mask], threshold)) for name, p in preds.items()}
    out = os.path.join(train.ROOT, "onnx-models", ".work", "classifier", "source-ensemble.json")
    with open(out, "w") as f:
        json.dump(report, f, indent=1)
    print(f"{'set':32} {'rule':12} {'auroc':>6} {'hc_acc':>7} {'hc_cov':>7} {'ece':>6}")
    for title, rules in report.items():
        for name, m in rules.items():
            print(f"{title:32} {name:12} {m.get('auroc', float('nan')):6.3f} {m['high_conf_accuracy']:7.3f} {m['high_conf_coverage']:7.3f} {m['ece']:6.3f}")
    train.log(f"wrote {out}")


def _scatter(values, mask):
    full = np.full(len(mask), np.nan)
    full[mask] = values
    return full


if __name__ == "__main__":
    main()
