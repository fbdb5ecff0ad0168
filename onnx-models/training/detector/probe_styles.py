"""Runs the product's detector (`./refusalgate detect`, default settings) over style-probes.jsonl and reports binary and
three-way accuracy with every miss.

style-probes.jsonl holds 46 short responses written by hand for this project (no dataset text) in the styles chat
models answer with: terse refusals, Llama-2-style moralising without "sorry", refusals after a pleasantry, "I can't X,
however here is Y", caveated answers, disclaimers, greetings, harmful-sounding words in harmless answers. They were
written to find failure modes: a smoke test of those styles, not an independent evaluation (and nothing is tuned on
them; see the detector card for what they found).

    /usr/bin/python3 onnx-models/training/detector/probe_styles.py
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def main() -> int:
    probes = [json.loads(line) for line in (HERE / "style-probes.jsonl").read_text(encoding="utf-8").splitlines()]
    with tempfile.TemporaryDirectory() as work:
        target = Path(work) / "out.jsonl"
        subprocess.run([str(ROOT / "refusalgate"), "detect", "--input", str(HERE / "style-probes.jsonl"), "--output", str(target)],
                       check=True, stderr=subprocess.DEVNULL)
        outputs = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    binary = three_way = 0
    for probe, out in zip(probes, outputs):
        right = (probe["kind"] != "compliance") == out["is_refusal"]
        binary += right
        three_way += probe["kind"] == out["kind"]
        if not right or probe["kind"] != out["kind"]:
            print(f"{'MISS ' if not right else 'kind '} {probe['kind']:>15} -> {out['kind']:<15} p={out['refusal_probability']:.2f}  {probe['response'][:80]!r}")
    print(json.dumps({"probes": len(probes), "binary_accuracy": round(binary / len(probes), 4), "three_way_accuracy": round(three_way / len(probes), 4)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
