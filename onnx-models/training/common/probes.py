"""Shared by the two probe scripts (classifier/prompt-probes.jsonl, detector/style-probes.jsonl): the tally per
`written` set (when a probe was written says whether it found a failure or checks a fix on new wording), and the
check that no probe is a training row."""
import sys


def right_by_set(probes: list[dict], rights: list[bool]) -> dict[str, str]:
    tally: dict[str, list[int]] = {}
    for probe, right in zip(probes, rights):
        counts = tally.setdefault(probe["written"], [0, 0])
        counts[0] += right
        counts[1] += 1
    return {written: f"{r} / {n}" for written, (r, n) in tally.items()}


def none_is_a_training_row(probes: list[dict], text_key: str, training_texts) -> bool:
    """False (and the probes' ids on stderr) when a probe's text is word for word a hand-written training row,
    case-folded: such a probe tests nothing, so the probe scripts refuse to run until it is reworded."""
    trained = {text.casefold() for text in training_texts}
    ids = [probe["id"] for probe in probes if probe[text_key].casefold() in trained]
    if ids:
        print(f"probes that are training rows (reword them): {ids}", file=sys.stderr)
    return not ids
