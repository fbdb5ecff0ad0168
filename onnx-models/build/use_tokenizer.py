"""Python port of the SentencePiece (unigram) tokenizer that ships in @energetic-ai/embeddings@0.2.0
(lib/tokenizer.ts, itself Google's tfjs-models universal-sentence-encoder tokenizer).

It reproduces the reference exactly, quirks included, because the encoder was fed by that code:
  * NFKC, then "\u2581" prepended and only ASCII spaces replaced by "\u2581";
  * symbols are Unicode code points; a position with no vocabulary match becomes <unk> (id 0, score 0);
  * Viterbi keeps ties for the LATER candidate and treats an accumulated score of exactly 0 as "unset";
  * back-tracking steps by the UTF-16 length of the chosen piece;
  * runs of <unk> collapse to one; the first 6 ids are reserved and never produced;
  * a null score in vocab.json counts as 0, and a duplicated piece keeps its last id and score.
No truncation here: the 128-token window of the encoder is handled by the caller (see use_lite_torch).
Lone surrogates (impossible in text decoded from UTF-8) are mapped to U+FFFD first; both give id 0.
"""
from __future__ import annotations

import json
import re
import unicodedata

SEPARATOR = "\u2581"
RESERVED_SYMBOLS = 6
UNKNOWN_ID = 0
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _utf16_length(s: str) -> int:
    return sum(2 if ord(c) > 0xFFFF else 1 for c in s)


class Tokenizer:
    def __init__(self, vocab_json_path: str):
        with open(vocab_json_path, encoding="utf-8") as f:
            vocabulary = json.load(f)
        self.pieces = [p for p, _ in vocabulary]
        self._piece_utf16_length = [_utf16_length(p) for p in self.pieces]
        # Trie as nested dicts keyed by code point; the value at key None is (score, id).
        self._root: dict = {}
        for index in range(RESERVED_SYMBOLS, len(vocabulary)):
            piece, score = vocabulary[index]
            node = self._root
            for ch in piece:
                node = node.setdefault(ch, {})
            node[None] = (float(score or 0.0), index)

    def encode(self, text: str) -> list[int]:
        text = _LONE_SURROGATE.sub("\ufffd", text)
        normalized = unicodedata.normalize("NFKC", text)
        if normalized:
            normalized = SEPARATOR + normalized.replace(" ", SEPARATOR)
        symbols = normalized  # a Python str is already a sequence of code points
        n = len(symbols)
        best = [0.0] * (n + 1)
        words = [0] * (n + 1)
        # arrivals[end] = [(start, score, id), ...] in ascending start order, as the JS object iterates.
        arrivals: list[list[tuple[int, float, int]]] = [[] for _ in range(n + 1)]
        for start in range(n):
            node = self._root.get(symbols[start])
            found = False
            length = 1
            while node is not None:
                entry = node.get(None)
                if entry is not None:
                    arrivals[start + length].append((start, entry[0], entry[1]))
                    found = True
                if start + length >= n:
                    break
                node = node.get(symbols[start + length])
                length += 1
            if not found:
                arrivals[start + 1].append((start, 0.0, UNKNOWN_ID))
        for end in range(n + 1):
            for start, score, index in sorted(arrivals[end], key=lambda a: a[0]):
                total = score + best[start]
                if best[end] == 0 or total >= best[end]:
                    best[end] = total
                    words[end] = index
        reversed_ids = []
        position = n
        while position > 0:
            reversed_ids.append(words[position])
            position -= self._piece_utf16_length[words[position]]
        merged = []
        previous_unknown = False
        for token in reversed_ids:
            if not (previous_unknown and token == UNKNOWN_ID):
                merged.append(token)
            previous_unknown = token == UNKNOWN_ID
        merged.reverse()
        return merged
