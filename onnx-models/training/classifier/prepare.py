"""Data preparation: normalise, de-duplicate, group near-duplicates, split, augment.

Split policy (documented in the card):
- Near-duplicates (cosine >= GROUP_COS between embeddings, transitively) form one group; a
  group never straddles train/validation. JBB harmful/benign twins, template variants and
  paraphrases therefore stay together.
- Validation = ~20 % of groups, drawn per source with a fixed seed, so every source is
  represented on both sides.
- Template augmentation is built AFTER the split: train templates wrap train requests,
  validation templates wrap validation requests, so validation measures unseen templates.
"""
import hashlib
import random
import re

import numpy as np

import data as data_mod
import synthetic
from common.text import dedup_key, strip_prompt

DUP_COS = 0.97  # same label and this close: a re-worded copy, drop it
GROUP_COS = 0.90  # this close: same group for splitting
TEMPLATE_JACCARD = 0.5
MAX_TEMPLATES = 700
VAL_FRACTION = 0.2
SEED = 20261123
MAX_INNER_CHARS = 400
FRAME_REQUESTS_PER_CLASS = 40

# Sources whose categories are most trustworthy win when exact duplicates collide.
SOURCE_PRIORITY = [
    "jbb", "jbb_benign", "harmbench", "strongreject", "catqa", "do_not_answer", "forbidden_questions",
    "or_bench_toxic", "or_bench_hard", "advbench", "tdc_maliciousinstruct", "gptfuzz_questions", "dangerousqa",
    "rbr_gold", "chatgpt_refusals", "llm_self_defense", "synthetic_everyday", "synthetic_scary", "synthetic_weapons",
    "synthetic_fiction_harmful", "synthetic_contrast", "synthetic_howto", "jbb_artifacts",
]


def _stable_unit(key):
    return int(hashlib.sha256(f"{SEED}:{key}".encode()).hexdigest()[:12], 16) / float(16**12)


def hand_written_items(how_to=False):
    """The prompts written for this project (synthetic.py), labelled, with their source and category. The probe script
    reads them too, to refuse probes that are training rows. `how_to` adds the benign how-to requests (an experiment,
    see the card); like the short homonyms they are not wrapped in templates."""
    items = [data_mod.Item(text=t, label=0, source="synthetic_everyday", kind="synthetic") for t in synthetic.everyday()]
    if how_to:
        items += [data_mod.Item(text=t, label=0, source="synthetic_howto", kind="synthetic", extra={"unwrapped": True})
                  for t in synthetic.how_to_requests()]
    # The short homonyms and the minimal pairs are about the short plain question they are written as. Wrapped in
    # role-play templates as well, they lowered AUROC on prompts in unseen wrappers in each of three seeds (card,
    # session 8), so augment() leaves them out.
    short = set(synthetic.SHORT_HOMONYMS)
    for t in synthetic.benign_but_scary():
        items.append(data_mod.Item(text=t, label=0, source="synthetic_scary", kind="synthetic", extra={"unwrapped": True} if t in short else {}))
    for t in synthetic.weapons_requests():
        items.append(data_mod.Item(text=t, label=1, source="synthetic_weapons", kind="synthetic", category="indiscriminate_weapons"))
    for category, t in synthetic.fiction_harmful():
        items.append(data_mod.Item(text=t, label=1, source="synthetic_fiction_harmful", kind="synthetic", category=category))
    for label, category, t in synthetic.verb_contrasts():
        items.append(data_mod.Item(text=t, label=label, source="synthetic_contrast", kind="synthetic", category=category, extra={"unwrapped": True}))
    return items


def collect(tax, log, how_to=False):
    items = data_mod.load_all(tax) + hand_written_items(how_to)
    raw = len(items)
    for it in items:
        it.text = strip_prompt(it.text)
    items = [it for it in items if it.text]
    rank = {s: i for i, s in enumerate(SOURCE_PRIORITY)}
    items.sort(key=lambda it: rank.get(it.source, 99))
    by_key = {}
    conflicts = set()
    for it in items:
        k = dedup_key(it.text)
        if k in by_key:
            if by_key[k].label != it.label:
                conflicts.add(k)
            continue
        by_key[k] = it
    kept = [it for k, it in by_key.items() if k not in conflicts]
    log(f"loaded {raw} prompts; {len(by_key)} after exact de-dup; {len(conflicts)} label conflicts dropped -> {len(kept)}")
    return kept, {"raw": raw, "exact_unique": len(by_key), "label_conflicts": len(conflicts), "after_exact": len(kept)}


