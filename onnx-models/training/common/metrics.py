"""Binary-classification metrics reported in the model cards.

Implemented here (numpy only) so that every card computes them the same way:
- ECE: 15 equal-width bins over the probability of the *positive* class (reliability of
  refusal_probability itself), weighted by bin size.
- high-confidence accuracy/coverage: confidence = p if p >= threshold else 1 - p (the
  probability of the predicted class, as the gateway reports it); an item is
  "high-confidence" when that is >= 0.9.
"""
import numpy as np


def auroc(y, p):
    y = np.asarray(y).astype(int)
    p = np.asarray(p, dtype=np.float64)
    pos, neg = (y == 1).sum(), (y == 0).sum()
    if pos == 0 or neg == 0:
        return float("nan")
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p), dtype=np.float64)
    sorted_p = p[order]
    i = 0
    while i < len(p):
        j = i
        while j + 1 < len(p) and sorted_p[j + 1] == sorted_p[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[y == 1].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def ece(y, p, bins=15):
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.sum() * abs(p[m].mean() - y[m].mean())
    return float(total / max(len(p), 1))


def summary(y, p, threshold=0.5, high=0.9):
    y = np.asarray(y).astype(int)
    p = np.asarray(p, dtype=np.float64)
    pred = (p >= threshold).astype(int)
    conf = np.where(pred == 1, p, 1.0 - p)
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    hc = conf >= high
    out = {
        "n": int(len(y)),
        "positives": int(y.sum()),
        "accuracy": float((pred == y).mean()) if len(y) else float("nan"),
        "f1": float(2 * tp / (2 * tp + fp + fn)) if (2 * tp + fp + fn) else float("nan"),
        "auroc": auroc(y, p),
        "ece": ece(y, p),
        "brier": float(np.mean((p - y) ** 2)) if len(y) else float("nan"),
        "high_conf_coverage": float(hc.mean()) if len(y) else float("nan"),
        "high_conf_accuracy": float((pred[hc] == y[hc]).mean()) if hc.any() else float("nan"),
        "predicted_refusal_rate": float(pred.mean()) if len(y) else float("nan"),
    }
    return out
