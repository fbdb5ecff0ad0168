"""Experiment (rejected in session 9, see the card): average the refusal logits of five MLP heads that differ only in
their initialisation and data order (same split, same data), to see whether the spread between seeds comes from
the head's initialisation or from the split.

Reports AUROC of the first head alone and of the mean of five on pooled leave-one-source-out (training split),
validation and the prompt probes, and each head's figures.

    REFUSALGATE_DATASETS=... /usr/bin/python3 onnx-models/training/classifier/ensemble_experiment.py [--seed N]
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import experiment  # noqa: E402
import heads  # noqa: E402
from common import metrics  # noqa: E402

HEADS = 5


def main():
    seed = experiment.seed_from_command_line(__doc__)
    split = experiment.load_split(seed)
    x, y, src, is_val = split.features, split.labels, split.sources, split.is_val
    tr = ~is_val
    probes = experiment.load_probes()
    x_probes = split.probe_features([p["prompt"] for p in probes])
    y_probes = np.array([p["expected"] == "refuse" for p in probes], dtype=int)

    def fit(mask, k):
        heads.SEED = seed + 1000 * k  # the head's initialisation and data order only; the split is fixed above
        return heads.MlpHead().fit(x[mask], y[mask], heads.sample_weights(src[mask], y[mask]))

    held_out = np.zeros((HEADS, len(y)))
    for source in sorted(set(src[tr])):
        held = tr & (src == source)
        for k in range(HEADS):
            held_out[k, held] = fit(tr & (src != source), k).logit(x[held])
    fitted = [fit(tr, k) for k in range(HEADS)]
    validation = np.stack([h.logit(x[is_val]) for h in fitted])
    on_probes = np.stack([h.logit(x_probes) for h in fitted])

    sets = {"leave_one_source_out": (y[tr], held_out[:, tr]), "validation": (y[is_val], validation), "probes": (y_probes, on_probes)}
    report = {name: {"first head": round(metrics.auroc(truth, logits[0]), 4),
                     f"mean of {HEADS}": round(metrics.auroc(truth, logits.mean(axis=0)), 4),
                     "each head": [round(metrics.auroc(truth, row), 4) for row in logits]}
              for name, (truth, logits) in sets.items()}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
