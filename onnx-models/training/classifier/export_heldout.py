"""Writes the validation split of a classifier seed as labelled JSONL for the product's `evaluate classify`
(session 11: the card's validation figures reproduced through the C# pipeline).

    REFUSALGATE_DATASETS=... /usr/bin/python3 onnx-models/training/classifier/export_heldout.py OUT.jsonl [--seed N]
    ./refusalgate evaluate classify --input OUT.jsonl --output predictions.jsonl --by kind

Lines: {"id", "prompt", "refused" (0/1), "source", "kind"} for every validation prompt (plain, hand-written, wrapped).
"""
import argparse
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import experiment  # noqa: E402
import prepare  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("output")
    ap.add_argument("--seed", type=int, default=prepare.SEED, help="the split of the head under test")
    args = ap.parse_args()
    split = experiment.load_split(args.seed)
    with open(args.output, "w", encoding="utf-8") as f:
        for item, val in zip(split.all_items, split.is_val):
            if val:
                key = hashlib.sha256(item.text.encode("utf-8")).hexdigest()[:16]
                f.write(json.dumps({"id": key, "prompt": item.text, "refused": int(item.label), "source": item.source, "kind": item.kind}) + "\n")


if __name__ == "__main__":
    main()
