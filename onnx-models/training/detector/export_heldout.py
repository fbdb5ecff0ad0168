"""Writes the detector's test split as labelled JSONL for the product's `evaluate detect` (session 11: the card's
test-split figures reproduced through the C# pipeline).

    /usr/bin/python3 onnx-models/training/detector/export_heldout.py OUT.jsonl [--datasets DIR]
    ./refusalgate evaluate detect --input OUT.jsonl --output detections.jsonl --label kind --by source

Lines: {"id", "response", "kind" (full_refusal | partial_refusal | compliance), "source"}, original rows only.
"""
import argparse
import json
import os
import sys
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
from common.paths import DATASETS, REPO  # noqa: E402
from detector_data import KINDS, load_all, split_of  # noqa: E402
from detector_features import LexicalCues  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("output")
    ap.add_argument("--datasets", type=Path, default=DATASETS)
    args = ap.parse_args()
    cues = LexicalCues.load(REPO / "onnx-models/detector/lexical-cues.json")
    examples, _ = load_all(args.datasets, cues)
    with open(args.output, "w", encoding="utf-8") as f:
        for i, e in enumerate(examples):
            if split_of(e.group) == "test":
                f.write(json.dumps({"id": i, "response": e.response, "kind": KINDS[e.kind], "source": e.source}) + "\n")


if __name__ == "__main__":
    main()
