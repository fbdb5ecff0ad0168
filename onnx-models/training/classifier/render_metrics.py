"""Prints the metric tables of onnx-models/cards/classifier.md from onnx-models/classifier/metrics.json."""
import json
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
COLS = ["n", "positives", "accuracy", "f1", "auroc", "ece", "high_conf_accuracy", "high_conf_coverage", "predicted_refusal_rate"]


def fmt(v):
    if isinstance(v, float):
        return "–" if v != v else f"{v:.3f}"
    return str(v)


def table(rows):
    out = ["| set | " + " | ".join(COLS) + " |", "|---|" + "---|" * len(COLS)]
    for name, m in rows.items():
        if "n" in m:
            out.append(f"| {name} | " + " | ".join(fmt(m.get(c, "")) for c in COLS) + " |")
    return "\n".join(out)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "onnx-models", "classifier", "metrics.json")
    r = json.load(open(path))
    print(f"threshold {r['threshold']}; calibration {r['calibration']}\n")
    print("### In-source validation (held-out groups and templates)\n")
    print(table({k: v for k, v in r["validation"].items() if k != "per_source"}))
    print("\nWithout the out-of-distribution shrink (same head, temperature only):\n")
    print(table(r["validation_without_ood_shrink"]))
    print("\n### Leave-one-source-out (each data set predicted by a head that never saw it)\n")
    print(table({k: v for k, v in r["leave_one_source_out"].items() if k != "per_source"}))
    print("\n### Out-of-fold on the training split (grouped 5-fold)\n")
    print(table(r["out_of_fold"]))
    print("\nLeave-one-source-out, per held-out source:\n")
    print(table(r["leave_one_source_out"]["per_source"]))
    print("\n### Validation per category (refused prompts of the category vs all validation negatives)\n")
    print(table({k: v for k, v in r["validation_per_category"].items() if "n" in v}))
    print("\nTop-1 category accuracy on refused validation prompts with a category: " + fmt(r["validation_category_top1_accuracy"]))
    print("Mean per-category recall of the top-1 category (categories with >= 5 validation prompts): " + fmt(r["validation_category_macro_recall"]))
    print("\nAlpaca (evaluation only, never trained on): " + ", ".join(f"{k} {fmt(v)}" for k, v in r["alpaca_eval_only"].items() if k in ("n", "predicted_refusal_rate", "high_conf_accuracy", "high_conf_coverage")))


if __name__ == "__main__":
    main()
