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


TAIL_CHARS = 300
TAIL_WORD_WINDOW = 40


def prompt_tail(text: str) -> str:
    """The end of a stripped prompt, where a role-play or jailbreak wrapper usually puts the actual request: the
    last TAIL_CHARS code points, starting after the first space within TAIL_WORD_WINDOW code points so that no
    word is cut (without such a space, the cut stays where it is). A prompt that short is its own tail.
    The C# runtime (PromptTail) implements the same rule; manifest.json carries both numbers."""
    if len(text) <= TAIL_CHARS:
        return text
    cut = text[-TAIL_CHARS:]
    space = cut.find(" ")
    return cut[space + 1:] if 0 <= space < TAIL_WORD_WINDOW else cut


def dedup_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return _NON_WORD.sub(" ", folded).strip()
