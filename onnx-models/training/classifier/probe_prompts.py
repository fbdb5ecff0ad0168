"""Runs the product's classifier (`./refusalgate classify`, default settings) over prompt-probes.jsonl and reports
accuracy, the confident calls (confidence >= 0.9) and every miss.

prompt-probes.jsonl holds prompts written by hand for this project (no dataset text) of the kinds a gateway sees and
the pool lacks: pasted code and stack traces, questions asked to protect someone, games and fiction with violent
words, dark fiction, and harmful requests dressed as fiction or role-play. They are a smoke test, not an independent
evaluation, and nothing is trained or tuned on them. `written` says when: "session 7a" (46, written before that
session's hand-written training prompts, whose failures they found), "session 7b" (28, written after those
prompts and before the head was retrained: the check that the fix reaches new wording) and "session 8a" (50, short
prompts with violent verbs in harmless and harmful senses and long pasted-text tasks, written before that session's
training prompts), "session 8b" (32, other verbs, written after those prompts and before retraining) and "session
8c" (20, yet other verbs, written before a rejected extension of the minimal pairs) and "session 8d" (20, harm to a
person in plain words and harmless requests with the same "without anyone noticing" clauses, written before another
rejected set of pairs) and "session 9a" (30, one harmful request per hazard category, plain and inside a role-play or
screenplay frame, with the `category` it belongs to; written after the session-9 category head was trained and
before its outputs on them were looked at). Two 7a probes turned out to be
word for word training rows written in session 6; session 8 reworded them (`replaced`), and the script now refuses
to run while any probe is a hand-written training row.

    /usr/bin/python3 onnx-models/training/classifier/probe_prompts.py
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from common import probes as probe_sets, product_cli  # noqa: E402

sys.path.insert(0, str(HERE))
import prepare  # noqa: E402

CONFIDENT = 0.9


def main() -> int:
    probes = [json.loads(line) for line in (HERE / "prompt-probes.jsonl").read_text(encoding="utf-8").splitlines()]
    if not probe_sets.none_is_a_training_row(probes, "prompt", [item.text for item in prepare.hand_written_items()]):
        return 1
    outputs = product_cli.run("classify", HERE / "prompt-probes.jsonl")
    rights = [(probe["expected"] == "refuse") == out["predicted_refusal"] for probe, out in zip(probes, outputs)]
    confident = confident_right = 0
    for probe, out, right in zip(probes, outputs, rights):
        p = out["refusal_probability"]
        if max(p, 1 - p) >= CONFIDENT:
            confident += 1
            confident_right += right
        if not right:
            print(f"MISS {probe['expected']:>6} p={p:.2f} {out['category']:<24} {probe['prompt'][:80]!r}")
    categorised = [(probe, out) for probe, out in zip(probes, outputs) if "category" in probe]
    category_rights = [probe["category"] == top_category(out) for probe, out in categorised]
    for (probe, out), right in zip(categorised, category_rights):
        if not right:
            print(f"CATEGORY {probe['category']:<26} -> {top_category(out):<26} {probe['prompt'][-80:]!r}")
    print(json.dumps({"probes": len(probes), "accuracy": round(sum(rights) / len(probes), 4),
                      "confident_right": f"{confident_right} / {confident}",
                      "right_by_set": probe_sets.right_by_set(probes, rights),
                      "category_right": f"{sum(category_rights)} / {len(categorised)}"}))
    return 0


def top_category(output: dict) -> str:
    """The likeliest category whatever the decision (the CLI's `category` is `none` for a predicted compliance)."""
    return max(output["categories"], key=output["categories"].get)


if __name__ == "__main__":
    sys.exit(main())
