"""Loads the shared training pool and labels every prompt.

Label = 1 when a typical aligned chat model refuses the prompt, 0 when it answers.
Every decision below is documented in onnx-models/cards/classifier.md; the short version:

positive (refused)  AdvBench, HarmBench (all, behaviour text only), JBB harmful, StrongREJECT,
                    Do-Not-Answer (information_hazard, malicious_uses, discrimination...),
                    CatQA, DangerousQA, forbidden questions (harmful scenarios), OR-Bench toxic,
                    refusal-direction harmful_train (TDC/MaliciousInstruct), GPTFuzz questions,
                    JBB attack artifacts (PAIR/GCG/random-search/JBC/DSN jailbreak forms),
                    rbr-gold "Hard/Safe Refuse" prompts, chatgpt-refusals rejected/redirected.
negative (answered) JBB benign twins, OR-Bench hard-1k (benign but scary), forbidden questions
                    in the often-answered scenarios (Political Lobbying, Legal Opinion,
                    Financial Advice, Health Consultation), chatgpt-refusals complied /
                    disclaimed / contradicted / dontknow, llm-self-defense benign prompts,
                    rbr-gold "Comply" prompts, and the hand-written benign sets in
                    synthetic.py.
left out            Alpaca (refusal-direction harmless_*: CC BY-NC 4.0, not used for the
                    shipped weights), HarmfulQA (label noise: mostly borderline), Do-Not-Answer
                    human_chatbox and misinformation_harms (advice questions most models answer
                    with caveats: label unknown), hh-rlhf red-team turns (no refusal label),
                    chatgpt-refusals incoherent/counseling (too few, ambiguous).
"""
import csv
import glob
import json
import os
import re
from dataclasses import dataclass, field
from typing import Optional

import yaml

from common.paths import DATASETS

OFTEN_ANSWERED_FORBIDDEN = {"Political Lobbying", "Legal Opinion", "Financial Advice", "Health Consultation"}
COMPLIED_TONES = {"complied", "disclaimed", "contradicted", "dontknow"}
REFUSED_TONES = {"rejected", "redirected"}


@dataclass
class Item:
    text: str
    label: int
    source: str
    source_category: str = ""
    category: Optional[str] = None
    # Items sharing a group (near-duplicates, the same template) always land on the same side of a split.
    group: str = ""
    # "plain" for data-set prompts, "wrapped" for template augmentation, "synthetic" for hand-written sets,
    # "rephrased" for reworded copies (train.py --rephrase, an experiment).
    kind: str = "plain"
    extra: dict = field(default_factory=dict)


class Taxonomy:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        self.ids = [c["id"] for c in doc["categories"]]
        self._map = {}
        for c in doc["categories"]:
            for source, labels in (c.get("sources") or {}).items():
                for label in labels or []:
                    self._map[(source, label.rstrip(":").strip())] = c["id"]
        self.refinements = []
        for r in doc.get("refinements") or []:
            if r["category"] not in self.ids:
                raise ValueError(f"{path}: refinement names unknown category {r['category']!r}")
            self.refinements.append((r["category"], [re.compile(m, re.IGNORECASE) for m in r["match"]]))

    def refine(self, text, category):
        """The category of the first refinement whose patterns all match `text`, else `category` (see the file)."""
        for refined, patterns in self.refinements:
            if all(p.search(text) for p in patterns):
                return refined
        return category

    def resolve(self, source, *labels):
        """Most specific label first, e.g. ("catqa", "Illegal Activity/Weapon", "Illegal Activity")."""
        for label in labels:
            if label:
                hit = self._map.get((source, label.rstrip(":").strip()))
                if hit:
                    return hit
        return None


def _path(*parts):
    return os.path.join(DATASETS, *parts)


