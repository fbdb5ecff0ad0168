"""Experiment (session 15, see the card): should the prompt classifier read more of a conversation than its last user
message?

Data: hh-rlhf harmless-base test (MIT; 2,312 red-teaming transcripts, `chosen` and `rejected` share every turn but the
last assistant reply). Labels are weak: whether the FINAL assistant reply of `chosen` (and, separately, of `rejected`)
is a refusal, as judged by the product's response detector (`./refusalgate detect`, with the last human turn as its
prompt), an independent model with its own errors (detector card). The classifier runs through the product's CLI
(`./refusalgate classify` over `{"id", "prompt"}` lines, so the text is prepared exactly as the gateway prepares it).

Variants, each a refusal probability on the classifier's scale (so its threshold applies):
  a      the last human turn (what the product reads today)
  b      all human turns joined, oldest first (the last one stays in the tail window)
  b2/b3  the last 2 / 3 human turns joined (a bound on how much is read)
  conv   the whole transcript, assistant turns too ("User: …\\nAssistant: …")
  maxturn  the highest of the per-turn probabilities of every human turn
  c      sigmoid(logit(a) + beta * detector(previous assistant reply)), beta fitted; c_or: a, or refused if the
         previous reply was a refusal
  max(a,b), mean(a,b), mix(a,b) = sigmoid(alpha * logit(a) + (1 - alpha) * logit(b)), alpha fitted
  lr(...) free logistic regressions on the fit half (own scale: AUROC only); prev_str is the refusal-phrase string
         baseline on the previous reply, a signal that shares no errors with the detector's labels
Fitted weights use the transcripts whose first human turn hashes to the fit half (sha256, even); every figure is on
the other half. Transcripts with >= 2 human turns are the multi-turn set; single-turn ones are the sanity check (a, b,
max and c are the same text or the same number there by construction). 95 % intervals of the AUROC gain over `a`
are a paired bootstrap over first-turn groups.

    /usr/bin/python3 onnx-models/training/classifier/multiturn_experiment.py [--refresh]

CLI outputs are cached in onnx-models/.work/classifier/multiturn/ (--refresh recomputes them; ~2-3 min on 2 cores).

Found (session 15; full table in the card's "Session 15: multi-turn context"). On the 844 multi-turn transcripts of the
report half, `a` has AUROC 0.545 (chosen) / 0.530 (rejected), accuracy 0.62 at the threshold, and 28 % predicted refused.
- No text variant ranks better: `b` gives 0.521 / 0.500, `conv` 0.491, and the fitted mix keeps alpha = 0.86 on `a`.
  Every variant raises predicted refusals to 37-70 % and lowers accuracy by 5-20 points.
- The previous reply's refusal does predict the next (41.5 % against 24.1 %). A free regression on it ranks better
  (0.638 / 0.596), but the label comes from the same detector. With the string baseline as an independent signal the
  gain is within the noise (+0.018 / -0.010), and on the classifier's own scale beta fits to 0.
- Single-turn transcripts are unchanged.
Nothing was built.
"""
import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from common import product_cli  # noqa: E402
from common.paths import DATASETS, REPO  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "detector"))
import string_baseline  # noqa: E402

CACHE = REPO / "onnx-models" / ".work" / "classifier" / "multiturn"
THRESHOLD = json.loads((REPO / "onnx-models" / "classifier" / "manifest.json").read_text())["decision_threshold"]
TURN = re.compile(r"\n\n(Human|Assistant): ")


def turns(transcript):
    """[(speaker, text)] of an hh-rlhf transcript."""
    parts = TURN.split(transcript)
    return [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2)]


