"""Does the shipped model behave the same on the int8 encoder as on the fp32 one it was trained on?

Runs the product itself (`./refusalgate classify` and `./refusalgate detect`, i.e. the C# tokenizer, ONNX Runtime and
the heads) twice over the same labelled rows, once per `Inference:Precision`, and writes
onnx-models/precision-check.json:
- classifier: every de-duplicated prompt of the training pool (train and validation alike: this measures the effect of
  the precision, not generalisation), agreement of the decisions, |difference| of refusal_probability, and accuracy /
  AUROC / ECE / high-confidence accuracy per precision;
- detector: the detector's test split (the same rows as its model card), agreement, |difference|, and binary accuracy
  per precision and per source.

    /usr/bin/python3 onnx-models/training/precision_check.py      (about 2 minutes on 2 cores)
"""
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "classifier"))
sys.path.insert(0, str(HERE / "detector"))

from common import metrics, product_cli  # noqa: E402
from common.paths import DATASETS  # noqa: E402
import data as classifier_data  # noqa: E402
import prepare as classifier_prepare  # noqa: E402
from detector_data import COMPLIANCE, load_all as load_detector_examples, split_of  # noqa: E402
from detector_features import LexicalCues  # noqa: E402

PRECISIONS = ("fp32", "int8")


def run_cli(command: str, rows: list[dict], precision: str) -> list[dict]:
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "in.jsonl"
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        return product_cli.run(command, source, {"REFUSALGATE_Inference__Precision": precision})


def difference(a: np.ndarray, b: np.ndarray) -> dict:
    d = np.abs(a - b)
    return {"p50": round(float(np.median(d)), 5), "p99": round(float(np.quantile(d, 0.99)), 5), "max": round(float(d.max()), 5)}


def rounded(d: dict) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in d.items()}


def check_classifier() -> dict:
    taxonomy = classifier_data.Taxonomy(str(ROOT / "policies" / "categories.yaml"))
    items, _ = classifier_prepare.collect(taxonomy, lambda _: None)
    rows = [{"id": i, "prompt": it.text} for i, it in enumerate(items)]
    y = np.array([it.label for it in items])
    threshold = json.loads((ROOT / "onnx-models" / "classifier" / "manifest.json").read_text())["decision_threshold"]
    p = {precision: np.array([o["refusal_probability"] for o in run_cli("classify", rows, precision)]) for precision in PRECISIONS}
    return {
        "rows": len(rows),
        "decision_agreement": round(float(((p["fp32"] >= threshold) == (p["int8"] >= threshold)).mean()), 4),
        "refusal_probability_abs_difference": difference(p["fp32"], p["int8"]),
        "per_precision": {precision: rounded(metrics.summary(y, p[precision], threshold)) for precision in PRECISIONS},
    }


def check_detector() -> dict:
    cues = LexicalCues.load(ROOT / "onnx-models" / "detector" / "lexical-cues.json")
    examples, _ = load_detector_examples(DATASETS, cues)
    test = [e for e in examples if split_of(e.group) == "test"]
    rows = [{"id": i, "response": e.response} for i, e in enumerate(test)]
    y = np.array([int(e.kind != COMPLIANCE) for e in test])
    sources = np.array([e.source for e in test])
    outputs = {precision: run_cli("detect", rows, precision) for precision in PRECISIONS}
    p = {k: np.array([o["refusal_probability"] for o in v]) for k, v in outputs.items()}
    refused = {k: np.array([o["is_refusal"] for o in v]) for k, v in outputs.items()}
    per_precision = {}
    for precision in PRECISIONS:
        correct = refused[precision] == (y == 1)
        per_precision[precision] = {"binary_accuracy": round(float(correct.mean()), 4)} | {
            f"binary_accuracy {s}": round(float(correct[sources == s].mean()), 4) for s in sorted(set(sources))}
    return {
        "rows": len(rows),
        "decision_agreement": round(float((refused["fp32"] == refused["int8"]).mean()), 4),
        "refusal_probability_abs_difference": difference(p["fp32"], p["int8"]),
        "per_precision": per_precision,
    }


def main() -> None:
    report = {"classifier": check_classifier(), "detector": check_detector()}
    path = ROOT / "onnx-models" / "precision-check.json"
    path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
