"""Check (session 10, see the card): does the spacing of a prompt change its prediction?

Takes up to 800 single-line validation prompts of a split, makes two copies of each (one space, chosen at random,
turned into a line break; another turned into a double space), runs the product's classifier (`./refusalgate
classify`, so `REFUSALGATE_MODELS` selects the head) over all three and prints how often the decision differs from the
original's and by how much the probability moves. Since session 10 the classifier folds whitespace runs into one space
before encoding, so both should be 0; at 4f2a8bc (before) a line break flipped 7.6 % of the decisions and a double space 1.6 %.

    REFUSALGATE_DATASETS=... /usr/bin/python3 onnx-models/training/classifier/spacing_check.py [--seed N]
"""
import json
import os
import random
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import experiment  # noqa: E402
from common import product_cli  # noqa: E402

SAMPLE = 800
EDITS = {"a line break": "\n", "a double space": "  "}


def main():
    split = experiment.load_split(experiment.seed_from_command_line(__doc__, "the split whose validation prompts are used"))
    prompts = [it.text for it, val in zip(split.items, split.is_val[: len(split.items)])
               if val and " " in it.text and "\n" not in it.text and "  " not in it.text and len(it.text) < 400]
    rng = random.Random(0)
    rng.shuffle(prompts)
    prompts = prompts[:SAMPLE]
    texts = []
    for text in prompts:
        texts.append(text)
        for replacement in EDITS.values():
            i = rng.choice([k for k, c in enumerate(text) if c == " "])
            texts.append(text[:i] + replacement + text[i + 1:])

    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "spacing.jsonl"
        path.write_text("".join(json.dumps({"id": i, "prompt": t}) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
        outputs = product_cli.run("classify", path)
    width = 1 + len(EDITS)
    for k, name in enumerate(EDITS, start=1):
        pairs = [(outputs[j], outputs[j + k]) for j in range(0, len(outputs), width)]
        flips = sum(a["predicted_refusal"] != b["predicted_refusal"] for a, b in pairs)
        moves = [abs(a["refusal_probability"] - b["refusal_probability"]) for a, b in pairs]
        print(f"one space -> {name}: decision flips {flips}/{len(pairs)} ({flips / len(pairs):.3f}); "
              f"|change in p| median {np.median(moves):.3f}, p90 {np.percentile(moves, 90):.3f}")


if __name__ == "__main__":
    main()
