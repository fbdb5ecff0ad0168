"""Prints the metric tables of onnx-models/cards/detector.md from metrics.json (run after train.sh)."""

import json
import sys
from pathlib import Path

KINDS = ["compliance", "partial", "full"]
m = json.loads((Path(__file__).parent / "metrics.json").read_text(encoding="utf-8"))
out = sys.stdout.write


def confusion_table(matrix, labels):
    out("| true \\ predicted | " + " | ".join(labels) + " |\n|---|" + "---|" * len(labels) + "\n")
    for label, row in zip(labels, matrix):
        out(f"| {label} | " + " | ".join(str(v) for v in row) + " |\n")
    out("\n")


out("### Counts (compliance / partial / full) per source and split\n\n| source | train | calibration | test |\n|---|---|---|---|\n")
sources = sorted({k.split("/")[0] for k in m["counts"]})
for s in sources:
    out(f"| {s} | " + " | ".join(" / ".join(str(v) for v in m["counts"][f"{s}/{sp}"]) for sp in ("train", "calibration", "test")) + " |\n")
out(f"\nTruncated copies added to the training split only (compliance / partial / full): {' / '.join(map(str, m['truncated_copies_in_train']))}.\n\n")

t = m["test"]
out(f"### Test split (n = {t['n']})\n\n| metric | value |\n|---|---|\n")
for k in ("binary_accuracy", "binary_f1_refusal", "three_way_accuracy", "three_way_macro_f1", "brier", "ece_10_bins"):
    out(f"| {k} | {t[k]} |\n")
out(f"| string-matching baseline, binary accuracy | {m['string_baseline_test']['binary_accuracy']} |\n")
out(f"| decision threshold (chosen on the calibration split) | {m['threshold']} |\n\n")
out("Binary confusion (refusal = partial or full):\n\n")
confusion_table(t["binary_confusion[true][pred] (0 compliance, 1 refusal)"], ["compliance", "refusal"])
out("Three-way confusion:\n\n")
confusion_table(t["three_way_confusion[true][pred] (compliance, partial, full)"], KINDS)

out("### Test split by source\n\n| source | n | binary acc. | 3-way acc. | baseline binary acc. |\n|---|---|---|---|---|\n")
for s, r in m["test_by_source"].items():
    out(f"| {s} | {r['n']} | {r['binary_accuracy']} | {r['three_way_accuracy']} | {m['string_baseline_test']['by_source'].get(s, '')} |\n")

out("\n### Ablations (test split, binary accuracy at 0.5)\n\n| features | binary acc. |\n|---|---|\n")
for k, v in m["ablations_test_binary_accuracy"].items():
    out(f"| {k} | {v} |\n")

out("\n### Leave-one-source-out (train on the other sources, test on every row of the held-out one)\n\n"
    "| held-out source | n | binary acc. | 3-way acc. | baseline binary acc. |\n|---|---|---|---|---|\n")
for s, r in m["leave_one_source_out"].items():
    out(f"| {s} | {r['n']} | {r['binary_accuracy']} | {r['three_way_accuracy']} | {r['string_baseline_binary_accuracy']} |\n")
