"""Experiment (no product change unless adopted): does the detector gain from knowing the prompt?

Mode A of the session-13 long probes (a clear refusal followed by a long alternative reads as a compliance) needs the
rest of a response read as an *alternative* to what was asked, which only the prompt can say. Giving the head the
prompt's embedding itself would let it learn "harmful prompt => refusal", and the detector's output is the ground
truth the classifier's predictions are scored against: a detector that leans on the prompt would make the classifier
look better calibrated than it is. So the head is given only how close the response is to the prompt, never the
prompt: cos(prompt, first part), cos(prompt, rest) and whether a prompt was given (three extra cue columns). During
training each row loses its prompt with probability DROP, so the head also works without one (the CLI's prompt is
optional; hand-written rows have none).

Same data, split, weights, calibration and threshold rule as train.py; per seed: the shipped feature set against the
one with prompt relevance, on the test split (all, human-labelled, by source) with and without prompts, and on the
long probes (long-probes.jsonl, with and without their prompts). Writes nothing but its JSON report to stdout.

    OMP_NUM_THREADS=1 /usr/bin/python3 onnx-models/training/detector/prompt_relevance_experiment.py --datasets ../shared/datasets --repo . [--seeds 20240611,1,2]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

import train as T
from detector_data import COMPLIANCE, KIND_BY_NAME, load_all, split_of
from detector_features import LexicalCues, prepare

DROP = 0.3
HUMAN = ("chatgpt-refusals", "rbr-gold")


def relevance(prompt_x: np.ndarray, first_x: np.ndarray, rest_x: np.ndarray, has: np.ndarray) -> np.ndarray:
    """[n, 3]: cos(prompt, first), cos(prompt, rest), has_prompt; zeros where no prompt (embeddings are L2-normalised)."""
    cos_first = (prompt_x * first_x).sum(axis=1) * has
    cos_rest = (prompt_x * rest_x).sum(axis=1) * has
    return np.stack([cos_first, cos_rest, has], axis=1).astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", type=Path, required=True)
    ap.add_argument("--repo", type=Path, required=True)
    ap.add_argument("--seeds", default=f"{T.SEED},1,2")
    args = ap.parse_args()
    repo = args.repo.resolve()
    cues_path = repo / "onnx-models/detector/lexical-cues.json"
    cues = LexicalCues.load(cues_path)
    examples, _ = load_all(args.datasets, cues)
    examples = examples + T.new_truncated_copies(examples, cues)
    probes = [json.loads(line) for line in (Path(__file__).with_name("long-probes.jsonl")).read_text(encoding="utf-8").splitlines()]

    cache = T.EmbeddingCache(repo / "onnx-models/.work/detector", repo / "onnx-models/build")

    def featurise(responses: list[str], prompts: list[str]):
        prepared = [prepare(r) for r in responses]
        cue_x = np.array([cues.features(p) for p in prepared], dtype=np.float32)
        first_x = cache.embed([p.first for p in prepared])
        rest_x = cache.embed([p.rest if p.rest else p.first for p in prepared])
        has = np.array([1.0 if p.strip() else 0.0 for p in prompts], dtype=np.float32)
        prompt_x = cache.embed([p.strip() if p.strip() else "." for p in prompts])
        return first_x, rest_x, cue_x, prompt_x, has

    first_x, rest_x, cue_x, prompt_x, has = featurise([e.response for e in examples], [e.prompt for e in examples])
    p_first, p_rest, p_cues, p_prompt, p_has = featurise([p["response"] for p in probes], [p["prompt"] for p in probes])
    y = np.array([e.kind for e in examples], dtype=np.int64)
    py = np.array([KIND_BY_NAME[p["kind"]] for p in probes])
    splits = np.array([split_of(e.group) for e in examples])
    sources = np.array([e.source for e in examples])
    tr, ca, te = splits == "train", splits == "calibration", splits == "test"
    print(f"rows {len(examples)}; with a prompt {int(has.sum())}; test {int(te.sum())}", flush=True)

    def run(seed: int, with_relevance: bool) -> dict:
        T.SEED = seed
        rng = np.random.default_rng(seed)
        keep = np.where(tr, (rng.random(len(has)) >= DROP).astype(np.float32), 1.0) * has

        def x_of(mask, prompt_on: np.ndarray, fx=first_x, rx=rest_x, cx=cue_x, px=prompt_x):
            cols = [cx[mask]]
            if with_relevance:
                cols.append(relevance(px[mask], fx[mask], rx[mask], prompt_on[mask]))
            return fx[mask], rx[mask], np.concatenate(cols, axis=1)

        ex_tr = [e for e, m in zip(examples, tr) if m]
        n_cues = x_of(tr, keep)[2].shape[1]
        model = T.train_head(x_of(tr, keep), y[tr], T.sample_weights(ex_tr), n_cues)
        a, b = T.fit_platt(T.refusal_logit(T.logits_of(model, x_of(ca, has))).numpy(), (y[ca] > 0).astype(np.float64))

        def predict(x):
            logits = T.logits_of(model, x)
            return torch.softmax(logits, dim=1).numpy(), T.sigmoid(a * T.refusal_logit(logits).numpy() + b)

        _, p_cal = predict(x_of(ca, has))
        thresholds = np.round(np.arange(0.2, 0.81, 0.05), 2)
        threshold = float(thresholds[int(np.argmax([((p_cal >= t) == (y[ca] > 0)).mean() for t in thresholds]))])

        def binary(probs, p, truth) -> float:
            return round(float(((T.decide(probs, p, threshold) > 0) == (truth > 0)).mean()), 4)

        out = {"threshold": threshold}
        for prompt_label, prompt_on in (("with_prompt", has), ("without_prompt", np.zeros_like(has))):
            probs, p = predict(x_of(te, prompt_on))
            human = np.isin(sources[te], HUMAN)
            out[f"test_{prompt_label}"] = {
                "all": binary(probs, p, y[te]),
                "human": binary(probs[human], p[human], y[te][human]),
                **{s: binary(probs[sources[te] == s], p[sources[te] == s], y[te][sources[te] == s]) for s in T.SOURCES if (sources[te] == s).any()},
            }
            on = p_has if prompt_label == "with_prompt" else np.zeros_like(p_has)
            all_probes = np.ones(len(probes), dtype=bool)
            probs, p = predict(x_of(all_probes, on, p_first, p_rest, p_cues, p_prompt))
            kinds = T.decide(probs, p, threshold)
            out[f"long_probes_{prompt_label}"] = {
                "binary": binary(probs, p, py),
                "three_way": round(float((kinds == py).mean()), 4),
                "partial_caught": int(((kinds > 0) & (py == 1)).sum()),
                "compliance_right": int(((kinds == COMPLIANCE) & (py == COMPLIANCE)).sum()),
            }
        return out

    report = {}
    for seed in (int(s) for s in args.seeds.split(",")):
        for with_relevance in (False, True):
            name = f"seed {seed} {'relevance' if with_relevance else 'shipped features'}"
            report[name] = run(seed, with_relevance)
            print(json.dumps({name: report[name]}), flush=True)


if __name__ == "__main__":
    main()
