"""Text normalisation shared by training and by the runtime contract.

The C# classifier prepares a prompt before encoding it (RefusalGate.Classification.Text.PromptText: surrounding
whitespace stripped, every run of whitespace inside one space), so training must see prompts exactly that way:
`strip_prompt` is the only transformation applied to prompt text that is embedded. `dedup_key` is a much more aggressive normalisation used only to find exact
duplicates across data sets (case, punctuation and spacing differences are not new prompts).
"""
import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


# char.IsWhiteSpace's set, the one the C# side folds (Python's own str.split() also splits on \x1c-\x1f).
WHITESPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_WHITESPACE_RUN = re.compile("[" + re.escape(WHITESPACE) + "]+")


def strip_prompt(text: str) -> str:
    """Surrounding whitespace stripped, every run of whitespace inside one space (session 10): the encoder's reference
    tokenizer reads a newline as an unknown token that glues the next word to it, so a line break in place of a space
    flipped 7.6 % of validation decisions (spacing_check.py)."""
    return _WHITESPACE_RUN.sub(" ", (text or "").strip(WHITESPACE))


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