class UnionFind:
    def __init__(self, n):
        self.p = list(range(n))

    def find(self, a):
        while self.p[a] != a:
            self.p[a] = self.p[self.p[a]]
            a = self.p[a]
        return a

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[max(ra, rb)] = min(ra, rb)


def near_duplicates(items, emb, log, chunk=2048):
    """Drop same-label re-wordings (>= DUP_COS to an earlier kept item) and group the rest."""
    n = len(items)
    drop = np.zeros(n, dtype=bool)
    uf = UnionFind(n)
    labels = np.array([it.label for it in items])
    for start in range(0, n, chunk):
        sims = emb[start : start + chunk] @ emb.T
        for r in range(sims.shape[0]):
            i = start + r
            row = sims[r]
            close = np.nonzero(row >= GROUP_COS)[0]
            for j in close:
                if j < i:
                    uf.union(i, j)
                    if row[j] >= DUP_COS and labels[j] == labels[i] and not drop[j]:
                        drop[i] = True
    keep_idx = [i for i in range(n) if not drop[i]]
    for i in range(n):
        items[i].group = f"g{uf.find(i)}"
    log(f"near-duplicate pass: dropped {int(drop.sum())} re-worded copies; {len(set(items[i].group for i in keep_idx))} groups")
    return [items[i] for i in keep_idx], emb[keep_idx], int(drop.sum())


def split(items):
    """Returns a boolean array: True = validation. Groups drawn per (dominant) source."""
    group_source = {}
    for it in items:
        group_source.setdefault(it.group, it.source)
    val_groups = {g for g, s in group_source.items() if _stable_unit(f"{s}:{g}") < VAL_FRACTION}
    return np.array([it.group in val_groups for it in items])