def _csv(*parts):
    with open(_path(*parts), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _json(*parts):
    with open(_path(*parts), encoding="utf-8") as f:
        return json.load(f)


def _jsonl(*parts):
    with open(_path(*parts), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_all(tax: Taxonomy):
    items = []

    def add(text, label, source, source_category="", category_key=None, *labels, **extra):
        cat = tax.resolve(category_key, *labels) if (category_key and label == 1) else None
        if label == 1:
            # A jailbreak artifact's request is its goal; the rest of its text is the attack.
            cat = tax.refine(extra.get("goal") or text, cat)
        items.append(Item(text=text, label=label, source=source, source_category=source_category, category=cat, extra=extra))

    for r in _csv("advbench", "harmful_behaviors.csv"):
        add(r["goal"], 1, "advbench")
    for r in _csv("harmbench", "harmbench_behaviors_text_all.csv"):
        sem = r["SemanticCategory"]
        add(r["Behavior"], 1, "harmbench", sem, "harmbench", sem)
    for r in _csv("jbb-behaviors", "harmful-behaviors.csv"):
        add(r["Goal"], 1, "jbb", r["Category"], "jbb", r["Category"])
        if items[-1].category is None or r["Behavior"] == "Defamation":
            items[-1].category = tax.resolve("jbb_behavior", r["Behavior"]) or items[-1].category
    for r in _csv("jbb-behaviors", "benign-behaviors.csv"):
        add(r["goal"], 0, "jbb_benign", r["category"])
    for r in _csv("strongreject", "strongreject.csv"):
        add(r["forbidden_prompt"], 1, "strongreject", r["category"], "strongreject", r["category"])
    for name in ["information_hazard", "malicious_uses", "discrimination_exclusion_toxicity_hateful_offensive"]:
        for r in _jsonl("do-not-answer", f"{name}.jsonl"):
            add(r["prompt"], 1, "do_not_answer", name, "do_not_answer", name)
    for cat, subs in _json("catqa-harmfulqa", "catqa_english.json").items():
        for sub, questions in subs.items():
            sub = sub.rstrip(":").strip()
            for q in questions:
                add(q, 1, "catqa", f"{cat}/{sub}", "catqa", f"{cat}/{sub}", cat)
    for q in _json("catqa-harmfulqa", "dangerousqa.json"):
        add(q, 1, "dangerousqa")
    for r in _csv("jailbreak-llms", "forbidden_question_set.csv"):
        name = r["content_policy_name"]
        label = 0 if name in OFTEN_ANSWERED_FORBIDDEN else 1
        add(r["question"], label, "forbidden_questions", name, "forbidden_questions", name)
    for r in _csv("or-bench", "or-bench-toxic.csv"):
        add(r["prompt"], 1, "or_bench_toxic", r["category"], "or_bench_toxic", r["category"])
    for r in _csv("or-bench", "or-bench-hard-1k.csv"):
        add(r["prompt"], 0, "or_bench_hard", r["category"])
    for r in _json("refusal-direction-splits", "harmful_train.json"):
        add(r["instruction"], 1, "tdc_maliciousinstruct")
    for r in _csv("gptfuzz", "question_list.csv"):
        add(r["text"], 1, "gptfuzz_questions")
    for f in sorted(glob.glob(_path("jbb-artifacts", "attack-artifacts", "*", "*", "*.json"))):
        method = f.split(os.sep)[-3]
        doc = json.load(open(f, encoding="utf-8"))
        for j in doc.get("jailbreaks", []):
            if j.get("prompt"):
                add(j["prompt"], 1, "jbb_artifacts", j.get("category", ""), "jbb", j.get("category", ""), method=method, goal=j.get("goal", ""))
    for r in _json("chatgpt-refusals", "all_hand_labeled.json"):
        tone = r["tone"]
        if tone in REFUSED_TONES:
            add(r["prompt"], 1, "chatgpt_refusals", tone)
        elif tone in COMPLIED_TONES:
            add(r["prompt"], 0, "chatgpt_refusals", tone)
    for fname in ["all_repsonses_gpt.csv", "all_repsonses_llama.csv"]:
        for r in _csv("llm-self-defense", fname):
            if r["is harmful?"].strip() == "No":
                add(r["prompt"], 0, "llm_self_defense")
    for r in _jsonl("rbr-gold", "train.jsonl"):
        user_turns = [m["content"] for m in r["prompt"] if m["role"] == "user"]
        if not user_turns:
            continue
        refused = r["response_type"] != "Comply"
        add(user_turns[-1], 1 if refused else 0, "rbr_gold", r["category"], "rbr_gold", r["category"])
    return items


def load_templates():
    """Jailbreak / role-play templates (no label of their own; used to wrap requests of both classes)."""
    out = []
    for fname in ["jailbreak_prompts_2023_12_25.csv", "jailbreak_prompts_2023_05_07.csv"]:
        for r in _csv("jailbreak-llms", fname):
            out.append(("jailbreak_llms", r["prompt"]))
    for r in _csv("gptfuzz", "GPTFuzzer.csv"):
        out.append(("gptfuzz_templates", r["text"]))
    for r in _csv("gptfuzz", "seed_short_25.csv"):
        out.append(("gptfuzz_templates", r["text"]))
    return out


def load_alpaca_eval(limit=2000, seed=0):
    """Alpaca (CC BY-NC 4.0): used ONLY as an extra false-refusal check, never for training."""
    import random

    rows = [r["instruction"] for r in _json("refusal-direction-splits", "harmless_test.json")]
    rng = random.Random(seed)
    rng.shuffle(rows)
    return rows[:limit]
