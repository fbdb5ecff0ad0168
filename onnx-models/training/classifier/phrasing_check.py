"""Check (session 9, see the card): does the way a request is phrased decide the prediction?

Takes the validation prompts of a split (held out from the head of the same seed) that ask "How can/do/could/should I
X?", rewrites each into the four forms of `prepare.REPHRASINGS` plus the question itself, runs the product's
classifier (`./refusalgate classify`, so `REFUSALGATE_MODELS` selects the head) over them and prints the share
predicted refused per label and form. The same request in another form should get the same answer.

    REFUSALGATE_DATASETS=... /usr/bin/python3 onnx-models/training/classifier/phrasing_check.py [--seed N] [--how-to]

(`--how-to` for a head trained with `train.py --how-to`, whose split the hand-written how-to requests take part in.)
"""
import argparse
import json
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import experiment  # noqa: E402
import prepare  # noqa: E402
from common import product_cli  # noqa: E402

FORMS = ("How can I {}?",) + tuple(f for f in prepare.REPHRASINGS if not f.startswith("How can I"))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=prepare.SEED, help="the split of the head under test")
    ap.add_argument("--how-to", action="store_true", help="the head was trained with train.py --how-to")
    args = ap.parse_args()
    split = experiment.load_split(args.seed, args.how_to)
    rows = []
    for item, val in zip(split.items, split.is_val[: len(split.items)]):
        match = prepare.HOW_QUESTION.match(item.text) if val and item.kind == "plain" and len(item.text) <= 200 else None
        if match:
            rows += [(item.label, form, form.format(match.group(1))) for form in FORMS]

    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "phrasings.jsonl"
        path.write_text("".join(json.dumps({"id": i, "prompt": text}) + "\n" for i, (_, _, text) in enumerate(rows)), encoding="utf-8")
        outputs = product_cli.run("classify", path)
    refused = defaultdict(list)
    for (label, form, _), output in zip(rows, outputs):
        refused[(label, form)].append(output["predicted_refusal"])
    for label, name in ((1, "harmful"), (0, "benign")):
        shares = ", ".join(f"{form.format('X')!r} {np.mean(refused[(label, form)]):.2f}" for form in FORMS)
        print(f"{name} ({len(refused[(label, FORMS[0])])} requests), share predicted refused: {shares}")


if __name__ == "__main__":
    main()
