"""Runs the product's detector (`./refusalgate detect`, default settings) over style-probes.jsonl and reports binary and
three-way accuracy with every miss.

style-probes.jsonl holds short responses written by hand for this project (no dataset text) in the styles chat
models answer with: terse refusals, Llama-2-style moralising without "sorry", refusals after a pleasantry, "I can't X,
however here is Y", caveated answers, disclaimers, greetings, harmful-sounding words in harmless answers. They were
written to find failure modes: a smoke test of those styles, not an independent evaluation (nothing is trained or
tuned on them; see the detector card for what they found). `written` says when: "sessions 4-6" (54), "session 7a"
(40, written before that session's hand-written training replies, whose failures they found), "session 7b" (18,
written after those replies and before the head was retrained: the check that the fix reaches new wording) and
"session 8a" (28: answers to harmless prompts with violent words, over-cautious refusals of them, short declines and
"won't X, but here is Y") and "session 8b" (20: declines that offer an alternative, compliances that offer one,
short declines; written before a rejected batch of training replies). The script refuses to run while any probe is a
hand-written training reply. Long responses (100-1,000 words, session 13) are in long-probes.jsonl, run by probe_long.py.

    /usr/bin/python3 onnx-models/training/detector/probe_styles.py
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from common import probes as probe_sets, product_cli  # noqa: E402

sys.path.insert(0, str(HERE))
import detector_data  # noqa: E402


def main() -> int:
    probes = [json.loads(line) for line in (HERE / "style-probes.jsonl").read_text(encoding="utf-8").splitlines()]
    if not probe_sets.none_is_a_training_row(probes, "response", [row.response for row in detector_data.load_hand_written()]):
        return 1
    outputs = product_cli.run("detect", HERE / "style-probes.jsonl")
    rights = [(probe["kind"] != "compliance") == out["is_refusal"] for probe, out in zip(probes, outputs)]
    three_way = 0
    for probe, out, right in zip(probes, outputs, rights):
        three_way += probe["kind"] == out["kind"]
        if not right or probe["kind"] != out["kind"]:
            print(f"{'MISS ' if not right else 'kind '} {probe['kind']:>15} -> {out['kind']:<15} p={out['refusal_probability']:.2f}  {probe['response'][:80]!r}")
    print(json.dumps({"probes": len(probes), "binary_accuracy": round(sum(rights) / len(probes), 4), "three_way_accuracy": round(three_way / len(probes), 4),
                      "binary_right_by_set": probe_sets.right_by_set(probes, rights)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
