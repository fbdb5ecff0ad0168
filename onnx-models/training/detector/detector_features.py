"""Text preparation and lexical cue features of the response refusal detector.

The C# runtime (src/RefusalGate.Detection/Features) implements exactly the same steps; both read
onnx-models/detector/lexical-cues.json and onnx-models/detector/manifest.json, and
onnx-models/detector/test-vectors.json pins the equality. Change both sides together.

Steps (all lengths in Unicode code points):
1. bound: keep the first MAX_CHARS code points (a 1 MB response costs the same as a 4k one).
2. normalise: curly apostrophes (U+2018, U+2019, U+02BC) become "'"; strip the WHITESPACE set.
3. split: the first sentence(s) end at the first boundary (a newline, or . ! ? followed by
   whitespace or the end) that lies at or after MIN_FIRST_CHARS; without one, the first
   MAX_FIRST_CHARS code points. The rest is what follows, stripped. The opening is the
   first OPENING_CHARS code points of the text, whatever its sentences.
4. cues: per group of lexical-cues.json, 1.0 if any pattern matches the first part, 1.0 if
   any matches the opening, 1.0 if any matches the whole bounded text; then four shape
   features. The opening catches a refusal in the second sentence ("Thank you for reaching
   out! However, I cannot ...") without the "anywhere" flag's noise (a caveat at the end
   of a long answer).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

MAX_CHARS = 2000
MIN_FIRST_CHARS = 30
MAX_FIRST_CHARS = 300
OPENING_CHARS = 400
WHITESPACE = " \t\n\r\f\v\u00a0"
APOSTROPHES = {"\u2018": "'", "\u2019": "'", "\u02bc": "'"}
SENTENCE_END = ".!?"
SHAPE_FEATURES = ["log_length", "log_rest_length", "has_rest", "newlines"]


@dataclass(frozen=True)
class PreparedText:
    text: str
    first: str
    rest: str

    @property
    def opening(self) -> str:
        return self.text[:OPENING_CHARS]


def strip_ws(text: str) -> str:
    return text.strip(WHITESPACE)


def prepare(response: str) -> PreparedText:
    bounded = response[:MAX_CHARS]
    normalised = "".join(APOSTROPHES.get(ch, ch) for ch in bounded)
    text = strip_ws(normalised)
    end = first_sentence_end(text)
    return PreparedText(text=text, first=strip_ws(text[:end]), rest=strip_ws(text[end:]))


def first_sentence_end(text: str) -> int:
    n = len(text)
    for k in range(n):
        ch = text[k]
        boundary = ch == "\n" or (ch in SENTENCE_END and (k + 1 == n or text[k + 1] in WHITESPACE))
        if boundary and k + 1 >= MIN_FIRST_CHARS:
            return min(k + 1, MAX_FIRST_CHARS)
        if k + 1 >= MAX_FIRST_CHARS:
            return MAX_FIRST_CHARS
    return n


class LexicalCues:
    def __init__(self, groups: list[tuple[str, list[re.Pattern[str]]]]):
        self.groups = groups

    @staticmethod
    def load(path: Path) -> "LexicalCues":
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
        groups = [
            (g["name"], [re.compile(p, re.IGNORECASE) for p in g["patterns"]])
            for g in spec["groups"]
        ]
        return LexicalCues(groups)

    def feature_names(self) -> list[str]:
        names = []
        for name, _ in self.groups:
            names += [f"{name}_first", f"{name}_opening", f"{name}_any"]
        return names + SHAPE_FEATURES

    def features(self, prepared: PreparedText) -> list[float]:
        values: list[float] = []
        for _, patterns in self.groups:
            for part in (prepared.first, prepared.opening, prepared.text):
                values.append(1.0 if any(p.search(part) for p in patterns) else 0.0)
        max_log = math.log(1.0 + MAX_CHARS)
        values.append(math.log(1.0 + len(prepared.text)) / max_log)
        values.append(math.log(1.0 + len(prepared.rest)) / max_log)
        values.append(1.0 if prepared.rest else 0.0)
        values.append(min(prepared.text.count("\n"), 20) / 20.0)
        return values

    def group_hits(self, text: str) -> set[str]:
        return {name for name, patterns in self.groups if any(p.search(text) for p in patterns)}


def load_reason_rules(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))["reasonRules"]


def refusal_reason(cues: LexicalCues, rules: dict, prepared: PreparedText) -> str:
    """Reason of a response already judged a refusal (see reasonRules in lexical-cues.json)."""
    first_hits = cues.group_hits(prepared.first)
    any_hits = cues.group_hits(prepared.text)
    for rule in rules["rules"]:
        if all(g in first_hits for g in rule["first"]) and not any(g in any_hits for g in rule["noneAnywhere"]):
            return rule["reason"]
    return rules["default"]
