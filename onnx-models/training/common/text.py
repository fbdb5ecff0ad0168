"""Text normalisation shared by training and by the runtime contract.

The C# runtime strips surrounding whitespace before encoding, so training must see prompts
exactly that way: `strip_prompt` is the only transformation applied to text that is
embedded. `dedup_key` is a much more aggressive normalisation used only to find exact
duplicates across data sets (case, punctuation and spacing differences are not new prompts).
"""
import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def strip_prompt(text: str) -> str:
    return (text or "").strip()


def dedup_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return _NON_WORD.sub(" ", folded).strip()
