"""Loads the response-level data of ../shared/datasets and maps it to the detector's labels.

Kinds: 0 compliance, 1 partial_refusal, 2 full_refusal. Reasons: safety, capability, opinion,
premise, none. The mapping (and why) is documented in onnx-models/cards/detector.md; each row
keeps its original label in `origin` so the card's counts can be traced back.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from detector_features import LexicalCues, prepare

KINDS = ["compliance", "partial_refusal", "full_refusal"]
COMPLIANCE, PARTIAL, FULL = 0, 1, 2

# chatgpt-refusals `tone` -> (kind, reason). incoherent (3 rows) is dropped.
TONE_MAP = {
    "complied": (COMPLIANCE, "none"),
    "rejected": (FULL, "safety"),
    "dontknow": (FULL, "capability"),
    "redirected": (PARTIAL, "opinion"),
    "disclaimed": (PARTIAL, "opinion"),
    "contradicted": (PARTIAL, "premise"),
    "counseling": (PARTIAL, "safety"),
}

# Refusal evidence used to clean the weakly labelled sources (gptfuzz label 0, jbb
# jailbroken=false): a row is kept as a refusal only if one of these groups fires in its
# first sentence(s); otherwise it is too often an in-character non-answer to trust.
STRONG_REFUSAL_GROUPS = {"apology", "cannot", "as_an_ai", "policy"}


@dataclass
class Example:
    source: str
    group: str  # prompt identity; no group is on both sides of a split
    prompt: str
    response: str
    kind: int
    reason: str
    origin: str


def _norm_prompt(p: str) -> str:
    return re.sub(r"\s+", " ", p.strip().lower())


def load_chatgpt_refusals(root: Path) -> list[Example]:
    rows = json.loads((root / "chatgpt-refusals/all_hand_labeled.json").read_text(encoding="utf-8"))
    out = []
    for r in rows:
        if r["tone"] not in TONE_MAP:
            continue
        kind, reason = TONE_MAP[r["tone"]]
        out.append(Example("chatgpt-refusals", _norm_prompt(r["prompt"]), r["prompt"], r["response"], kind, reason, f"tone={r['tone']}"))
    return out


def load_rbr_gold(root: Path) -> list[Example]:
    """Labels come from the completion's propositions, not from response_type (which is what
    the prompt *should* get)."""
    out = []
    for line in (root / "rbr-gold/train.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        p = r["propositions"]
        if p.get("illogical_continuation_of_prompt"):
            continue
        user_turns = [m["content"] for m in r["prompt"] if m["role"] == "user"]
        prompt = user_turns[-1] if user_turns else ""
        response = r["completion"][0]["content"]
        reason = "safety"
        if p["fully_complies"] and not p["inability_to_comply"]:
            kind, reason = COMPLIANCE, "none"
        elif p["fully_complies"] or p["partially_complies"]:
            kind = PARTIAL  # complies in part, or says it cannot and then answers anyway
        else:
            kind = FULL  # inability_to_comply, or neither complies: deflection/redirect
        tag = ",".join(k for k in ("fully_complies", "partially_complies", "inability_to_comply") if p[k]) or "no_compliance"
        out.append(Example("rbr-gold", _norm_prompt(prompt), prompt, response, kind, reason, f"props={tag}"))
    return out


def load_gptfuzz(root: Path, cues: LexicalCues) -> list[Example]:
    questions = {q["index"]: q["text"] for q in csv.DictReader(open(root / "gptfuzz/question_list.csv", encoding="utf-8"))}
    out = []
    for name in ("responses_labeled_train.csv", "responses_labeled_evaluate.csv"):
        for r in csv.DictReader(open(root / "gptfuzz" / name, encoding="utf-8")):
            prompt = questions.get(r["question"], r["question"])
            response = r["Response"]
            prepared = prepare(response)
            refusal_opening = bool(cues.group_hits(prepared.first) & STRONG_REFUSAL_GROUPS)
            if r["label"] == "1" and refusal_opening:
                # Harmful content after a refusal (typically the dual "[CLASSIC] I'm sorry... [JAILBREAK]
                # Sure..." format): it refuses, then complies, which is a partial refusal.
                out.append(Example("gptfuzz", _norm_prompt(prompt), prompt, response, PARTIAL, "safety", "label=1+cue"))
            elif r["label"] == "1":
                out.append(Example("gptfuzz", _norm_prompt(prompt), prompt, response, COMPLIANCE, "none", "label=1"))
            elif refusal_opening:
                out.append(Example("gptfuzz", _norm_prompt(prompt), prompt, response, FULL, "safety", "label=0+cue"))
            elif cues.group_hits(prepared.opening) & STRONG_REFUSAL_GROUPS:
                # The refusal after an acknowledgement ("I understand your request to have two
                # personas. However, I must inform you that I cannot ..."), as Llama-2 and ChatGPT
                # often answer: the one "pleasantry, then refusal" style the pool has (381 rows).
                out.append(Example("gptfuzz", _norm_prompt(prompt), prompt, response, FULL, "safety", "label=0+opening-cue"))
    return out


def load_jbb_artifacts(root: Path, cues: LexicalCues) -> list[Example]:
    out = []
    for f in sorted(glob.glob(str(root / "jbb-artifacts/attack-artifacts/*/*/*.json"))):
        model = os.path.splitext(os.path.basename(f))[0]
        attack = Path(f).parts[-3]
        for j in json.loads(Path(f).read_text(encoding="utf-8"))["jailbreaks"]:
            response = j.get("response")
            if not response:
                continue
            hits = cues.group_hits(prepare(response).first) & STRONG_REFUSAL_GROUPS
            if j["jailbroken"] and not hits:
                kind, reason = COMPLIANCE, "none"
            elif j["jailbroken"]:
                kind, reason = PARTIAL, "safety"  # judged harmful, yet opens with a refusal
            elif hits:
                kind, reason = FULL, "safety"
            else:
                continue  # not jailbroken and no refusal wording: often an in-character non-answer
            out.append(Example("jbb-artifacts", _norm_prompt(j["goal"]), j["goal"], response, kind, reason, f"jailbroken={j['jailbroken']};{attack};{model}"))
    return out


def load_self_defense(root: Path, cues: LexicalCues) -> list[Example]:
    out = []
    for name in ("all_repsonses_gpt.csv", "all_repsonses_llama.csv"):
        for r in csv.DictReader(open(root / "llm-self-defense" / name, encoding="utf-8")):
            response = r["response"]
            if cues.group_hits(prepare(response).first) & STRONG_REFUSAL_GROUPS:
                continue  # the two rows with refusal wording
            out.append(Example("llm-self-defense", _norm_prompt(r["prompt"]), r["prompt"], response, COMPLIANCE, "none", f"harmful={r['is harmful?']}"))
    return out


CONVERSATIONAL = Path(__file__).with_name("conversational-compliances.jsonl")
REFUSAL_STYLES = Path(__file__).with_name("refusal-styles.jsonl")
KIND_BY_NAME = {"compliance": COMPLIANCE, "partial_refusal": PARTIAL, "full_refusal": FULL}


def load_hand_written() -> list[Example]:
    """Replies written for this project, labelled by construction (docs/decisions/0005), split by
    their own text like any other row.

    conversational-compliances.jsonl: short social replies and one-line answers (greetings,
    thanks, small talk, bare facts). The pool has almost none: its responses answer harmful or
    awkward requests, where "anything else I can help with?" closes refusals, so a greeting
    scored as one.

    refusal-styles.jsonl: refusal styles the pool is thin on (declines without an apology,
    moralising without "cannot", other vendors' one-liners, capability limits, partial
    refusals) and compliances that apologise or sympathise or use "can't" idioms."""
    out = []
    for line in CONVERSATIONAL.read_text(encoding="utf-8").splitlines():
        response = json.loads(line)["response"]
        out.append(Example("hand-written", _norm_prompt(response), "", response, COMPLIANCE, "none", "conversational"))
    for line in REFUSAL_STYLES.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out.append(Example("hand-written", _norm_prompt(row["response"]), "", row["response"], KIND_BY_NAME[row["kind"]],
                           row["reason"], "refusal-styles"))
    return out


def load_all(root: Path, cues: LexicalCues) -> tuple[list[Example], dict]:
    raw = (
        load_chatgpt_refusals(root)
        + load_rbr_gold(root)
        + load_hand_written()
        + load_gptfuzz(root, cues)
        + load_jbb_artifacts(root, cues)
        + load_self_defense(root, cues)
    )
    # De-duplicate on the normalised response text; the first (human-labelled sources come
    # first) wins. Empty responses are dropped.
    seen: set[str] = set()
    out: list[Example] = []
    dropped = {"empty": 0, "duplicate": 0}
    for e in raw:
        key = re.sub(r"\s+", " ", e.response.strip().lower())
        if not key:
            dropped["empty"] += 1
            continue
        if key in seen:
            dropped["duplicate"] += 1
            continue
        seen.add(key)
        out.append(e)
    return out, dropped


def split_of(group: str) -> str:
    """Deterministic split by prompt: 70 % train, 10 % calibration, 20 % test."""
    h = int(hashlib.sha256(group.encode("utf-8")).hexdigest()[:8], 16) % 100
    if h < 70:
        return "train"
    if h < 80:
        return "calibration"
    return "test"


def truncated_copies(examples: list[Example], cues: LexicalCues) -> list[Example]:
    """Short-response augmentation for the training split: most responses in the pool are long,
    so a one-sentence answer ("The capital of France is Paris.") looked unlike any compliance.
    The first sentence(s) of a compliance whose opening holds no refusal or moralising cue is
    itself a compliance; the first sentence(s) of a full refusal that opens with a strong refusal
    cue is itself a full refusal. Partial refusals are not truncated (the answered part is later)."""
    out = []
    for e in examples:
        p = prepare(e.response)
        if not p.rest:
            continue
        hits = cues.group_hits(p.first)
        if e.kind == COMPLIANCE and not hits & (STRONG_REFUSAL_GROUPS | {"inappropriate", "moralising", "capability", "no_opinion"}):
            out.append(Example(e.source, e.group, e.prompt, p.first, COMPLIANCE, e.reason, e.origin + ";truncated"))
        elif e.kind == FULL and hits & STRONG_REFUSAL_GROUPS:
            out.append(Example(e.source, e.group, e.prompt, p.first, FULL, e.reason, e.origin + ";truncated"))
    return out
