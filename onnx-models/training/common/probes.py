"""Tally of the hand-written probes (classifier/prompt-probes.jsonl, detector/style-probes.jsonl) per `written` set:
when a probe was written says whether it found a failure or checks a fix on new wording."""


def right_by_set(probes: list[dict], rights: list[bool]) -> dict[str, str]:
    tally: dict[str, list[int]] = {}
    for probe, right in zip(probes, rights):
        counts = tally.setdefault(probe["written"], [0, 0])
        counts[0] += right
        counts[1] += 1
    return {written: f"{r} / {n}" for written, (r, n) in tally.items()}


def training_rows_among(probes: list[dict], text_key: str, training_texts) -> list:
    """Ids of probes whose text (case-folded) is word for word a hand-written training row: such a probe tests
    nothing, so the probe scripts refuse to run until it is reworded."""
    trained = {text.casefold() for text in training_texts}
    return [probe["id"] for probe in probes if probe[text_key].casefold() in trained]
