"""Experiment (session 9, see the card): which features and which model the category head should use.

Trains category heads on the training split's refused prompts (the same weights as the shipped head,
`heads.category_weights`) and reports top-1 accuracy and mean per-category recall on validation refusals (all,
plain, inside unseen wrappers) and pooled leave-one-source-out over the training refusals. Variants: the whole
prompt's embedding (before session 9) or embedding ‖ tail embedding (shipped since), logistic regression at C = 1
(shipped) or 4, and a one-hidden-layer MLP.

    REFUSALGATE_DATASETS=... /usr/bin/python3 onnx-models/training/classifier/category_experiment.py [--seed N]
"""
import json
import os
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import experiment  # noqa: E402
import heads  # noqa: E402


class LinearCategories:
    def __init__(self, c):
        self.c = c

    def fit(self, x, cat_idx, w):
        self.model = LogisticRegression(C=self.c, max_iter=3000, tol=1e-6).fit(x, cat_idx, sample_weight=w)
        return self

    def predict(self, x):
        return self.model.predict(x)


class MlpCategories:
    """512 or 1024 -> 256 ReLU (dropout 0.3) -> categories; 30 epochs, AdamW, the same sample weights."""

    def fit(self, x, cat_idx, w):
        import torch

        torch.manual_seed(heads.SEED)
        n = int(cat_idx.max()) + 1
        self.net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 256), torch.nn.ReLU(), torch.nn.Dropout(0.3), torch.nn.Linear(256, n))
        opt = torch.optim.AdamW(self.net.parameters(), lr=1e-3, weight_decay=1e-3)
        xt, ct, wt = torch.tensor(x), torch.tensor(cat_idx), torch.tensor(w, dtype=torch.float32)
        order = torch.Generator().manual_seed(heads.SEED)
        for _ in range(30):
            self.net.train()
            for batch in torch.randperm(len(ct), generator=order).split(128):
                loss = (torch.nn.functional.cross_entropy(self.net(xt[batch]), ct[batch], reduction="none") * wt[batch]).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
        self.net.eval()
        return self

    def predict(self, x):
        import torch

        with torch.no_grad():
            return self.net(torch.tensor(x)).argmax(1).numpy()


VARIANTS = {
    "linear C=1, embedding (before session 9)": (lambda: LinearCategories(1.0), "embedding"),
    "linear C=1, embedding + tail (shipped)": (lambda: LinearCategories(1.0), "embedding+tail"),
    "linear C=4, embedding": (lambda: LinearCategories(4.0), "embedding"),
    "linear C=4, embedding + tail": (lambda: LinearCategories(4.0), "embedding+tail"),
    "MLP, embedding": (MlpCategories, "embedding"),
    "MLP, embedding + tail": (MlpCategories, "embedding+tail"),
}


def main():
    split = experiment.load_split(experiment.seed_from_command_line(__doc__))
    tax, is_val = split.tax, split.is_val
    features = {"embedding": split.x_full, "embedding+tail": split.features}
    y, src = split.labels, split.sources
    cat_idx = np.array([tax.ids.index(it.category) if it.category else -1 for it in split.all_items])
    wrapped = np.arange(len(y)) >= len(split.items)
    fit_mask = ~is_val & (y == 1) & (cat_idx >= 0)
    val_mask = is_val & (y == 1) & (cat_idx >= 0)

    def scores(predicted, mask):
        truth = cat_idx[mask]
        recalls = [float((predicted[truth == c] == c).mean()) for c in range(len(tax.ids)) if (truth == c).sum() >= 5]
        return {"top1": round(float((predicted == truth).mean()), 4), "macro_recall": round(float(np.mean(recalls)), 4)}

    report = {}
    for name, (make, feature) in VARIANTS.items():
        x = features[feature]
        model = make().fit(x[fit_mask], cat_idx[fit_mask], heads.category_weights(src[fit_mask], cat_idx[fit_mask]))
        predicted = np.full(len(y), -1)
        predicted[val_mask] = model.predict(x[val_mask])
        row = {"validation": scores(predicted[val_mask], val_mask),
               "validation_plain": scores(predicted[val_mask & ~wrapped], val_mask & ~wrapped),
               "validation_wrapped": scores(predicted[val_mask & wrapped], val_mask & wrapped)}
        held_out = np.full(len(y), -1)
        for source in sorted(set(src[fit_mask])):
            rest, held = fit_mask & (src != source), fit_mask & (src == source)
            held_out[held] = make().fit(x[rest], cat_idx[rest], heads.category_weights(src[rest], cat_idx[rest])).predict(x[held])
        row["leave_one_source_out"] = scores(held_out[fit_mask], fit_mask)
        report[name] = row
        print(name, json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
