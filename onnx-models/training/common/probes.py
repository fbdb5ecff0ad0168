"""Tally of the hand-written probes (classifier/prompt-probes.jsonl, detector/style-probes.jsonl) per `written` set:
when a probe was written says whether it found a failure or checks a fix on new wording."""


def right_by_set(probes: list[dict], rights: list[bool]) -> dict[str, str]:
    tally: dict[str, list[int]] = {}
    for probe, right in zip(probes, rights):
        counts = tally.setdefault(probe["written"], [0, 0])
        counts[0] += right
        counts[1] += 1
    return {written: f"{r} / {n}" for written, (r, n) in tally.items()}
