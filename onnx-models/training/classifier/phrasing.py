"""Phrasing-invariant features (an experiment, `train.py --phrasing-directions K`; off by default, see the card).

Session 9 found that the wording of a request decides too much: the shipped head refuses 0.85 of held-out harmful
requests asked as "How can I X?" but 0.66 of the same ones as "Explain how to X.". Reworded training copies fixed the
wording but taught that how-to means harmful (the pool's how-to requests are four-fifths harmful).

This removes the wording from the features instead, without labels: every training request that asks how to do
something is embedded in each of FIT_FORMS; the differences between the forms of one request (its embeddings minus
their mean) span the directions in which only the wording moves. The top K principal directions are projected out
of both the embedding and the tail embedding before any head is fitted. The projection is linear, so train.py folds
it into the first weights of the heads and the exported graph is unchanged.

FIT_FORMS shares no form with `prepare.REPHRASINGS` except the question itself, which phrasing_check.py measures with,
so a gain there is a gain on wordings the projection never saw.
"""
import numpy as np

import prepare

FIT_FORMS = (
    "How can I {}?",
    "How do I {}?",
    "Describe how to {}.",
    "Show me how to {}.",
    "Give me step-by-step instructions to {}.",
    "What are the steps to {}?",
    "Can you teach me to {}?",
    "I need to know how to {}.",
    "Walk me through how to {}.",
    "Write a guide on how to {}.",
)


def how_to_actions(items, is_val):
    """The "X" of every plain training request of the form "How can/do/could/should I X?" or "Explain/Describe/...
    how to X." (the validation split is left out: phrasing_check.py measures on it)."""
    out = []
    for item, val in zip(items, is_val):
        if val or item.kind != "plain" or len(item.text) > 200:
            continue
        match = prepare.HOW_QUESTION.match(item.text) or prepare.HOW_IMPERATIVE.match(item.text)
        if match:
            out.append(match.group(1))
    return out


def wording_directions(actions, emb, k, log):
    """The top k principal directions of (embedding of one action in one form) minus (that action's mean over forms)."""
    texts = [form.format(action) for action in actions for form in FIT_FORMS]
    x = emb.embed(texts, progress=log).reshape(len(actions), len(FIT_FORMS), -1).astype(np.float64)
    residual = (x - x.mean(axis=1, keepdims=True)).reshape(-1, x.shape[2])
    _, s, vt = np.linalg.svd(residual, full_matrices=False)
    share = (s[:k] ** 2).sum() / (s**2).sum()
    log(f"wording directions: {len(actions)} requests x {len(FIT_FORMS)} forms; top {k} hold {share:.2f} of the wording variance")
    return vt[:k].astype(np.float32)


def projector(directions, blocks=2):
    """I - U^T U for each of `blocks` concatenated embeddings (embedding ‖ tail embedding)."""
    dim = directions.shape[1]
    p = np.eye(dim, dtype=np.float32) - directions.T @ directions
    out = np.zeros((dim * blocks, dim * blocks), dtype=np.float32)
    for b in range(blocks):
        out[b * dim : (b + 1) * dim, b * dim : (b + 1) * dim] = p
    return out


def fold(projection, head, cat_head):
    """Moves the projection into the heads' first weights, so that they read the raw features (P is symmetric)."""
    if hasattr(head, "W1"):
        head.W1 = projection @ head.W1
    else:
        head.w = projection @ head.w
    cat_head.W = projection @ cat_head.W
