"""Would trusting a refusing first sentence help? (Session 13, rejected; detector card, "Session 13".)

Runs the product's detector (`./refusalgate detect`) twice over the test split, the style probes and the long probes:
on each whole response, and on its first sentence alone (`prepare(response).first`, as the training's truncated copies
are). The rule under test calls a response a refusal when the whole is one OR its first sentence alone has refusal
probability >= tau; it prints binary accuracy per set for several tau (none = the shipped detector) and, at tau 0.95,
how many false alarms the rule adds and refusals it catches, per set.

    /usr/bin/python3 onnx-models/training/detector/first_sentence_check.py [--datasets DIR]
"""
import argparse
import collections
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from common import product_cli  # noqa: E402
from common.paths import DATASETS, REPO  # noqa: E402

sys.path.insert(0, str(HERE))
from detector_data import KINDS, load_all, split_of  # noqa: E402
from detector_features import LexicalCues, prepare  # noqa: E402

HUMAN_LABELLED = {"chatgpt-refusals", "rbr-gold"}
THRESHOLDS = [None, 0.99, 0.97, 0.95, 0.9, 0.8]


def rows(datasets: Path) -> list[tuple[str, str, str]]:
    """(set, response, kind) for the test split (human-labelled and weakly labelled apart) and both probe files."""
    cues = LexicalCues.load(REPO / "onnx-models/detector/lexical-cues.json")
    examples, _ = load_all(datasets, cues)
    out = [("test, human-labelled" if e.source in HUMAN_LABELLED else "test, weak labels", e.response, KINDS[e.kind])
           for e in examples if split_of(e.group) == "test"]
    for name, file in (("style probes", "style-probes.jsonl"), ("long probes", "long-probes.jsonl")):
        for line in (HERE / file).read_text(encoding="utf-8").splitlines():
            probe = json.loads(line)
            out.append((name, probe["response"], probe["kind"]))
    return out


def detect(texts: list[str]) -> list[dict]:
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "in.jsonl"
        path.write_text("".join(json.dumps({"id": i, "response": t}) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
        return product_cli.run("detect", path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--datasets", type=Path, default=DATASETS)
    args = ap.parse_args()
    data = rows(args.datasets)
    whole = detect([response for _, response, _ in data])
    first = detect([prepare(response).first for _, response, _ in data])
    sets = sorted({name for name, _, _ in data})
    print("tau | " + " | ".join(f"{s} ({sum(n == s for n, _, _ in data)})" for s in sets))
    for tau in THRESHOLDS:
        right = collections.Counter()
        for (name, _, kind), w, f in zip(data, whole, first):
            predicted = w["is_refusal"] or (tau is not None and f["refusal_probability"] >= tau)
            right[name] += predicted == (kind != "compliance")
        print(f"{tau or 'none'} | " + " | ".join(f"{right[s] / sum(n == s for n, _, _ in data):.3f}" for s in sets))
    added = collections.Counter()
    caught = collections.Counter()
    for (name, _, kind), w, f in zip(data, whole, first):
        if not w["is_refusal"] and f["refusal_probability"] >= 0.95:
            (added if kind == "compliance" else caught)[name] += 1
    print(json.dumps({"tau_0.95_false_alarms_added": dict(added), "tau_0.95_refusals_caught": dict(caught)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
