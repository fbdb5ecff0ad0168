"""Experiment (rejected in session 9, see the card): add a label-aware vote of the nearest training prompts to the
refusal head's logit.

The vote of a prompt is the weighted share of refused prompts among its 10 nearest training prompts (cosine of the
whole-prompt embeddings; weight = softmax(cosine / 0.05) times the training sample weight). Trains the shipped MLP
recipe and reports AUROC of the head, of the vote and of head logit + beta * logit(vote) on validation, pooled
leave-one-source-out on the training split (head and vote both without the held-out data set) and the prompt
probes.

    REFUSALGATE_DATASETS=... /usr/bin/python3 onnx-models/training/classifier/neighbour_vote_experiment.py [--seed N]
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

NEIGHBOURS = 10
TEMPERATURE = 0.05
BETAS = (0.25, 0.5, 1.0)


def vote(queries, reference, labels, weights):
    sims = queries @ reference.T
    nearest = np.argpartition(-sims, NEIGHBOURS, axis=1)[:, :NEIGHBOURS]
    near_sims = np.take_along_axis(sims, nearest, 1)
    attention = np.exp((near_sims - near_sims.max(1, keepdims=True)) / TEMPERATURE) * weights[nearest]
    return (attention * labels[nearest]).sum(1) / attention.sum(1)


def logit(p):
    p = np.clip(p, 1e-3, 1 - 1e-3)
    return np.log(p / (1 - p))


def main():
    split = experiment.load_split(experiment.seed_from_command_line(__doc__))
    x, x_full, y, src, is_val = split.features, split.x_full, split.labels, split.sources, split.is_val
    tr = ~is_val

    def fit(mask):
        w = heads.sample_weights(src[mask], y[mask])
        return heads.MlpHead().fit(x[mask], y[mask], w), x_full[mask], y[mask].astype(np.float64), w / w.mean()

    held_head = np.full(len(y), np.nan)
    held_vote = np.full(len(y), np.nan)
    for source in sorted(set(src[tr])):
        head, reference, labels, weights = fit(tr & (src != source))
        held = tr & (src == source)
        held_head[held] = head.logit(x[held])
        held_vote[held] = vote(x_full[held], reference, labels, weights)
    head, reference, labels, weights = fit(tr)
    val_head = head.logit(x[is_val])
    val_vote = vote(x_full[is_val], reference, labels, weights)

    probes = experiment.load_probes()
    probe_x = split.probe_features([p["prompt"] for p in probes])
    probe_head = head.logit(probe_x)
    probe_vote = vote(probe_x[:, : x_full.shape[1]], reference, labels, weights)
    probe_y = np.array([p["expected"] == "refuse" for p in probes], dtype=int)

    report = {}
    for name, truth, head_logit, votes in (("leave_one_source_out", y[tr], held_head[tr], held_vote[tr]),
                                          ("validation", y[is_val], val_head, val_vote),
                                          ("probes", probe_y, probe_head, probe_vote)):
        row = {"head": metrics.auroc(truth, head_logit), "vote": metrics.auroc(truth, votes)}
        for beta in BETAS:
            row[f"head + {beta} vote"] = metrics.auroc(truth, head_logit + beta * logit(votes))
        report[name] = {k: round(float(v), 4) for k, v in row.items()}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