def _shingles(text, n=5):
    words = dedup_key(text).split()
    return {" ".join(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def dedup_templates(templates, log):
    """Template variants (same jailbreak with a few words changed) count once: word 5-gram Jaccard >= TEMPLATE_JACCARD.

    Cheaper than embeddings for long texts, and it is exactly the "same template, edited" relation.
    Keeps every template with a [INSERT PROMPT HERE] slot and a seeded sample of the others (they are
    appended to instead), bounded by MAX_TEMPLATES to keep the embedding time reasonable on 2 cores.
    """
    shingles = [_shingles(t) for _, t in templates]
    keep = []
    for i in range(len(templates)):
        si = shingles[i]
        dup = False
        for j in keep:
            sj = shingles[j]
            inter = len(si & sj)
            if inter and inter / (len(si) + len(sj) - inter) >= TEMPLATE_JACCARD:
                dup = True
                break
        if not dup:
            keep.append(i)
    slot = [i for i in keep if "[INSERT PROMPT HERE]" in templates[i][1]]
    other = [i for i in keep if "[INSERT PROMPT HERE]" not in templates[i][1]]
    rng = random.Random(SEED)
    rng.shuffle(other)
    chosen = sorted(slot + other[: max(0, MAX_TEMPLATES - len(slot))])
    log(f"templates: {len(templates)} -> {len(keep)} after near-duplicate removal ({len(slot)} with a prompt slot); using {len(chosen)}")
    return chosen, len(keep)


def fill_template(template, request):
    if "[INSERT PROMPT HERE]" in template:
        return template.replace("[INSERT PROMPT HERE]", request)
    return template.rstrip() + "\n\n" + request


# "How can I X?" and "Explain how to X." ask the same thing; the shipped head refuses the second less often (session 9).
REPHRASINGS = ("Explain how to {}.", "Tell me how to {}.", "What's the best way to {}?", "How can I {}?")
HOW_QUESTION = re.compile(r"^how (?:can|do|could|should) i (.+?)\??$", re.IGNORECASE)
HOW_IMPERATIVE = re.compile(r"^(?:explain|describe|tell me|show me) how to (.+?)[.?]?$", re.IGNORECASE)


def rephrase(items, is_val, log):
    """One copy of each short training request that asks how to do something, in another of REPHRASINGS (same label,
    group and category; harmful and benign alike). An experiment (`train.py --rephrase`), off by default: see the card."""
    rng = random.Random(SEED + 7)
    out = []
    for it, val in zip(items, is_val):
        if val or it.kind != "plain" or len(it.text) > 200:
            continue
        match = HOW_QUESTION.match(it.text) or HOW_IMPERATIVE.match(it.text)
        if not match:
            continue
        forms = [f for f in REPHRASINGS if f.format(match.group(1)).lower().rstrip(".?") != it.text.lower().rstrip(".?")]
        out.append(_reworded(it, rng.choice(forms).format(match.group(1))))
    log(f"rephrasing: {len(out)} copies ({sum(o.label for o in out)} harmful)")
    return out


HOW_BEST_WAY = re.compile(r"^what's the best way to (.+?)\??$", re.IGNORECASE)


def how_to_activity(text):
    """The X of "How can I X?", "Explain how to X." or "What's the best way to X?", else None."""
    for pattern in (HOW_QUESTION, HOW_IMPERATIVE, HOW_BEST_WAY):
        match = pattern.match(text)
        if match:
            return match.group(1)
    return None


def rephrase_balanced(items, is_val, log):
    """Like rephrase(), but balanced by label, so that no form is a label signal: each harmful how-to request (plain or
    hand-written) gets one copy in another form, and benign ones get copies in further forms, round-robin, until there
    are as many benign copies as harmful ones. An experiment (`train.py --rephrase-balanced`), off by default: see the
    card (session 11)."""
    rng = random.Random(SEED + 7)
    pending = {0: [], 1: []}
    for it, val in zip(items, is_val):
        activity = None if val or it.kind not in ("plain", "synthetic") or len(it.text) > 200 else how_to_activity(it.text)
        if activity is not None:
            forms = [f for f in REPHRASINGS if f.format(activity).lower().rstrip(".?") != it.text.lower().rstrip(".?")]
            rng.shuffle(forms)
            pending[it.label].append((it, activity, forms))
    harmful = [_reworded(it, forms[0].format(activity)) for it, activity, forms in pending[1]]
    benign = []
    for round_ in range(len(REPHRASINGS)):
        benign += [_reworded(it, forms[round_].format(activity)) for it, activity, forms in pending[0] if round_ < len(forms)]
        if len(benign) >= len(harmful):
            break
    benign = benign[: len(harmful)]
    log(f"balanced rephrasing: {len(harmful)} harmful copies of {len(pending[1])}, {len(benign)} benign of {len(pending[0])}")
    return harmful + benign


def _reworded(item, text):
    return data_mod.Item(text=text, label=item.label, source=item.source, source_category=item.source_category,
                         category=item.category, group=item.group, kind="rephrased", extra={"val": False})


def augment(items, is_val, templates, template_val, log):
    """Wrap harmful AND benign requests in the same templates/frames (label = inner request's label)."""
    rng = random.Random(SEED)
    out = []
    for side in (False, True):
        pool = [it for it, v in zip(items, is_val) if v == side and it.kind in ("plain", "synthetic") and len(it.text) <= MAX_INNER_CHARS and it.source not in ("jbb_artifacts",) and not it.extra.get("unwrapped")]
        harmful = [it for it in pool if it.label == 1]
        benign = [it for it in pool if it.label == 0]
        rng.shuffle(harmful)
        rng.shuffle(benign)
        hi = bi = 0
        for (src, text, gid), tv in zip(templates, template_val):
            if tv != side:
                continue
            for inner, label in ((harmful[hi % len(harmful)], 1), (benign[bi % len(benign)], 0)):
                out.append(data_mod.Item(text=strip_prompt(fill_template(text, inner.text)), label=label, source=inner.source,
                                         source_category=inner.source_category, category=inner.category,
                                         group=f"t{gid}", kind="wrapped", extra={"template_source": src, "val": side}))
            hi += 1
            bi += 1
        frames = [f for f in range(synthetic.frame_count()) if (_stable_unit(f"frame{f}") < VAL_FRACTION) == side]
        for f in frames:
            for k in range(FRAME_REQUESTS_PER_CLASS):
                for inner, label in ((harmful[hi % len(harmful)], 1), (benign[bi % len(benign)], 0)):
                    out.append(data_mod.Item(text=strip_prompt(synthetic.wrap_in_frame(f, inner.text)), label=label, source=inner.source,
                                             source_category=inner.source_category, category=inner.category,
                                             group=f"f{f}", kind="wrapped", extra={"template_source": "frames", "val": side}))
                hi += 1
                bi += 1
    log(f"augmentation: {len(out)} wrapped prompts ({sum(1 for o in out if o.label == 1)} harmful, {sum(1 for o in out if o.label == 0)} benign)")
    return out
