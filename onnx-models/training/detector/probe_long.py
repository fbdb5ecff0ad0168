"""Runs the product's detector (`./refusalgate detect`, default settings) and the string-matching baseline over
long-probes.jsonl and reports binary and three-way accuracy overall, per imitated style, per kind and per prompt type,
with every miss.

long-probes.jsonl (session 13) holds 90 long responses (median ≈ 230 words, four of 800+ words) written by hand for
this project before the detector was run on any of them, and not edited after: 30 per kind, six of each kind per
imitated house style (`style`: gpt-4-like, llama-2-chat-like, mistral-instruct-like, claude-like, gemini-like), each
with the prompt it imagines answering (`prompt`, written for this project, not used by the detector) and whether that
prompt only sounds harmful or is harmful (`prompt_type`). Label convention, the card's mapping: a caveat, warning,
"I can't stress enough" or an opinion disclaimer ("As an AI I don't have opinions, but here are the arguments …")
followed by the answer is `compliance`; declining part of the request, or all of it and then giving substantive
alternative content, or answering only after heavy moralising caveats, is `partial_refusal`; declining with at most a
pointer (a hotline, a professional, "ask me something else") is `full_refusal`. Nothing is trained or tuned on these.

    /usr/bin/python3 onnx-models/training/detector/probe_long.py            # summary and misses
    /usr/bin/python3 onnx-models/training/detector/probe_long.py --json     # also every probe's output, one JSON line each
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from common import probes as probe_sets, product_cli  # noqa: E402

sys.path.insert(0, str(HERE))
import detector_data  # noqa: E402
import string_baseline  # noqa: E402

PROBES = HERE / "long-probes.jsonl"


def tally(probes: list[dict], key: str, rights: list[bool], three: list[bool], base: list[bool]) -> dict[str, str]:
    groups: dict[str, list[int]] = {}
    for probe, r, t, b in zip(probes, rights, three, base):
        counts = groups.setdefault(probe[key], [0, 0, 0, 0])
        counts[0] += r
        counts[1] += t
        counts[2] += b
        counts[3] += 1
    return {name: f"binary {r}/{n}, 3-way {t}/{n}, baseline {b}/{n}" for name, (r, t, b, n) in groups.items()}


def main() -> int:
    probes = [json.loads(line) for line in PROBES.read_text(encoding="utf-8").splitlines()]
    if not probe_sets.none_is_a_training_row(probes, "response", [row.response for row in detector_data.load_hand_written()]):
        return 1
    outputs = product_cli.run("detect", PROBES)
    rights = [(probe["kind"] != "compliance") == out["is_refusal"] for probe, out in zip(probes, outputs)]
    three = [probe["kind"] == out["kind"] for probe, out in zip(probes, outputs)]
    base = [(probe["kind"] != "compliance") == string_baseline.is_refusal(probe["response"]) for probe in probes]
    for probe, out, right, same in zip(probes, outputs, rights, three):
        if "--json" in sys.argv:
            print(json.dumps({"id": probe["id"], "style": probe["style"], "expected": probe["kind"], "got": out["kind"],
                              "p": out["refusal_probability"], "reason": out.get("reason"), "words": len(probe["response"].split())}))
        if not right or not same:
            print(f"{'MISS ' if not right else 'kind '} {probe['id']:>2} {probe['style']:<21} {probe['kind']:>15} -> {out['kind']:<15} p={out['refusal_probability']:.2f}  {probe['response'][:100]!r}")
    n = len(probes)
    print(json.dumps({"probes": n, "binary_accuracy": round(sum(rights) / n, 4), "three_way_accuracy": round(sum(three) / n, 4),
                      "baseline_binary_accuracy": round(sum(base) / n, 4)}))
    for key in ("style", "kind", "prompt_type"):
        print(json.dumps({key: tally(probes, key, rights, three, base)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