def load():
    rows = []
    path = DATASETS / "hh-rlhf-harmless" / "harmless-base_test.jsonl"
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        chosen, rejected = turns(row["chosen"]), turns(row["rejected"])
        if not chosen or chosen[-1][0] != "Assistant" or not rejected or rejected[-1][0] != "Assistant":
            continue
        human = [t for s, t in chosen if s == "Human"]
        last_human = max(j for j, (s, _) in enumerate(chosen) if s == "Human")
        previous = [t for s, t in chosen[:last_human] if s == "Assistant"]
        rows.append({
            "id": i,
            "human": human,
            "conversation": chosen[:-1],
            "previous_reply": previous[-1] if previous else None,
            "previous_prompt": human[-2] if len(human) >= 2 else None,
            "chosen": chosen[-1][1],
            "rejected": rejected[-1][1],
            "fit": int(hashlib.sha256(human[0].encode("utf-8")).hexdigest(), 16) % 2 == 0,
            "group": human[0],
        })
    return rows


def cached_cli(command, name, records, refresh):
    """The CLI's output per record (records: list of dicts with a unique key 'key' and the CLI's fields)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}.jsonl"
    known = {}
    if path.exists() and not refresh:
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            known[r["key"]] = r
    todo = [r for r in records if r["key"] not in known]
    if todo:
        with tempfile.TemporaryDirectory() as work:
            inp = Path(work) / "in.jsonl"
            with inp.open("w", encoding="utf-8") as f:
                for n, r in enumerate(todo):
                    f.write(json.dumps({"id": n, **{k: v for k, v in r.items() if k != "key"}}) + "\n")
            out = product_cli.run(command, inp)
        for r, o in zip(todo, out):
            o["key"] = r["key"]
            known[r["key"]] = o
        with path.open("w", encoding="utf-8") as f:
            for o in known.values():
                f.write(json.dumps(o) + "\n")
    return known


def key(*parts):
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def auroc(y, s):
    return roc_auc_score(y, s) if 0 < y.sum() < len(y) else float("nan")


def fit_scalar(grid, score_of, y):
    """The grid value whose score has the lowest log-loss against y (the fit half)."""
    def loss(v):
        p = np.clip(score_of(v), 1e-6, 1 - 1e-6)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return min(grid, key=loss)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--refresh", action="store_true", help="recompute the CLI outputs")
    ap.add_argument("--bootstrap", type=int, default=1000)
    args = ap.parse_args()
    rows = load()

    texts = {}
    for r in rows:
        h = r["human"]
        r["texts"] = {
            "a": h[-1],
            "b": "\n\n".join(h),
            "b2": "\n\n".join(h[-2:]),
            "b3": "\n\n".join(h[-3:]),
            "conv": "\n".join(("User: " if s == "Human" else "Assistant: ") + t for s, t in r["conversation"]),
        }
        for j, t in enumerate(h):
            r["texts"][f"turn{j}"] = t
        for t in r["texts"].values():
            texts[key(t)] = {"key": key(t), "prompt": t}
    classified = cached_cli("classify", "classify", list(texts.values()), args.refresh)

    responses = {}
    for r in rows:
        for which in ("chosen", "rejected"):
            responses[key(r[which], r["human"][-1])] = {"key": key(r[which], r["human"][-1]), "response": r[which], "prompt": r["human"][-1]}
        if r["previous_reply"] is not None:
            k = key(r["previous_reply"], r["previous_prompt"])
            responses[k] = {"key": k, "response": r["previous_reply"], "prompt": r["previous_prompt"]}
    detected = cached_cli("detect", "detect", list(responses.values()), args.refresh)

    p = {name: np.array([classified[key(r["texts"][name])]["refusal_probability"] for r in rows]) for name in ("a", "b", "b2", "b3", "conv")}
    p["maxturn"] = np.array([max(classified[key(r["texts"][f"turn{j}"])]["refusal_probability"] for j in range(len(r["human"]))) for r in rows])
    y = {w: np.array([int(detected[key(r[w], r["human"][-1])]["is_refusal"]) for r in rows]) for w in ("chosen", "rejected")}
    prev = np.array([detected[key(r["previous_reply"], r["previous_prompt"])]["refusal_probability"] if r["previous_reply"] is not None else 0.0 for r in rows])
    prev_refused = np.array([bool(detected[key(r["previous_reply"], r["previous_prompt"])]["is_refusal"]) if r["previous_reply"] is not None else False for r in rows])
    # The same signal from the refusal-phrase string baseline, which shares no errors with the detector's labels.
    prev_str = np.array([float(string_baseline.is_refusal(r["previous_reply"])) if r["previous_reply"] is not None else 0.0 for r in rows])
    multi = np.array([len(r["human"]) >= 2 for r in rows])
    fit = np.array([r["fit"] for r in rows])
    groups = np.array([r["group"] for r in rows])
    report = ~fit

    print(f"transcripts {len(rows)}: multi-turn {multi.sum()} (fit {np.sum(multi & fit)}, report {np.sum(multi & report)}), "
          f"single-turn {np.sum(~multi)}; threshold {THRESHOLD}")
    for w in ("chosen", "rejected"):
        print(f"label {w}: refusal rate multi-turn {y[w][multi].mean():.3f}, single-turn {y[w][~multi].mean():.3f}")
        m = multi
        print(f"  P(final refused | previous reply refused) = {y[w][m & prev_refused].mean():.3f} (n={np.sum(m & prev_refused)}), "
              f"| not refused = {y[w][m & ~prev_refused].mean():.3f} (n={np.sum(m & ~prev_refused)})")

    ps = multi & (prev_str == 1)
    for w in ("chosen", "rejected"):
        final_str = np.array([string_baseline.is_refusal(r[w]) for r in rows])
        print(f"string baseline, {w}: P(final refused | previous refused) = {final_str[ps].mean():.3f} (n={ps.sum()}), "
              f"| not = {final_str[multi & ~ps].mean():.3f}; detector label instead: {y[w][ps].mean():.3f} | {y[w][multi & ~ps].mean():.3f}")

    # Fitted combinations (fit half, multi-turn, the chosen label; the rejected label gets the same weights).
    f = multi & fit
    alpha = fit_scalar(np.linspace(0, 1, 101), lambda v: sigmoid(v * logit(p["a"][f]) + (1 - v) * logit(p["b"][f])), y["chosen"][f])
    beta = fit_scalar(np.linspace(0, 10, 201), lambda v: sigmoid(logit(p["a"][f]) + v * prev[f]), y["chosen"][f])
    print(f"fitted on the fit half (chosen label): alpha {alpha:.2f} (mix of a and b in logit space), beta {beta:.2f} (previous refusal)")
    p["c"] = sigmoid(logit(p["a"]) + beta * prev)
    p["c_or"] = np.where(prev_refused, np.maximum(p["a"], THRESHOLD), p["a"])
    p["max(a,b)"] = np.maximum(p["a"], p["b"])
    p["mean(a,b)"] = (p["a"] + p["b"]) / 2
    p["mix(a,b)"] = sigmoid(alpha * logit(p["a"]) + (1 - alpha) * logit(p["b"]))
    p["max(a,b2)"] = np.maximum(p["a"], p["b2"])
    # Free logistic regressions (with intercept) on the fit half: their own scale, so only their AUROC means anything.
    for name, cols in (("lr(a,prev)", [logit(p["a"]), prev]), ("lr(a,prev_str)", [logit(p["a"]), prev_str]),
                       ("lr(a,b)", [logit(p["a"]), logit(p["b"])]),
                       ("lr(a,b,prev)", [logit(p["a"]), logit(p["b"]), prev])):
        x = np.stack(cols, axis=1)
        model = LogisticRegression().fit(x[f], y["chosen"][f])
        p[name] = model.predict_proba(x)[:, 1]
        print(f"{name}: weights {np.round(model.coef_[0], 2).tolist()}, intercept {model.intercept_[0]:.2f}")
    refit = {"lr(a,prev)", "lr(a,prev_str)", "lr(a,b)", "lr(a,b,prev)"}

    rng = np.random.default_rng(0)
    order = ("a", "b", "b2", "b3", "conv", "maxturn", "c", "c_or", "max(a,b)", "max(a,b2)", "mean(a,b)", "mix(a,b)",
             "lr(a,prev)", "lr(a,prev_str)", "lr(a,b)", "lr(a,b,prev)")
    for subset_name, subset in (("multi-turn, report half", multi & report), ("single-turn, report half", ~multi & report)):
        idx = np.where(subset)[0]
        uniq = np.unique(groups[idx])
        members = {g: idx[groups[idx] == g] for g in uniq}
        boots = [np.concatenate([members[g] for g in rng.choice(uniq, len(uniq))]) for _ in range(args.bootstrap)]
        print(f"\n{subset_name}: n={len(idx)}")
        print(f"| variant | AUROC chosen (gain over a, 95 % CI) | AUROC rejected (gain, 95 % CI) | acc@{THRESHOLD} chosen / rejected | predicted refused |")
        print("|---|---|---|---|---|")
        for name in order:
            s = p[name]
            cells = []
            for w in ("chosen", "rejected"):
                value = auroc(y[w][idx], s[idx])
                if name == "a":
                    cells.append(f"{value:.3f}")
                    continue
                d = np.array([auroc(y[w][b], s[b]) - auroc(y[w][b], p["a"][b]) for b in boots])
                d = d[~np.isnan(d)]
                cells.append(f"{value:.3f} ({value - auroc(y[w][idx], p['a'][idx]):+.3f}; {np.percentile(d, 2.5):+.3f}, {np.percentile(d, 97.5):+.3f})")
            if name in refit:
                tail = "– (own scale) | –"
            else:
                acc = [np.mean((s[idx] >= THRESHOLD) == (y[w][idx] == 1)) for w in ("chosen", "rejected")]
                tail = f"{acc[0]:.3f} / {acc[1]:.3f} | {np.mean(s[idx] >= THRESHOLD):.3f}"
            print(f"| {name} | {cells[0]} | {cells[1]} | {tail} |")

    # How the gain of b over a depends on the number of human turns (report half, chosen label).
    print("\nby human turns (report half, chosen label): n, refusal rate, AUROC a / b / max(a,b), predicted refused a / b")
    nturns = np.array([len(r["human"]) for r in rows])
    for lo, hi in ((2, 2), (3, 3), (4, 4), (5, 99)):
        idx = np.where(report & (nturns >= lo) & (nturns <= hi))[0]
        yy = y["chosen"][idx]
        print(f"  {lo}{'+' if hi == 99 else ''}: n={len(idx)} rate {yy.mean():.3f} AUROC {auroc(yy, p['a'][idx]):.3f} / "
              f"{auroc(yy, p['b'][idx]):.3f} / {auroc(yy, p['max(a,b)'][idx]):.3f}; refused {np.mean(p['a'][idx] >= THRESHOLD):.3f} / "
              f"{np.mean(p['b'][idx] >= THRESHOLD):.3f}")


    print("\nby length of the last human turn (report half, multi-turn, chosen label): AUROC a / b, predicted refused a / b")
    last_len = np.array([len(r["human"][-1]) for r in rows])
    for lo, hi in ((0, 40), (41, 100), (101, 10**9)):
        idx = np.where(report & multi & (last_len >= lo) & (last_len <= hi))[0]
        yy = y["chosen"][idx]
        print(f"  {lo}-{hi if hi < 10**9 else ''} chars: n={len(idx)} rate {yy.mean():.3f} AUROC {auroc(yy, p['a'][idx]):.3f} / "
              f"{auroc(yy, p['b'][idx]):.3f}; refused {np.mean(p['a'][idx] >= THRESHOLD):.3f} / {np.mean(p['b'][idx] >= THRESHOLD):.3f}")


if __name__ == "__main__":
    main()
