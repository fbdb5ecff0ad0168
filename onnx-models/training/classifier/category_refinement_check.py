"""Check (session 10, see the card): do the category refinements of `policies/categories.yaml` help the category head?

Builds the split twice, with the sources' own categories only and with the refinements, fits the shipped category head
(logistic regression, C = 1, on embedding ‖ tail embedding, `heads.category_weights`) on each set of training labels,
and scores both against the refined validation labels (the refinements move 278 refused prompts, mostly out of
"sexual content", "non-violent crimes" and "misinformation"): top-1 on plain and wrapped refusals, the mean
per-category recall, the thin categories one by one, leave-one-source-out top-1, and the hand-written `session 9a`
probes, whose categories were written before the refinements.

    REFUSALGATE_DATASETS=... /usr/bin/python3 onnx-models/training/classifier/category_refinement_check.py [--seed N]
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import data as data_mod  # noqa: E402
import experiment  # noqa: E402
import heads  # noqa: E402

THIN = ("sex_related_crimes", "child_sexual_exploitation", "elections", "defamation", "specialized_advice")


def category_indices(split):
    return np.array([split.tax.ids.index(it.category) if it.category else -1 for it in split.all_items])


def main():
    seed = experiment.seed_from_command_line(__doc__)
    refined = experiment.load_split(seed)
    refine = data_mod.Taxonomy.refine
    data_mod.Taxonomy.refine = lambda self, text, category: category
    try:
        source_only = experiment.load_split(seed)
    finally:
        data_mod.Taxonomy.refine = refine
    assert [it.text for it in source_only.all_items] == [it.text for it in refined.all_items], "the split must not depend on categories"

    tax, x, y, src, is_val = refined.tax, refined.features, refined.labels, refined.sources, refined.is_val
    truth = category_indices(refined)
    wrapped = np.arange(len(y)) >= len(refined.items)
    val = is_val & (y == 1) & (truth >= 0)
    probes = [p for p in experiment.load_probes() if p.get("category")]
    probe_x = refined.probe_features([p["prompt"] for p in probes])
    probe_truth = np.array([tax.ids.index(p["category"]) for p in probes])

    def fit(labels, mask):
        return heads.CategoryHead().fit(x[mask], labels[mask], len(tax.ids), heads.category_weights(src[mask], labels[mask]))

    source_labels = category_indices(source_only)
    # Leave-one-source-out is scored on the training refusals both label sets categorise, so both rows cover the same prompts.
    loso = ~is_val & (y == 1) & (truth >= 0) & (source_labels >= 0)
    for name, labels in (("source categories only", source_labels), ("with refinements (shipped)", truth)):
        train = ~is_val & (y == 1) & (labels >= 0)
        model = fit(labels, train)
        top = model.proba(x).argmax(axis=1)
        right = top == truth
        recalls = {c: float(right[val & (truth == i)].mean()) for i, c in enumerate(tax.ids) if (val & (truth == i)).sum() >= 5}
        held_out = np.full(len(y), -1)
        for source in sorted(set(src[train])):
            rest, held = train & (src != source), train & (src == source)
            held_out[held] = fit(labels, rest).proba(x[held]).argmax(axis=1)
        probe_right = int((model.proba(probe_x).argmax(axis=1) == probe_truth).sum())
        print(f"{name}: validation top-1 plain {right[val & ~wrapped].mean():.3f} wrapped {right[val & wrapped].mean():.3f}, "
              f"mean per-category recall {np.mean(list(recalls.values())):.3f}; leave-one-source-out top-1 "
              f"{(held_out[loso] == truth[loso]).mean():.3f}; session 9a probes {probe_right}/{len(probes)}")
        print("   " + ", ".join(f"{c} {recalls[c]:.2f} (n {int((val & (truth == tax.ids.index(c))).sum())})" for c in THIN if c in recalls))


if __name__ == "__main__":
    main()
